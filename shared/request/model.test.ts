import { describe, expect, it } from 'vitest'
import { MAX_JSON_DEPTH, parseRequestBody, RequestBody } from './model.ts'

const bytes = (s: string) => new TextEncoder().encode(s)
const text = (b: Uint8Array) => new TextDecoder().decode(b)
const CHAT = '{"model":"m","messages":[{"role":"user","content":"hi"}]}'

describe('parseRequestBody', () => {
  it.each([
    ['not UTF-8', new Uint8Array([0x7b, 0xff, 0x7d]), 'ingress.malformed_json'],
    ['not JSON', bytes('{"model":'), 'ingress.malformed_json'],
    ['a duplicate key', bytes('{"model":"m","model":"n","messages":[]}'), 'ingress.invalid_request'],
    [
      'too deep',
      bytes(`{"model":"m","x":${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}}`),
      'ingress.invalid_request',
    ],
    ['the wrong shape', bytes('{"model":"m","messages":[]}'), 'ingress.invalid_request'],
  ])('%s → %s', (_what, raw, code) => {
    const parsed = parseRequestBody('chat', raw)
    expect(parsed.ok ? null : parsed.code).toBe(code)
  })

  it('derives the facts once: every ceiling field, the largest cap, choices, token ids, template overrides', () => {
    const parsed = parseRequestBody(
      'completions',
      bytes('{"model":"m","prompt":[1,2],"max_tokens":10,"max_completion_tokens":99,"n":2,"best_of":5}'),
    )
    expect(parsed.ok && parsed.facts).toMatchObject({
      maxTokens: 99,
      ceilingFields: ['max_tokens', 'max_completion_tokens'],
      choices: 5,
      tokenIds: true,
      templateOverride: false,
    })
    const chat = parseRequestBody('chat', bytes(`${CHAT.slice(0, -1)},"chat_template_kwargs":{}}`))
    expect(chat.ok && chat.facts.templateOverride).toBe(true)
  })
})

describe('RequestBody', () => {
  it('seals the caller bytes unchanged when nothing is patched, and memoises the seal', () => {
    const raw = bytes(`${CHAT.slice(0, -1)},  "seed": 123456789012345678901234567890 }`)
    const body = new RequestBody(raw, text(raw), JSON.parse(text(raw)))
    expect(body.seal()).toBe(raw)
    expect(body.seal()).toBe(body.seal())
  })

  it('applies named patches at seal time and refuses patches after it', () => {
    const body = RequestBody.fromBytes(`${CHAT.slice(0, -1)},"x":1e999}`)
    body.patch('ceiling', ['max_tokens'], 512)
    body.patch('stream_usage', ['stream_options', 'include_usage'], true)
    expect(text(body.seal())).toBe(
      `${CHAT.slice(0, -1)},"x":1e999,"max_tokens":512,"stream_options":{"include_usage":true}}`,
    )
    expect(body.patchNames).toEqual(['ceiling', 'stream_usage'])
    expect(() => body.patch('redaction', ['messages', 0, 'content'], '[EMAIL_1]')).toThrow(/sealed/)
  })

  it('shows later stages the body with the patches so far, and keeps the caller JSON as sent', () => {
    const body = RequestBody.fromBytes('{"model":"m","messages":[{"role":"user","content":"mail ada@example.com"}]}')
    expect(body.current).toBe(body.json) // nothing patched: no copy
    body.patch('pseudonym', ['messages', 0, 'content'], 'mail [EMAIL_1]')
    body.patch('ceiling', ['max_tokens'], 64)
    expect(body.current).toEqual({
      model: 'm',
      messages: [{ role: 'user', content: 'mail [EMAIL_1]' }],
      max_tokens: 64,
    })
    expect(body.json).toEqual({ model: 'm', messages: [{ role: 'user', content: 'mail ada@example.com' }] })
    expect(JSON.parse(new TextDecoder().decode(body.seal()))).toEqual(body.current)
  })
})
