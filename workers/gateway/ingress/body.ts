// Reads a request body with a hard byte cap enforced while reading: a body without Content-Length (or lying
// about it) is cut off at the limit and the stream cancelled, never buffered past `maxBytes`.

export type BodyResult = { ok: true; bytes: Uint8Array } | { ok: false; reason: 'too_large' | 'read_failed' }

export async function readBodyCapped(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<BodyResult> {
  if (body === null) return { ok: true, bytes: new Uint8Array(0) }
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      total += value.byteLength
      if (total > maxBytes) {
        await reader.cancel().catch(() => {})
        return { ok: false, reason: 'too_large' }
      }
      chunks.push(value)
    }
  } catch {
    return { ok: false, reason: 'read_failed' }
  }
  if (chunks.length === 1) return { ok: true, bytes: chunks[0] as Uint8Array }
  const bytes = new Uint8Array(total)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return { ok: true, bytes }
}
