// Incremental SSE screening of OpenAI chat and legacy completion streams. Events are split as they arrive (WHATWG
// SSE framing: blank-line terminated, `data:` lines joined), each chunk's assistant text (content, refusal,
// tool_calls arguments, legacy text) goes through its choice's window, and only the text fields are rewritten:
// an event whose text is unchanged goes out byte for byte. Block: a final content_filter chunk per open choice,
// then an OpenAI-style `event: error`, so the openai SDK raises a typed APIError.
import { type ErrorCode, errorBody } from '../errors.ts'
import type { AnswerGuard, Block } from './guard.ts'

const MAX_EVENT_CHARS = 1024 * 1024 // one SSE event larger than this is not an OpenAI chunk: fail closed
type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** `parent[key]` as an object, created empty when absent (a final chunk may carry `delta: {}` or no delta). */
function objectAt(parent: Json, key: string): Json {
  const v = parent[key]
  if (isObject(v)) return v
  const created: Json = {}
  parent[key] = created
  return created
}

const ROLE_FIELD = '"role":"assistant",'
/** How a one-choice, content-only chunk ends after the content literal (OpenAI, vLLM, the dev tier). */
const CHOICE_ENDS = [
  '},"finish_reason":null}]}',
  '},"logprobs":null,"finish_reason":null}]}',
  '},"finish_reason":null}],"usage":null}',
  '},"logprobs":null,"finish_reason":null}],"usage":null}',
]

export const errorEvent = (code: ErrorCode): string => `event: error\ndata: ${JSON.stringify(errorBody(code))}\n\n`

/** A redaction summary clients can read (SSE comment, ignored by parsers): counts by placeholder type only. */
export function redactionSummary(redactions: Readonly<Record<string, number>>): string {
  return Object.entries(redactions)
    .map(([type, n]) => `${type}=${n}`)
    .join(', ')
}

export class SseRewriter {
  private buffer = ''
  /** The last chunk's JSON text: the id/object/model of a synthetic final chunk come from it, parsed only then. */
  private lastData = '{}'
  private readonly open = new Set<number>()
  /** Set once the answer was stopped (block, unparseable upstream): nothing more is read or sent. */
  stopped = false
  sawDone = false

  constructor(
    private readonly guard: AnswerGuard,
    private readonly failOpen: boolean,
  ) {}

  /** Set when the guard threw under failMode open: the rest of the stream passes unscreened. */
  bypassed = false

  /** Text in, text out: complete events are screened and returned, a partial event waits for its end. A guard
   * that throws fails closed (response.unavailable) unless the policy's failMode is open. */
  feed(text: string): string {
    if (this.bypassed) return text
    if (this.stopped) return ''
    try {
      return this.screen(text)
    } catch {
      if (!this.failOpen) return this.fail('response.unavailable')
      this.bypassed = true // nothing of this read was sent: all of it, and the partial event before it, passes
      const rest = this.buffer + text
      this.buffer = ''
      return rest
    }
  }

  private screen(text: string): string {
    const buffer = this.buffer + (text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text)
    let out = ''
    let at = 0
    for (let end = buffer.indexOf('\n\n'); end >= 0 && !this.stopped; end = buffer.indexOf('\n\n', at)) {
      out += this.event(buffer.slice(at, end + 2))
      at = end + 2
    }
    this.buffer = buffer.slice(at)
    if (!this.stopped && this.buffer.length > MAX_EVENT_CHARS) out += this.fail('upstream.bad_response')
    return out + this.takeStop()
  }

  /** Upstream ended: text still held (no [DONE], no finish_reason) was cut off and is dropped, never flushed. */
  end(): string {
    this.guard.decision.done = true
    if (this.bypassed) return ''
    if (this.stopped || this.buffer.trim() === '') return this.takeStop()
    return this.event(`${this.buffer}\n\n`) + this.takeStop()
  }

  private event(raw: string): string {
    const fast = this.fastEvent(raw)
    if (fast !== null) return fast
    let data: string | null = null
    let name = 'message'
    for (const line of raw.slice(0, -2).split('\n')) {
      if (line.startsWith('data:')) {
        const value = line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5)
        data = data === null ? value : `${data}\n${value}`
      } else if (line.startsWith('event:')) name = line.slice(6).trim()
    }
    if (data === null || name !== 'message') return raw // comments, upstream error events
    if (data.trim() === '[DONE]') {
      this.sawDone = true
      return this.flushAll() + this.summary() + raw
    }
    let chunk: unknown
    try {
      chunk = JSON.parse(data)
    } catch {
      return this.failOpen ? raw : this.fail('upstream.bad_response')
    }
    if (!isObject(chunk) || !Array.isArray(chunk.choices)) return raw
    this.lastData = data
    let changed = false
    for (const choice of chunk.choices) {
      if (!isObject(choice)) continue
      const result = this.choice(choice)
      if (result === 'block') return ''
      changed ||= result === 'changed'
    }
    return changed ? `data: ${JSON.stringify(chunk)}\n\n` : raw
  }

  /** The common event, one chat choice whose delta carries only `content` (plus role), screened without parsing
   * the whole chunk. The shape is matched exactly around the first `"content":"` key — `"choices":[{"index":N,
   * "delta":{` before it (a JSON string cannot hold those unescaped quotes, and JSON.parse keeps the last
   * duplicate key, which is this one), one choice closing after it — the literal is decoded alone and, if the
   * window changed it, spliced back. Any other shape takes the full parse. (Each indexOf over a 150-byte event
   * costs about a JSON.parse of it, so the checks are fixed-position compares.) */
  private fastEvent(raw: string): string | null {
    if (!raw.startsWith('data: {') || raw.indexOf('\n') !== raw.length - 2) return null
    const data = raw.slice(6, -2)
    const key = data.indexOf('"content":"')
    if (key < 0) return null
    let head = data.endsWith(ROLE_FIELD, key) ? key - ROLE_FIELD.length : key
    if (!data.endsWith('"delta":{', head)) return null
    head -= 10 // the ',' before "delta"
    if (data.charCodeAt(head) !== 44) return null
    let digits = head
    while (digits > 0 && data.charCodeAt(digits - 1) >= 48 && data.charCodeAt(digits - 1) <= 57) digits--
    if (digits === head || head - digits > 6 || !data.endsWith('"choices":[{"index":', digits)) return null
    let end = key + 11
    for (; end < data.length; end++) {
      const c = data.charCodeAt(end)
      if (c === 34) break
      if (c === 92) end++
      else if (c < 32) return null
    }
    if (end >= data.length || !CHOICE_ENDS.some((tail) => data.endsWith(tail) && data.length - tail.length === end + 1))
      return null
    const value = JSON.parse(data.slice(key + 10, end + 1)) as string
    const at = Number(data.slice(digits, head))
    this.lastData = data
    this.open.add(at)
    const { text, block } = this.guard.window(at, 'content').push(value, false)
    if (block !== null) {
      this.stop(block, at)
      return ''
    }
    return text === value ? raw : `data: ${data.slice(0, key + 10)}${JSON.stringify(text)}${data.slice(end + 1)}\n\n`
  }

  /** id, object, created and model of the last chunk, for chunks the guard adds (flush, content_filter). */
  private template(): Json {
    try {
      const last = JSON.parse(this.lastData) as Json
      return { id: last.id, object: last.object, created: last.created, model: last.model }
    } catch {
      return {}
    }
  }

  private choice(choice: Json): 'same' | 'changed' | 'block' {
    const index = typeof choice.index === 'number' ? choice.index : 0
    const final = choice.finish_reason !== null && choice.finish_reason !== undefined
    if (final) this.open.delete(index)
    else this.open.add(index)
    let changed = false
    const screenField = (field: string, value: unknown, set: (text: string) => void): boolean => {
      if (typeof value !== 'string') return true
      const { text, block } = this.guard.window(index, field).push(value, final)
      if (block !== null) {
        this.stop(block, index)
        return false
      }
      if (text !== value) {
        set(text)
        changed = true
      }
      return true
    }
    if (typeof choice.text === 'string') {
      if (!screenField('text', choice.text, (t) => (choice.text = t))) return 'block'
    } else {
      const delta = objectAt(choice, 'delta')
      if (!screenField('content', delta.content, (t) => (delta.content = t))) return 'block'
      if (!screenField('refusal', delta.refusal, (t) => (delta.refusal = t))) return 'block'
      const calls = Array.isArray(delta.tool_calls) ? delta.tool_calls : []
      for (const [position, call] of calls.entries()) {
        if (!isObject(call) || !isObject(call.function)) continue
        const fn = call.function
        const field = `tool_calls.${typeof call.index === 'number' ? call.index : position}.arguments`
        if (!screenField(field, fn.arguments, (t) => (fn.arguments = t))) return 'block'
      }
    }
    if (final && this.flushInto(choice, index)) changed = true
    return changed ? 'changed' : 'same'
  }

  /** Releases what the choice's other windows still hold into its final chunk. */
  private flushInto(choice: Json, index: number): boolean {
    let changed = false
    for (const w of this.guard.pending(index)) {
      const { text, block } = w.push('', true)
      if (block !== null) {
        this.stop(block, index)
        return false
      }
      if (text === '') continue
      changed = true
      if (w.field === 'text') choice.text = `${typeof choice.text === 'string' ? choice.text : ''}${text}`
      else {
        const delta = objectAt(choice, 'delta')
        const call = /^tool_calls\.(\d+)\.arguments$/.exec(w.field)
        if (call === null) delta[w.field] = `${typeof delta[w.field] === 'string' ? delta[w.field] : ''}${text}`
        else {
          if (!Array.isArray(delta.tool_calls)) delta.tool_calls = []
          const calls = delta.tool_calls as unknown[]
          calls.push({ index: Number(call[1]), function: { arguments: text } })
        }
      }
    }
    return changed
  }

  /** [DONE] with text still held (an upstream that never sent finish_reason): one synthetic chunk per choice. */
  private flushAll(): string {
    let out = ''
    const template = this.template()
    for (const index of new Set(this.guard.pending().map((w) => w.choice))) {
      const legacy = template.object === 'text_completion'
      const choice: Json = legacy ? { index, text: '', finish_reason: null } : { index, delta: {}, finish_reason: null }
      if (this.flushInto(choice, index)) out += `data: ${JSON.stringify({ ...template, choices: [choice] })}\n\n`
      if (this.stopped) break
    }
    return out
  }

  private summary(): string {
    const text = redactionSummary(this.guard.decision.redactions)
    return text === '' ? '' : `: x-portcullis-redactions ${text}\n\n`
  }

  private pendingStop = ''

  private stop(block: Block, current: number): void {
    const template = this.template()
    const legacy = template.object === 'text_completion'
    let out = ''
    for (const index of new Set([...this.open, current])) {
      const choice = legacy
        ? { index, text: '', logprobs: null, finish_reason: 'content_filter' }
        : { index, delta: {}, finish_reason: 'content_filter' }
      out += `data: ${JSON.stringify({ ...template, choices: [choice] })}\n\n`
    }
    this.pendingStop = out + errorEvent(block.code)
    this.stopped = true
    this.guard.decision.done = true
  }

  private fail(code: ErrorCode): string {
    this.stopped = true
    this.guard.decision.done = true
    this.guard.decision.code ??= code
    return errorEvent(code)
  }

  /** The block sequence, once, after `stopped` was set by a block. */
  private takeStop(): string {
    const out = this.pendingStop
    this.pendingStop = ''
    return out
  }
}
