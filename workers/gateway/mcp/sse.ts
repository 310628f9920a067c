// Server-Sent Events for MCP answers, one event at a time (WHATWG HTML §9.2 parsing): each event's data is one
// JSON-RPC message, rewritten by the caller (filtered, screened) and re-emitted with its id, so resumption keeps
// working. A buffer holds at most one event (bounded); text split across events is not windowed here — that comes
// with the response guard's incremental screening. An event over the bound ends the stream with an error event.

export interface SseEvent {
  readonly id: string | null
  readonly event: string | null
  readonly retry: string | null
  readonly data: string | null
}

/** Incremental parser: feed decoded text, get complete events. `pendingChars` bounds memory per event. */
export class SseParser {
  private line = ''
  private id: string | null = null
  private event: string | null = null
  private retry: string | null = null
  private data: string[] | null = null
  private size = 0
  private lastWasCr = false

  get pendingChars(): number {
    return this.size + this.line.length
  }

  push(text: string): SseEvent[] {
    const out: SseEvent[] = []
    // The \n of a \r\n pair split across two chunks.
    let start = this.lastWasCr && text.charCodeAt(0) === 0x0a ? 1 : 0
    this.lastWasCr = false
    for (let i = start; i < text.length; i++) {
      const ch = text.charCodeAt(i)
      if (ch !== 0x0a && ch !== 0x0d) continue
      const line = this.line + text.slice(start, i)
      if (ch === 0x0d) {
        if (i + 1 === text.length) this.lastWasCr = true
        else if (text.charCodeAt(i + 1) === 0x0a) i++
      }
      start = i + 1
      this.line = ''
      const done = this.field(line)
      if (done) out.push(done)
    }
    this.line += text.slice(start)
    return out
  }

  /** One line; a blank line dispatches the event. */
  private field(line: string): SseEvent | null {
    if (line === '') {
      if (this.data === null && this.id === null && this.event === null && this.retry === null) return null
      const ev: SseEvent = { id: this.id, event: this.event, retry: this.retry, data: this.data?.join('\n') ?? null }
      this.id = null
      this.event = null
      this.retry = null
      this.data = null
      this.size = 0
      return ev
    }
    if (line.startsWith(':')) return null // comment (keep-alive)
    const colon = line.indexOf(':')
    const name = colon === -1 ? line : line.slice(0, colon)
    let value = colon === -1 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    this.size += value.length
    if (name === 'data') {
      this.data ??= []
      this.data.push(value)
    } else if (name === 'id' && !value.includes('\u0000')) this.id = value
    else if (name === 'event') this.event = value
    else if (name === 'retry') this.retry = value
    return null
  }
}

export function serializeEvent(ev: SseEvent): string {
  let out = ''
  if (ev.event !== null) out += `event: ${ev.event}\n`
  if (ev.id !== null) out += `id: ${ev.id}\n`
  if (ev.retry !== null && /^[0-9]{1,9}$/.test(ev.retry)) out += `retry: ${ev.retry}\n`
  if (ev.data !== null) for (const line of ev.data.split('\n')) out += `data: ${line}\n`
  return `${out}\n`
}

/**
 * Re-emit an SSE stream event by event: `rewrite` gets each event's data and returns the data to send, or null to
 * drop the event. `prefix` events go first (the edge's own answers in a batch). Over `maxEventChars` in one
 * event, `overflow` is sent and the stream ends.
 */
export function rewriteSse(
  body: ReadableStream<Uint8Array>,
  opts: {
    readonly maxEventChars: number
    readonly prefix: readonly string[]
    readonly rewrite: (data: string) => Promise<string | null>
    readonly overflow: string
    /** Called once when the stream ends (normally or at the bound). */
    readonly onDone?: () => void
  },
): ReadableStream<Uint8Array> {
  const parser = new SseParser()
  const decoder = new TextDecoder()
  const encoder = new TextEncoder()
  let over = false
  const emitAll = async (
    events: SseEvent[],
    controller: TransformStreamDefaultController<Uint8Array>,
  ): Promise<void> => {
    for (const ev of events) {
      const data = ev.data === null || ev.data === '' ? ev.data : await opts.rewrite(ev.data)
      if (data === null && ev.data !== null) continue
      controller.enqueue(encoder.encode(serializeEvent({ ...ev, data })))
    }
  }
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      start(controller) {
        for (const data of opts.prefix)
          controller.enqueue(encoder.encode(serializeEvent({ id: null, event: 'message', retry: null, data })))
      },
      async transform(chunk, controller) {
        if (over) return
        const events = parser.push(decoder.decode(chunk, { stream: true }))
        await emitAll(events, controller)
        if (parser.pendingChars > opts.maxEventChars) {
          over = true
          controller.enqueue(
            encoder.encode(serializeEvent({ id: null, event: 'message', retry: null, data: opts.overflow })),
          )
          controller.terminate()
          opts.onDone?.()
        }
      },
      async flush(controller) {
        if (!over) await emitAll(parser.push(`${decoder.decode()}\n\n`), controller)
        opts.onDone?.()
      },
    }),
  )
}
