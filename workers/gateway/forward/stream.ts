// Pass-through for the upstream body: pull-based (one chunk in flight, so backpressure reaches the model tier
// and nothing is buffered), and a broken upstream ends the client's stream cleanly instead of erroring it or
// stopping silently. For SSE the client gets a final OpenAI-style error event, so SDKs surface a typed error.
// An OpenAI-compatible stream always ends with `data: [DONE]`; one that closes without it was cut off (workerd
// and most proxies turn a reset mid-body into a clean EOF), so that counts as interrupted too. A stream past the
// response cap, or silent for longer than the idle timeout, is cancelled upstream and ends the same way.
import { errorBody } from '../../../shared/errors.ts'
import { IDLE, readWithin } from './bounded.ts'

const encoder = new TextEncoder()
const decoder = new TextDecoder()
export const STREAM_INTERRUPTED_EVENT = encoder.encode(
  `event: error\ndata: ${JSON.stringify(errorBody('upstream.stream_interrupted'))}\n\n`,
)
const DONE = 'data: [DONE]'
const TAIL_BYTES = 32 // enough to hold the terminator plus trailing blank lines

export interface StreamBounds {
  readonly maxBytes: number
  readonly idleMs: number
}

/** `onInterrupted` runs when the client is sent the interruption event (the decision log records it). */
export function guardStream(
  body: ReadableStream<Uint8Array>,
  isSse: boolean,
  bounds: StreamBounds,
  onInterrupted: () => void = () => {},
): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  let total = 0
  let tail = new Uint8Array(0)
  const remember = (chunk: Uint8Array) => {
    if (chunk.byteLength >= TAIL_BYTES) tail = chunk.slice(chunk.byteLength - TAIL_BYTES)
    else {
      const joined = new Uint8Array(Math.min(TAIL_BYTES, tail.byteLength + chunk.byteLength))
      const keep = joined.byteLength - chunk.byteLength
      joined.set(tail.subarray(tail.byteLength - keep), 0)
      joined.set(chunk, keep)
      tail = joined
    }
  }
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const r = await readWithin(reader, bounds.idleMs)
          if (r !== IDLE && !r.done) total += r.value.byteLength
          if (r === IDLE || total > bounds.maxBytes) {
            await reader.cancel().catch(() => {})
            if (isSse) {
              onInterrupted()
              controller.enqueue(STREAM_INTERRUPTED_EVENT)
            }
            controller.close()
            return
          }
          const { done, value } = r
          if (!done) {
            if (isSse) remember(value)
            controller.enqueue(value)
            return
          }
          if (isSse && !decoder.decode(tail).trimEnd().endsWith(DONE)) {
            onInterrupted()
            controller.enqueue(STREAM_INTERRUPTED_EVENT)
          }
          controller.close()
        } catch {
          if (isSse) {
            onInterrupted()
            controller.enqueue(STREAM_INTERRUPTED_EVENT)
          }
          controller.close()
        }
      },
      cancel(reason) {
        return reader.cancel(reason).catch(() => {})
      },
    },
    { highWaterMark: 0 },
  )
}
