// Reads the real token usage out of an OpenAI-compatible response — the JSON body's `usage`, or the final SSE
// chunk's when the stream was asked for `stream_options.include_usage` — while passing the bytes on. When the
// client did not ask for usage, the usage-only chunk (empty `choices`) is removed from what the client sees.

export interface TokenUsage {
  readonly promptTokens: number
  readonly completionTokens: number
  readonly totalTokens: number
}

/** How a response body ended, as the reconciler needs to know it. */
export type BodyEnd =
  | { readonly kind: 'completed'; readonly usage: TokenUsage | null }
  | { readonly kind: 'broken' }
  | { readonly kind: 'cancelled' }

/** An SSE event or JSON body larger than this is passed on without being parsed for usage. */
export const MAX_PARSED_BYTES = 4 * 1024 * 1024
const USAGE_OBJECT = /"usage"\s*:\s*\{/ // cheap pre-filter: chunks carry "usage":null until the last one

const count = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null)

/** OpenAI `usage` ({prompt_tokens, completion_tokens, total_tokens}); embeddings have no completion tokens. */
export function parseUsage(value: unknown): TokenUsage | null {
  if (typeof value !== 'object' || value === null) return null
  const u = value as Record<string, unknown>
  const prompt = count(u.prompt_tokens) ?? 0
  const completion = count(u.completion_tokens) ?? 0
  const total = count(u.total_tokens) ?? prompt + completion
  if (u.prompt_tokens === undefined && u.total_tokens === undefined) return null
  return { promptTokens: prompt, completionTokens: completion, totalTokens: total }
}

export function extractJsonUsage(text: string): TokenUsage | null {
  if (!USAGE_OBJECT.test(text)) return null
  try {
    const body: unknown = JSON.parse(text)
    return typeof body === 'object' && body !== null ? parseUsage((body as { usage?: unknown }).usage) : null
  } catch {
    return null
  }
}

/** Finds the end of the first SSE event (a blank line, any of the three line endings). Returns [end, next]. */
function eventBoundary(buffer: string): [number, number] | null {
  const m = /\r\n\r\n|\n\n|\r\r/.exec(buffer)
  return m ? [m.index, m.index + m[0].length] : null
}

/** The joined `data:` lines of one event (WHATWG HTML §9.2.6), or null if it has none. */
function eventData(event: string): string | null {
  let data: string | null = null
  for (const line of event.split(/\r\n|\n|\r/)) {
    if (!line.startsWith('data:')) continue
    const value = line.slice(line.startsWith('data: ') ? 6 : 5)
    data = data === null ? value : `${data}\n${value}`
  }
  return data
}

interface EventVerdict {
  readonly usage: TokenUsage | null
  /** The event exists only to carry usage (empty `choices`). */
  readonly usageOnly: boolean
}

function inspectEvent(event: string): EventVerdict {
  const data = eventData(event)
  if (data === null || !USAGE_OBJECT.test(data)) return { usage: null, usageOnly: false }
  try {
    const chunk = JSON.parse(data) as { usage?: unknown; choices?: unknown }
    const usage = parseUsage(chunk.usage)
    return { usage, usageOnly: usage !== null && Array.isArray(chunk.choices) && chunk.choices.length === 0 }
  } catch {
    return { usage: null, usageOnly: false }
  }
}

export interface ObserveOptions {
  /** The body is `text/event-stream`. */
  readonly sse: boolean
  /** Remove the usage-only SSE event (the client did not ask for include_usage). */
  readonly dropUsageChunk: boolean
}

/**
 * Passes `body` on and calls `onEnd` exactly once: completed (with the usage found), broken (upstream error),
 * or cancelled (the client went away). A client that never reads never ends it: the reservation stays.
 */
export function observeUsage(
  body: ReadableStream<Uint8Array>,
  options: ObserveOptions,
  onEnd: (end: BodyEnd) => void,
): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  const encoder = new TextEncoder()
  const rewriting = options.sse && options.dropUsageChunk
  let pending = '' // SSE: the unfinished event; JSON: the whole body so far
  let overflow = false
  let usage: TokenUsage | null = null
  let ended = false
  const end = (e: BodyEnd) => {
    if (ended) return
    ended = true
    onEnd(e)
  }

  /** Consumes complete events from `pending`; returns the text to emit when rewriting. */
  const drainEvents = (): string => {
    let out = ''
    for (let b = eventBoundary(pending); b !== null; b = eventBoundary(pending)) {
      const event = pending.slice(0, b[1])
      pending = pending.slice(b[1])
      const verdict = inspectEvent(event.slice(0, b[0]))
      if (verdict.usage !== null) usage = verdict.usage
      if (!(rewriting && verdict.usageOnly)) out += event
    }
    return out
  }

  /** Handles one upstream read; returns true when something was enqueued or the stream ended. */
  const step = async (controller: ReadableStreamDefaultController<Uint8Array>): Promise<boolean> => {
    let result: ReadableStreamReadResult<Uint8Array>
    try {
      result = await reader.read()
    } catch (error) {
      end({ kind: 'broken' })
      controller.error(error)
      return true
    }
    if (result.done) {
      const tail = decoder.decode()
      if (!overflow && options.sse) {
        pending += tail
        const out = drainEvents()
        if (rewriting && out + pending !== '') controller.enqueue(encoder.encode(out + pending))
      } else if (!overflow) {
        usage = extractJsonUsage(pending + tail)
      }
      end({ kind: 'completed', usage })
      controller.close()
      return true
    }
    const chunk = result.value
    if (!rewriting || overflow) controller.enqueue(chunk)
    if (overflow) return true
    pending += decoder.decode(chunk, { stream: true })
    let emitted = !rewriting
    if (options.sse) {
      const out = drainEvents()
      if (rewriting && out !== '') {
        controller.enqueue(encoder.encode(out))
        emitted = true
      }
    }
    if (pending.length > MAX_PARSED_BYTES) {
      // Give up parsing; pass the rest through untouched. Usage stays unknown, so the reservation stands.
      if (rewriting) controller.enqueue(encoder.encode(pending))
      pending = ''
      overflow = true
      emitted = true
    }
    return emitted
  }

  return new ReadableStream<Uint8Array>({
    // A pull that enqueues nothing is not called again, so keep reading until there is something to hand on.
    async pull(controller) {
      while (!(await step(controller))) {}
    },
    async cancel(reason) {
      end({ kind: 'cancelled' })
      await reader.cancel(reason)
    },
  })
}
