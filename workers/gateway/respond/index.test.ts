import { describe, expect, it } from 'vitest'
import type { PolicyInput } from '../../../shared/policy/schema.ts'
import { RequestBody } from '../../../shared/request/model.ts'
import { FAKE_OPENAI_KEY } from '../../../shared/response/testing.ts'
import { activeTenant, errorCode, stageApp, testPolicy } from '../../../test/support/gateway.ts'
import { outboundBytes } from '../body.ts'
import type { Decisions } from '../env.ts'
import { pseudonymize, REDACTIONS_HEADER, respond } from './index.ts'

const route = { endpoint: 'chat' as const, method: 'POST', path: '/v1/chat/completions' }
const userText = 'Mail ada@example.com or call +1 415 555 0100 please.'
const requestJson = { model: 'dev-model', messages: [{ role: 'user', content: userText }] }
const screened = {
  verdict: 'allow' as const,
  enforced: true,
  score: 0,
  categories: [],
  rules: [],
  redactions: {},
  spans: [],
}
const completion = (content: string) => ({
  id: 'c1',
  object: 'chat.completion',
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
})

/** The stages as app.ts mounts them, around an upstream stub that sees the forwarded bytes. */
function app(answer: (forwarded: string) => Response, response: PolicyInput['response'] = {}) {
  const body = RequestBody.fromBytes(JSON.stringify(requestJson))
  const state: { decisions?: Decisions; forwarded?: string } = {}
  const tenant = activeTenant(testPolicy({ response: { pseudonymize: { types: ['email', 'phone'] }, ...response } }))
  const hono = stageApp(
    { tenant, route, body },
    [
      pseudonymize(),
      async (c, next) => {
        c.get('decisions').screen = screened
        state.decisions = c.get('decisions')
        await next()
      },
      respond(),
    ],
    (c) => {
      state.forwarded = new TextDecoder().decode(outboundBytes(c.get('body')))
      return answer(state.forwarded)
    },
  )
  return { hono, state }
}

const json = (v: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(v), { headers: { 'content-type': 'application/json', ...headers } })

describe('respond stage, JSON answers', () => {
  it('pseudonyms go upstream, the caller gets the originals back, the Txn-Token decision gets counts only', async () => {
    const { hono, state } = app((forwarded) => {
      const sent = JSON.parse(forwarded) as typeof requestJson
      return json(completion(`You said: ${sent.messages[0]!.content}`))
    })
    const res = await hono.request('/v1/chat/completions', { method: 'POST' })
    expect(res.status).toBe(200)
    expect(state.forwarded).toContain('Mail [EMAIL_1] or call [PHONE_1] please.')
    expect(state.forwarded).not.toContain('ada@example.com')
    const answer = (await res.json()) as ReturnType<typeof completion>
    expect(answer.choices[0]!.message.content).toBe(`You said: ${userText}`)
    expect(state.decisions?.screen).toMatchObject({
      verdict: 'redact',
      categories: ['pii'],
      redactions: { EMAIL: 1, PHONE: 1 },
    })
    expect(state.decisions?.response).toMatchObject({ verdict: 'allow', restored: 2, done: true })
    expect(JSON.stringify(state.decisions)).not.toContain('ada@')
    expect(JSON.stringify(state.decisions)).not.toContain('555')
  })

  it('redacts a credential and says so in a header (counts by type)', async () => {
    const { hono, state } = app(() => json(completion(`use ${FAKE_OPENAI_KEY} and ![i](https://evil.test/x.png)`)))
    const res = await hono.request('/v1/chat/completions', { method: 'POST' })
    expect(res.headers.get(REDACTIONS_HEADER)).toBe('SECRET=1, LINK=1')
    const answer = (await res.json()) as ReturnType<typeof completion>
    expect(answer.choices[0]!.message.content).toBe('use [REDACTED_SECRET] and ![i]([REDACTED_LINK])')
    expect(state.decisions?.response).toMatchObject({ verdict: 'redact', categories: ['secret', 'exfiltration'] })
  })

  const refusals: [string, () => Response, PolicyInput['response'], number, string][] = [
    [
      'a credential under block',
      () => json(completion(`k ${FAKE_OPENAI_KEY}`)),
      { secret: { action: 'block' } },
      403,
      'response.secret',
    ],
    [
      'a tool-call argument with a credential',
      () =>
        json({
          choices: [
            {
              index: 0,
              message: { tool_calls: [{ function: { name: 'f', arguments: `{"k":"${FAKE_OPENAI_KEY}"}` } }] },
            },
          ],
        }),
      { secret: { action: 'block' } },
      403,
      'response.secret',
    ],
    [
      'an answer over maxJsonBytes (Content-Length)',
      () => json(completion('x'.repeat(2000)), { 'content-length': '2100' }),
      { maxJsonBytes: 1024 },
      502,
      'response.too_large',
    ],
    [
      'an answer over maxJsonBytes (no Content-Length)',
      () =>
        new Response(new Blob([JSON.stringify(completion('x'.repeat(5000)))]).stream(), {
          headers: { 'content-type': 'application/json' },
        }),
      { maxJsonBytes: 1024 },
      502,
      'response.too_large',
    ],
    [
      'truncated JSON',
      () => new Response('{"choices": [', { headers: { 'content-type': 'application/json' } }),
      {},
      502,
      'upstream.bad_response',
    ],
    [
      'neither JSON nor SSE',
      () => new Response('hello', { headers: { 'content-type': 'text/plain' } }),
      {},
      502,
      'upstream.bad_response',
    ],
  ]
  it.each(refusals)('%s fails closed', async (_name, answer, policy, status, code) => {
    const { hono, state } = app(answer, policy)
    const res = await hono.request('/v1/chat/completions', { method: 'POST' })
    expect(res.status).toBe(status)
    expect(await errorCode(res)).toBe(code)
    if (status === 403) expect(state.decisions?.response).toMatchObject({ verdict: 'block', code })
  })

  it('error answers pass untouched', async () => {
    const { hono } = app(() => new Response(`{"error":{"message":"${FAKE_OPENAI_KEY}"}}`, { status: 400 }))
    const res = await hono.request('/v1/chat/completions', { method: 'POST' })
    expect(res.status).toBe(400)
  })
})

describe('respond stage, streams', () => {
  const sse = (parts: string[]) =>
    new Response(
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (const p of parts) controller.enqueue(new TextEncoder().encode(p))
          controller.close()
        },
      }),
      { headers: { 'content-type': 'text/event-stream' } },
    )
  const chunk = (content: string | null, finish: string | null = null) =>
    `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', choices: [{ index: 0, delta: content === null ? {} : { content }, finish_reason: finish }] })}\n\n`

  it('restores a placeholder split across events and reports redactions in a trailing comment', async () => {
    const wire = [
      chunk('Hi [EMA'),
      chunk('IL_1], key '),
      chunk(FAKE_OPENAI_KEY.slice(0, 9)),
      chunk(`${FAKE_OPENAI_KEY.slice(9)}.`),
      chunk(null, 'stop'),
      'data: [DONE]\n\n',
    ]
    const { hono, state } = app(() => sse(wire))
    const text = await (await hono.request('/v1/chat/completions', { method: 'POST' })).text()
    const content = [...text.matchAll(/"content":"([^"]*)"/g)].map((m) => m[1]).join('')
    expect(content).toBe('Hi ada@example.com, key [REDACTED_SECRET].')
    expect(text).toContain(': x-portcullis-redactions SECRET=1\n\ndata: [DONE]')
    expect(state.decisions?.response).toMatchObject({ verdict: 'redact', restored: 1, done: true })
  })

  it('a block ends the stream with content_filter and an error event', async () => {
    const wire = [chunk('Here: '), chunk(FAKE_OPENAI_KEY), chunk(' more'), chunk(null, 'stop'), 'data: [DONE]\n\n']
    const { hono } = app(() => sse(wire), { secret: { action: 'block' } })
    const text = await (await hono.request('/v1/chat/completions', { method: 'POST' })).text()
    expect(text).toContain('"finish_reason":"content_filter"')
    expect(text).toMatch(/event: error\ndata: \{"error":\{[^}]*"code":"response.secret"/)
    expect(text).not.toContain(FAKE_OPENAI_KEY.slice(3, 12))
    expect(text).not.toContain('[DONE]')
  })
})
