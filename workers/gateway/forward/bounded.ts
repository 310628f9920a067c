// Reading an upstream body with bounds: a byte cap counted on the decoded bytes as they arrive (so a gzip bomb is
// inflated at most to the cap before it is refused, never whole), an idle timeout between chunks, and the overall
// deadline's abort signal. Streams are never buffered here; only non-streamed answers, which must fit the cap.

export type BoundedFailure = 'too_large' | 'idle' | 'aborted' | 'broken'
export type BoundedRead = { ok: true; bytes: Uint8Array } | { ok: false; reason: BoundedFailure }

const IDLE = Symbol('idle')

/** One read that gives up after `idleMs` (the timer is cleared either way, so nothing lingers). */
export async function readWithin<T>(reader: ReadableStreamDefaultReader<T>, idleMs: number) {
  let timer: ReturnType<typeof setTimeout> | undefined
  const idle = new Promise<typeof IDLE>((resolve) => {
    timer = setTimeout(() => resolve(IDLE), idleMs)
  })
  try {
    return await Promise.race([reader.read(), idle])
  } finally {
    clearTimeout(timer)
  }
}

export async function readBounded(
  body: ReadableStream<Uint8Array>,
  opts: { maxBytes: number; idleMs: number; signal: AbortSignal },
): Promise<BoundedRead> {
  const reader = body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  const stop = async (reason: BoundedFailure): Promise<BoundedRead> => {
    await reader.cancel().catch(() => {})
    return { ok: false, reason }
  }
  try {
    for (;;) {
      if (opts.signal.aborted) return await stop('aborted')
      const r = await readWithin(reader, opts.idleMs)
      if (r === IDLE) return await stop('idle')
      if (r.done) break
      total += r.value.byteLength
      if (total > opts.maxBytes) return await stop('too_large')
      chunks.push(r.value)
    }
  } catch {
    return await stop(opts.signal.aborted ? 'aborted' : 'broken')
  }
  const bytes = new Uint8Array(total)
  let at = 0
  for (const c of chunks) {
    bytes.set(c, at)
    at += c.byteLength
  }
  return { ok: true, bytes }
}

export { IDLE }
