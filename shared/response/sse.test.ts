import { describe, expect, it } from 'vitest'
import type { ResponsePolicyInput } from './policy-schema.ts'
import { SseRewriter } from './sse.ts'
import { FAKE_OPENAI_KEY, testGuard } from './testing.ts'

const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'dev-model' }
const chat = (delta: Record<string, unknown>, finish: string | null = null, index = 0) =>
  `data: ${JSON.stringify({ ...base, choices: [{ index, delta, finish_reason: finish }] })}\n\n`
const legacy = (text: string, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: 'cmpl-1', object: 'text_completion', created: 1, model: 'm', choices: [{ index: 0, text, finish_reason: finish }] })}\n\n`
const DONE = 'data: [DONE]\n\n'

/** Runs `wire` through a rewriter in pieces of `step` bytes and parses what comes out. */
function run(wire: string, step: number, input: ResponsePolicyInput = {}, pseudonyms: Record<string, string> = {}) {
  const guard = testGuard(input, { pseudonyms })
  const rw = new SseRewriter(guard, false)
  let out = ''
  for (let i = 0; i < wire.length; i += step) out += rw.feed(wire.slice(i, i + step))
  out += rw.end()
  const events = out.split('\n\n').filter((e) => e !== '')
  const text: Record<string, string> = {}
  let finish: unknown = null
  let error: unknown = null
  for (const e of events) {
    if (e.startsWith('event: error')) error = JSON.parse(e.slice(e.indexOf('data: ') + 6))
    if (!e.startsWith('data: {')) continue
    type Choice = {
      index: number
      text?: string
      finish_reason?: string | null
      delta?: { content?: string; tool_calls?: { index: number; function?: { arguments?: string } }[] }
    }
    const chunk = JSON.parse(e.slice(6)) as { choices: Choice[] }
    for (const c of chunk.choices) {
      const add = (k: string, v: unknown) => {
        if (typeof v === 'string') text[k] = (text[k] ?? '') + v
      }
      add(`${c.index}.content`, c.delta?.content)
      add(`${c.index}.text`, c.text)
      for (const t of c.delta?.tool_calls ?? []) add(`${c.index}.tool.${t.index}`, t.function?.arguments)
      if (c.finish_reason) finish = c.finish_reason
    }
  }
  return { out, events, text, finish, error, decision: guard.decision }
}

describe('SSE rewriting', () => {
  const key = FAKE_OPENAI_KEY
  const wire =
    chat({ role: 'assistant', content: '' }) +
    chat({ content: `key: ${key.slice(0, 10)}` }) +
    chat({ content: key.slice(10, 30) }) +
    chat({ content: `${key.slice(30)} done` }) +
    chat({}, 'stop') +
    DONE

  it.each([1, 7, 64, 100_000])('redacts a key split over three chunks (wire cut every %i bytes)', (step) => {
    const r = run(wire, step)
    expect(r.text['0.content']).toBe('key: [REDACTED_SECRET] done')
    expect(r.finish).toBe('stop')
    expect(r.out).toContain(': x-portcullis-redactions SECRET=1\n\n')
    expect(r.out.endsWith(DONE)).toBe(true)
  })

  it('passes unchanged events byte for byte', () => {
    const plain = chat({ role: 'assistant', content: 'Hello' }) + chat({ content: ' world' }) + chat({}, 'stop') + DONE
    expect(run(plain, 5).out).toBe(plain)
  })

  it('restores placeholders in content and in tool-call arguments, split across chunks', () => {
    const w =
      chat({ content: 'Sent to [EMA' }) +
      chat({ content: 'IL_1].' }) +
      chat({
        tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'send', arguments: '{"to":"[EM' } }],
      }) +
      chat({ tool_calls: [{ index: 0, function: { arguments: 'AIL_1]","cc":"[PHONE_1' } }] }) +
      chat({ tool_calls: [{ index: 0, function: { arguments: ']"}' } }] }) +
      chat({}, 'tool_calls') +
      DONE
    const r = run(w, 13, {}, { '[EMAIL_1]': 'ada@example.com', '[PHONE_1]': '+1 415 555 0100' })
    expect(r.text['0.content']).toBe('Sent to ada@example.com.')
    expect(JSON.parse(r.text['0.tool.0']!)).toEqual({ to: 'ada@example.com', cc: '+1 415 555 0100' })
    expect(r.decision.restored).toBe(3)
  })

  it('a block mid-stream ends with content_filter and an error event, and nothing of the key', () => {
    const r = run(wire, 9, { secret: { action: 'block' } })
    expect(r.finish).toBe('content_filter')
    expect(r.error).toEqual({ error: expect.objectContaining({ code: 'response.secret', type: 'permission_error' }) })
    expect(r.out).not.toContain(key.slice(0, 10))
    expect(r.out).not.toContain('[DONE]')
    expect(r.decision).toMatchObject({ verdict: 'block', code: 'response.secret', done: true })
  })

  it('legacy completions and several choices each get their own window', () => {
    const w = legacy('a sk-test1234567890abcdef') + legacy('GHIJKLmnopqrstuvWXYZ0987 b') + legacy('', 'stop') + DONE
    expect(run(w, 11).text['0.text']).toBe('a [REDACTED_SECRET] b')
    const two =
      chat({ content: `x ${key.slice(0, 20)}` }, null, 0) +
      chat({ content: 'plain' }, null, 1) +
      chat({ content: `${key.slice(20)} y` }, null, 0) +
      chat({ content: ' text' }, 'stop', 1) +
      chat({}, 'stop', 0) +
      DONE
    const r = run(two, 17)
    expect(r.text).toEqual({ '0.content': 'x [REDACTED_SECRET] y', '1.content': 'plain text' })
  })

  it('held text is flushed into the final chunk; a stream cut off drops it', () => {
    const pending = chat({ content: 'ends with sk' }) + chat({}, 'stop') + DONE
    expect(run(pending, 4).text['0.content']).toBe('ends with sk')
    const cut = chat({ content: 'ends with sk-test1234567890' })
    const r = run(cut, 4)
    expect(r.text['0.content']).toBe('ends with ')
    expect(r.decision.done).toBe(true)
  })

  it('fails closed on an unparseable chunk and on an oversized event', () => {
    expect(run('data: {"choices": [\n\n', 3).error).toMatchObject({ error: { code: 'upstream.bad_response' } })
    expect(run(`data: ${'x'.repeat(1_100_000)}`, 65_536).error).toMatchObject({
      error: { code: 'upstream.bad_response' },
    })
  })

  it('the unparsed fast path and the full parse agree on escapes, quotes and key order', () => {
    const tricky = `say "content":"x" \\ \u2028 é ${key} "end"`
    const expected = 'say "content":"x" \\ \u2028 é [REDACTED_SECRET] "end"'
    const fast = chat({ content: tricky }) + chat({}, 'stop') + DONE
    const reordered = `data: ${JSON.stringify({ choices: [{ finish_reason: null, delta: { content: tricky }, index: 0 }], ...base })}\n\n`
    const withLogprobs = `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: tricky }, logprobs: { content: [{ token: 'x' }] }, finish_reason: null }] })}\n\n`
    for (const w of [fast, reordered + chat({}, 'stop') + DONE, withLogprobs + chat({}, 'stop') + DONE])
      expect(run(w, 7).text['0.content']).toBe(expected)
  })

  it('CRLF framing and multi-line data are understood', () => {
    const crlf = chat({ content: `k ${key} ` }).replace(/\n/g, '\r\n') + chat({}, 'stop') + DONE
    expect(run(crlf, 5).text['0.content']).toBe('k [REDACTED_SECRET] ')
  })
})
