// The SSE rewriter as a body: pull-based (one upstream read per pull, so backpressure reaches the model tier and
// nothing accumulates), screened text enqueued as soon as a read is processed; a block cancels the upstream.
import type { SseRewriter } from './sse.ts'

const encoder = new TextEncoder()

/** Wraps an SSE body: pull-based (one upstream read per pull, so backpressure reaches the model tier), screened
 * text out as soon as a read is processed; a block cancels the upstream. */
export function guardSseBody(body: ReadableStream<Uint8Array>, rewriter: SseRewriter): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        for (;;) {
          let out: string
          let finished = false
          try {
            const { done, value } = await reader.read()
            out = done
              ? rewriter.feed(decoder.decode()) + rewriter.end()
              : rewriter.feed(decoder.decode(value, { stream: true }))
            finished = done || rewriter.stopped
          } catch {
            out = rewriter.end() // the upstream read broke: held text is dropped, never flushed
            finished = true
          }
          if (out !== '') controller.enqueue(encoder.encode(out))
          if (finished) {
            if (rewriter.stopped) await reader.cancel().catch(() => {})
            controller.close()
            return
          }
          if (out !== '') return
        }
      },
      cancel(reason) {
        return reader.cancel(reason).catch(() => {})
      },
    },
    { highWaterMark: 0 },
  )
}
