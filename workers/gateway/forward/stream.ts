// Pass-through for the upstream body: pull-based (one chunk in flight, so backpressure reaches the model tier
// and nothing is buffered), and a read error ends the client's stream cleanly instead of erroring it. For SSE
// the client gets a final OpenAI-style error event so SDKs surface a typed error rather than a silent stop.
import { errorBody } from '../../../shared/errors.ts'

const encoder = new TextEncoder()
export const STREAM_INTERRUPTED_EVENT = encoder.encode(
  `event: error\ndata: ${JSON.stringify(errorBody('upstream.stream_interrupted'))}\n\n`,
)

export function guardStream(body: ReadableStream<Uint8Array>, isSse: boolean): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await reader.read()
          if (done) controller.close()
          else controller.enqueue(value)
        } catch {
          if (isSse) controller.enqueue(STREAM_INTERRUPTED_EVENT)
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
