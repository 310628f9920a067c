import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import { compileTest, testPolicy } from '../../../test/support/gateway.ts'
import type { AppEnv, Env } from '../env.ts'
import { renderError } from '../errors.ts'
import { ingress } from './index.ts'

const acme = compileTest(
  testPolicy({
    ingress: {
      maxBodyBytes: 1024,
      network: { denyCountries: ['KP'], denyAsns: [64512], denyIps: ['203.0.113.0/24', '2001:db8::/32'] },
    },
  }),
)
const geo = compileTest(
  testPolicy({ tenant: 'geo', hosts: ['geo.test'], ingress: { network: { allowCountries: ['DE', 'FR'] } } }),
)
const embedOnly = compileTest(
  testPolicy({ tenant: 'embed', hosts: ['embed.test'], ingress: { endpoints: ['embeddings'] } }),
)

function app() {
  const a = new Hono<AppEnv>()
  a.onError(renderError)
  a.use(async (c, next) => {
    c.set('decisions', { shadowed: [] })
    await next()
  })
  a.use(ingress({ tenants: [acme, geo, embedOnly] }))
  a.all('*', (c) =>
    c.json({ tenant: c.var.tenant.compiled.id, endpoint: c.var.route.endpoint, request: c.var.request }),
  )
  return a
}

const chat = { model: 'dev-model', messages: [{ role: 'user', content: 'hi' }] }
const json = (body: unknown, extra: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { host: 'api.acme.test', 'content-type': 'application/json', ...extra },
  body: typeof body === 'string' ? body : JSON.stringify(body),
})

async function send(path: string, init: RequestInit & { cf?: Record<string, unknown> }, env: Env = {}) {
  const { cf, ...rest } = init
  const req = new Request(`http://api.acme.test${path}`, rest)
  if (cf) Object.defineProperty(req, 'cf', { value: cf })
  const res = await app().fetch(req, env)
  const body = (await res.json()) as { error?: { code: string; param: string | null } }
  return { status: res.status, code: body.error?.code ?? null, param: body.error?.param ?? null, body, res }
}

describe('ingress: routing and tenants', () => {
  it('accepts a chat request for a known host', async () => {
    const r = await send('/v1/chat/completions', json(chat))
    expect(r.status).toBe(200)
    expect(r.body).toMatchObject({ tenant: 'acme', endpoint: 'chat', request: { model: 'dev-model', stream: false } })
  })

  it.each([
    {
      what: 'unknown host',
      path: '/v1/chat/completions',
      init: json(chat, { host: 'evil.test' }),
      status: 404,
      code: 'ingress.unknown_host',
    },
    { what: 'unknown path', path: '/v1/files', init: json(chat), status: 404, code: 'ingress.not_found' },
    { what: 'encoded slash', path: '/v1/chat%2Fcompletions', init: json(chat), status: 404, code: 'ingress.not_found' },
    {
      what: 'dot segments resolve before routing',
      path: '/v1/chat/../completions',
      init: json(chat),
      status: 400,
      code: 'ingress.invalid_request',
    },
    { what: 'double slash', path: '//v1/chat/completions', init: json(chat), status: 404, code: 'ingress.not_found' },
    {
      what: 'GET on a POST endpoint',
      path: '/v1/chat/completions',
      init: { method: 'GET', headers: { host: 'api.acme.test' } },
      status: 405,
      code: 'ingress.method_not_allowed',
    },
    {
      what: 'POST on GET endpoint',
      path: '/v1/models',
      init: json({}),
      status: 405,
      code: 'ingress.method_not_allowed',
    },
    {
      what: 'endpoint disabled for tenant',
      path: '/v1/chat/completions',
      init: json(chat, { host: 'embed.test' }),
      status: 404,
      code: 'ingress.not_found',
    },
  ])('$what → $status $code', async ({ path, init, status, code }) => {
    const r = await send(path, init)
    expect({ status: r.status, code: r.code }).toEqual({ status, code })
  })

  it('405 names the allowed method', async () => {
    const r = await send('/v1/chat/completions', { method: 'PUT', headers: { host: 'api.acme.test' } })
    expect(r.res.headers.get('allow')).toBe('POST')
  })

  it('a pinned TENANT ignores the Host header', async () => {
    const r = await send('/v1/chat/completions', json(chat, { host: 'anything.test' }), { TENANT: 'acme' })
    expect(r.status).toBe(200)
    const unknown = await send('/v1/chat/completions', json(chat), { TENANT: 'missing' })
    expect(unknown.code).toBe('ingress.unknown_host')
  })
})

describe('ingress: content type and body size', () => {
  it.each([
    { what: 'no content type', headers: { 'content-type': '' }, code: 'ingress.unsupported_media_type', status: 415 },
    {
      what: 'text/plain',
      headers: { 'content-type': 'text/plain' },
      code: 'ingress.unsupported_media_type',
      status: 415,
    },
    {
      what: 'latin-1 charset',
      headers: { 'content-type': 'application/json; charset=latin1' },
      code: 'ingress.unsupported_media_type',
      status: 415,
    },
    {
      what: 'declared length over the limit',
      headers: { 'content-length': '5000' },
      code: 'ingress.body_too_large',
      status: 413,
    },
    {
      what: 'non-numeric content-length',
      headers: { 'content-length': '12abc' },
      code: 'ingress.body_too_large',
      status: 413,
    },
  ])('$what → $status', async ({ headers, code, status }) => {
    const r = await send('/v1/chat/completions', json(chat, headers as unknown as Record<string, string>))
    expect({ status: r.status, code: r.code }).toEqual({ status, code })
  })

  it('accepts charset=utf-8 and mixed-case media types', async () => {
    const r = await send('/v1/chat/completions', json(chat, { 'content-type': 'Application/JSON; charset="UTF-8"' }))
    expect(r.status).toBe(200)
  })

  it('cuts off a 2 GB body without Content-Length at the limit, without buffering it', async () => {
    let pulled = 0
    const chunk = new Uint8Array(256).fill(0x20)
    const total = 2 * 1024 ** 3
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= total) return controller.close()
        pulled += chunk.byteLength
        controller.enqueue(chunk)
      },
    })
    const r = await send('/v1/chat/completions', {
      method: 'POST',
      headers: { host: 'api.acme.test', 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit)
    expect({ status: r.status, code: r.code }).toEqual({ status: 413, code: 'ingress.body_too_large' })
    expect(pulled).toBeLessThanOrEqual(1024 + 2 * chunk.byteLength)
  })
})

describe('ingress: JSON and request shape', () => {
  it.each([
    { what: 'not JSON', body: '{"model":', code: 'ingress.malformed_json', param: null },
    { what: 'empty body', body: '', code: 'ingress.malformed_json', param: null },
    {
      what: 'invalid UTF-8',
      body: new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
      code: 'ingress.malformed_json',
      param: null,
    },
    { what: 'array body', body: '[]', code: 'ingress.invalid_request', param: null },
    { what: 'missing model', body: { messages: chat.messages }, code: 'ingress.invalid_request', param: 'model' },
    { what: 'missing messages', body: { model: 'm' }, code: 'ingress.invalid_request', param: 'messages' },
    { what: 'empty messages', body: { model: 'm', messages: [] }, code: 'ingress.invalid_request', param: 'messages' },
    {
      what: 'bad role',
      body: { model: 'm', messages: [{ role: 'root', content: 'x' }] },
      code: 'ingress.invalid_request',
      param: 'messages[0].role',
    },
    {
      what: 'message not an object',
      body: { model: 'm', messages: ['hi'] },
      code: 'ingress.invalid_request',
      param: 'messages[0]',
    },
    {
      what: 'missing content',
      body: { model: 'm', messages: [{ role: 'user' }] },
      code: 'ingress.invalid_request',
      param: 'messages[0].content',
    },
    {
      what: 'bad part type',
      body: { model: 'm', messages: [{ role: 'user', content: [{ type: 'video' }] }] },
      code: 'ingress.invalid_request',
      param: 'messages[0].content[0].type',
    },
    {
      what: 'text part without text',
      body: { model: 'm', messages: [{ role: 'user', content: [{ type: 'text' }] }] },
      code: 'ingress.invalid_request',
      param: 'messages[0].content[0].text',
    },
    {
      what: 'tool without tool_call_id',
      body: { model: 'm', messages: [{ role: 'tool', content: 'x' }] },
      code: 'ingress.invalid_request',
      param: 'messages[0].tool_call_id',
    },
    {
      what: 'negative max_tokens',
      body: { ...chat, max_tokens: -1 },
      code: 'ingress.invalid_request',
      param: 'max_tokens',
    },
    {
      what: 'fractional max_completion_tokens',
      body: { ...chat, max_completion_tokens: 1.5 },
      code: 'ingress.invalid_request',
      param: 'max_completion_tokens',
    },
    { what: 'string stream', body: { ...chat, stream: 'yes' }, code: 'ingress.invalid_request', param: 'stream' },
    {
      what: 'bad include_usage',
      body: { ...chat, stream_options: { include_usage: 1 } },
      code: 'ingress.invalid_request',
      param: 'stream_options.include_usage',
    },
    {
      what: 'temperature out of range',
      body: { ...chat, temperature: 3 },
      code: 'ingress.invalid_request',
      param: 'temperature',
    },
    { what: 'n too large', body: { ...chat, n: 500 }, code: 'ingress.invalid_request', param: 'n' },
    {
      what: 'too many stop sequences',
      body: { ...chat, stop: ['a', 'b', 'c', 'd', 'e'] },
      code: 'ingress.invalid_request',
      param: 'stop',
    },
  ])('$what → 400 $code ($param)', async ({ body, code, param }) => {
    const init = json('')
    init.body =
      body instanceof Uint8Array ? (body as unknown as string) : typeof body === 'string' ? body : JSON.stringify(body)
    const r = await send('/v1/chat/completions', init)
    expect({ status: r.status, code: r.code, param: r.param }).toEqual({ status: 400, code, param })
  })

  it.each([
    { path: '/v1/completions', body: { model: 'm' }, param: 'prompt' },
    { path: '/v1/completions', body: { model: 'm', prompt: [1, 'a'] }, param: 'prompt' },
    { path: '/v1/embeddings', body: { model: 'm', input: [] }, param: 'input' },
    { path: '/v1/embeddings', body: { model: 'm', input: 'x', encoding_format: 'hex' }, param: 'encoding_format' },
  ])('$path rejects $param', async ({ path, body, param }) => {
    const r = await send(path, json(body))
    expect({ status: r.status, code: r.code, param: r.param }).toEqual({
      status: 400,
      code: 'ingress.invalid_request',
      param,
    })
  })

  it('passes unknown OpenAI fields through and records streaming flags', async () => {
    const r = await send(
      '/v1/chat/completions',
      json({ ...chat, stream: true, stream_options: { include_usage: true }, seed: 1, max_tokens: 9 }),
    )
    expect(r.body).toMatchObject({
      request: { stream: true, streamUsage: true, maxTokens: 9, maxTokensField: 'max_tokens' },
    })
  })
})

describe('ingress: network rules from request.cf', () => {
  it.each([
    { what: 'denied country', host: 'api.acme.test', cf: { country: 'KP' }, ip: null, code: 'ingress.geo_blocked' },
    { what: 'denied ASN', host: 'api.acme.test', cf: { asn: 64512 }, ip: null, code: 'ingress.ip_blocked' },
    { what: 'denied IPv4 range', host: 'api.acme.test', cf: {}, ip: '203.0.113.9', code: 'ingress.ip_blocked' },
    { what: 'denied IPv6 range', host: 'api.acme.test', cf: {}, ip: '2001:db8::1', code: 'ingress.ip_blocked' },
    {
      what: 'country outside the allowlist',
      host: 'geo.test',
      cf: { country: 'US' },
      ip: null,
      code: 'ingress.geo_blocked',
    },
    { what: 'unknown country with an allowlist', host: 'geo.test', cf: {}, ip: null, code: 'ingress.geo_blocked' },
  ])('$what → 403 $code', async ({ host, cf, ip, code }) => {
    const headers: Record<string, string> = { host }
    if (ip) headers['cf-connecting-ip'] = ip
    const r = await send('/v1/chat/completions', { ...json(chat, headers), cf })
    expect({ status: r.status, code: r.code }).toEqual({ status: 403, code })
  })

  it('allows a listed country', async () => {
    const r = await send('/v1/chat/completions', { ...json(chat, { host: 'geo.test' }), cf: { country: 'de' } })
    expect(r.status).toBe(200)
  })
})
