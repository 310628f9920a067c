import { describe, expect, it } from 'vitest'
import { RequestBody } from '../../../shared/request/model.ts'
import { FORGED_HEADERS } from '../../../test/support/forged-headers.ts'
import { activeTenant, stageApp, testPolicy } from '../../../test/support/gateway.ts'
import type { ActiveTenant, Env } from '../env.ts'
import { FAIRNESS_HEADER, forward } from './index.ts'

type Captured = { url: string; init: RequestInit; headers: Headers; body: string }

function appFor(upstream: (req: Captured) => Response | Promise<Response>, tenant: ActiveTenant = activeTenant()) {
  const captured: Captured[] = []
  const fetchFn = (async (url: string, init: RequestInit) => {
    const c = {
      url,
      init,
      headers: new Headers(init.headers),
      body: init.body ? new TextDecoder().decode(init.body as Uint8Array) : '',
    }
    captured.push(c)
    return upstream(c)
  }) as unknown as typeof fetch
  const raw = new TextEncoder().encode('{"model":"dev-model","messages":[{"role":"user","content":"hi"}]}')
  const app = stageApp(
    {
      tenant,
      requestId: 'edge-request-id',
      traceparent: '00-11111111111111111111111111111111-2222222222222222-01',
      route: { endpoint: 'chat', method: 'POST', path: '/v1/chat/completions' },
      caller: { sub: 'alice', issuer: 'x', scopes: ['chat'], method: 'bearer', tokenId: null },
      body: RequestBody.fromBytes(raw),
    },
    [],
    forward({ fetch: fetchFn }),
  )
  return { app, captured }
}

const ok = () =>
  Response.json(
    { ok: true },
    { headers: { server: 'vllm/0.9', 'x-envoy-upstream-service-time': '3', 'set-cookie': 'a=b' } },
  )

describe('forward: header hygiene', () => {
  it(`drops or overwrites every forgeable header (${Object.keys(FORGED_HEADERS).length} names)`, async () => {
    expect(Object.keys(FORGED_HEADERS).length).toBeGreaterThanOrEqual(25)
    const { app, captured } = appFor(ok)
    const env: Env = {}
    const res = await app.request('/', { method: 'POST', headers: FORGED_HEADERS }, env)
    expect(res.status).toBe(200)
    const sent = captured[0]?.headers as Headers
    for (const [name, value] of Object.entries(FORGED_HEADERS)) {
      expect.soft(sent.get(name), name).not.toBe(value)
    }
    expect(sent.get('x-request-id')).toBe('edge-request-id')
    expect(sent.get(FAIRNESS_HEADER)).toBe('acme/alice')
    expect(sent.get('authorization')).toBeNull()
    expect([...sent.keys()].sort()).toEqual(
      ['accept', 'content-type', 'traceparent', 'user-agent', FAIRNESS_HEADER, 'x-request-id'].sort(),
    )
  })

  it('sends the policy-named upstream credential, never the caller token', async () => {
    const tenant = activeTenant(
      testPolicy({ upstream: { url: 'http://upstream.test', audience: 'a', credentialSecret: 'MODEL_KEY' } }),
    )
    const { app, captured } = appFor(ok, tenant)
    await app.request(
      '/',
      { method: 'POST', headers: { authorization: 'Bearer caller' } },
      { MODEL_KEY: 'upstream-secret' },
    )
    expect(captured[0]?.headers.get('authorization')).toBe('Bearer upstream-secret')
  })

  it('returns only allowlisted upstream response headers', async () => {
    const { app } = appFor(ok)
    const res = await app.request('/', { method: 'POST' })
    expect(res.headers.get('server')).toBeNull()
    expect(res.headers.get('set-cookie')).toBeNull()
    expect(res.headers.get('x-envoy-upstream-service-time')).toBeNull()
    expect(res.headers.get('content-type')).toContain('application/json')
  })

  it('forwards the exact body bytes to the base URL + path', async () => {
    const { app, captured } = appFor(ok)
    await app.request('/', { method: 'POST' })
    expect(captured[0]?.url).toBe('http://upstream.test/v1/chat/completions')
    expect(captured[0]?.body).toBe('{"model":"dev-model","messages":[{"role":"user","content":"hi"}]}')
  })
})

describe('forward: upstream failures', () => {
  it.each([
    {
      what: 'upstream 500',
      upstream: () => new Response('boom: stack at x.py:1', { status: 500 }),
      status: 502,
      code: 'upstream.bad_response',
    },
    {
      what: 'upstream 503',
      upstream: () => new Response('', { status: 503 }),
      status: 502,
      code: 'upstream.bad_response',
    },
    {
      what: 'upstream redirect',
      upstream: () => new Response(null, { status: 302, headers: { location: 'http://evil' } }),
      status: 502,
      code: 'upstream.bad_response',
    },
    {
      what: 'connection refused',
      upstream: () => Promise.reject(new TypeError('fetch failed')),
      status: 502,
      code: 'upstream.unavailable',
    },
  ])('$what → $status $code, no upstream detail leaks', async ({ upstream, status, code }) => {
    const { app } = appFor(upstream as () => Response)
    const res = await app.request('/', { method: 'POST' })
    const text = await res.text()
    expect(res.status).toBe(status)
    expect(JSON.parse(text).error.code).toBe(code)
    expect(text).not.toContain('x.py')
  })

  it('upstream timeout → 504', async () => {
    const tenant = activeTenant(testPolicy({ upstream: { url: 'http://upstream.test', audience: 'a', timeoutMs: 20 } }))
    const { app } = appFor(
      ({ init }) =>
        new Promise((_, reject) =>
          init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
        ),
      tenant,
    )
    const res = await app.request('/', { method: 'POST' })
    expect(res.status).toBe(504)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('upstream.timeout')
  })

  it('passes upstream 4xx through (the model tier validates its own input)', async () => {
    const { app } = appFor(() =>
      Response.json({ error: { message: 'context too long', code: 'context_length' } }, { status: 400 }),
    )
    const res = await app.request('/', { method: 'POST' })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('context_length')
  })

  it('a stream that breaks mid-way ends cleanly with an SSE error event', async () => {
    const enc = new TextEncoder()
    let sent = 0
    const { app } = appFor(
      () =>
        new Response(
          new ReadableStream({
            pull(controller) {
              if (sent++ < 2) controller.enqueue(enc.encode(`data: {"n":${sent}}\n\n`))
              else controller.error(new Error('connection reset'))
            },
          }),
          { headers: { 'content-type': 'text/event-stream' } },
        ),
    )
    const res = await app.request('/', { method: 'POST' })
    const text = await res.text()
    expect(text).toContain('data: {"n":1}')
    expect(text).toContain('data: {"n":2}')
    expect(text).toMatch(/event: error\ndata: .*"upstream\.stream_interrupted"/)
  })
})

describe('forward: bounded upstream answers (hole 5)', () => {
  const tight = activeTenant(
    testPolicy({
      upstream: { url: 'http://upstream.test', audience: 'tier', idleTimeoutMs: 50, maxResponseBytes: 1024 },
    }),
  )
  /** A body that sends `first`, then nothing, ever (an upstream stalled after its headers). */
  const stalled = (first: string) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(first))
      },
    })
  const answer = (body: BodyInit, type: string) => () => new Response(body, { headers: { 'content-type': type } })

  it.each([
    ['JSON stalled after its headers', answer(stalled('{"id":'), 'application/json'), 504, 'upstream.timeout'],
    [
      'JSON past the response cap',
      answer(JSON.stringify({ pad: 'x'.repeat(2048) }), 'application/json'),
      502,
      'upstream.bad_response',
    ],
    ['JSON cut mid-body', answer('{"id":"x","choices":[', 'application/json'), 502, 'upstream.bad_response'],
  ])('%s → %i %s', async (_what, upstream, status, code) => {
    const { app } = appFor(upstream, tight)
    const res = await app.request('/', { method: 'POST' }, {})
    expect(res.status).toBe(status)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code)
  })

  it.each([
    ['an SSE stream stalled mid-way', stalled('data: {"choices":[]}\n\n')],
    ['an SSE stream past the response cap', `data: ${'x'.repeat(2048)}\n\ndata: [DONE]\n\n`],
  ])('%s ends with the stream_interrupted event', async (_what, body) => {
    const { app } = appFor(answer(body, 'text/event-stream'), tight)
    const res = await app.request('/', { method: 'POST' }, {})
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(text).toContain('"upstream.stream_interrupted"')
    expect(text).not.toContain('[DONE]')
  })
})
