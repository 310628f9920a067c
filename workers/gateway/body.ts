// The exact bytes sent upstream come from the request model (shared/request/model.ts): the sign stage digests
// them and the forward stage sends them, both through `outboundBytes`, which seals the body once.

import type { PatchName, RequestBody } from '../../shared/request/model.ts'
import type { CallerText } from '../../shared/request/texts.ts'
import type { JsonObject, OutboundBody } from './env.ts'

/** The sealed bytes: the caller's, or them with the edge's named patches spliced in. Memoised by the model. */
export function outboundBytes(body: OutboundBody): Uint8Array {
  return body.seal()
}

/** A stage's text rewrite as named patches: each caller text whose value in `rewritten` differs is replaced at
 * its path (screen redaction, response-guard pseudonyms). */
export function patchChangedTexts(
  body: RequestBody,
  name: PatchName,
  texts: readonly CallerText[],
  rewritten: JsonObject,
): void {
  for (const t of texts) {
    let node: unknown = rewritten
    for (const seg of t.path) node = (node as Record<string | number, unknown> | undefined)?.[seg]
    if (typeof node === 'string' && node !== t.text) body.patch(name, t.path, node)
  }
}
