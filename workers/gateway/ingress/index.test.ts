import { describe, expect, it } from 'vitest'
import { chat, json, send } from './testing.ts'

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
