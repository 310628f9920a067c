// The exact bytes sent upstream come from the request model (shared/request/model.ts): the sign stage digests
// them and the forward stage sends them, both through `outboundBytes`, which seals the body once.
import type { OutboundBody } from './env.ts'

/** The sealed bytes: the caller's, or them with the edge's named patches spliced in. Memoised by the model. */
export function outboundBytes(body: OutboundBody): Uint8Array {
  return body.seal()
}
