// The one place that decides the exact bytes sent upstream. The sign stage digests them and the forward
// stage sends them, so both must call `outboundBytes` (memoised) — the context token is bound to these bytes.
import type { OutboundBody } from './env.ts'

const encoder = new TextEncoder()
const finalBytes = new WeakMap<OutboundBody, Uint8Array>()

/** Exact bytes validated by ingress unless a stage rewrote the JSON; then its serialisation, computed once. */
export function outboundBytes(body: OutboundBody): Uint8Array {
  const cached = finalBytes.get(body)
  if (cached) return cached
  const bytes = body.rewritten && body.json !== null ? encoder.encode(JSON.stringify(body.json)) : body.raw
  finalBytes.set(body, bytes)
  return bytes
}

/** Stages that rewrite the body call this before the bytes are sealed; rewriting after sealing is a bug. */
export function rewriteBody(body: OutboundBody, json: OutboundBody['json']): void {
  if (finalBytes.has(body)) throw new Error('outbound body already sealed')
  body.json = json
  body.rewritten = true
}
