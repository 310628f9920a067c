// Header hygiene through the real trace → sign → forward stages: a client sends every header it could use to
// forge context downstream, and the upstream (a real loopback server) must see none of them as written —
// dropped, or overwritten by the edge (Txn-Token, Content-Digest, x-request-id, fairness id, authorization).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Hono } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RequestBody } from '../../shared/request/model.ts'
import { keySecret, TEST_ISSUER, TEST_KEYS } from '../../shared/txn-token/testing.ts'
import type { AppEnv, Env } from '../../workers/gateway/env.ts'
import { renderError } from '../../workers/gateway/errors.ts'
import { forward } from '../../workers/gateway/forward/index.ts'
import { sign } from '../../workers/gateway/sign/index.ts'
import { testPolicy } from '../../workers/gateway/sign/testing.ts'
import { trace } from '../../workers/gateway/trace/index.ts'

/** Every name a client could use to forge identity, routing, tracing or edge decisions downstream. */
const FORGEABLE_HEADERS = [
  'txn-token',
  'content-digest',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-forwarded-port',
  'x-forwarded-prefix',
  'x-real-ip',
  'true-client-ip',
  'cf-connecting-ip',
  'cf-connecting-ipv6',
  'cf-ipcountry',
  'cf-ray',
  'cf-worker',
  'cf-access-jwt-assertion',
  'cf-access-authenticated-user-email',
  'x-envoy-original-path',
  'x-envoy-external-address',
  'x-envoy-peer-metadata',
  'x-envoy-decorator-operation',
  'x-request-id',
  'x-b3-traceid',
  'x-b3-spanid',
  'x-b3-parentspanid',
  'x-b3-sampled',
  'b3',
  'baggage',
  'tracestate',
  'x-forwarded-client-cert',
  'x-gateway-model-name',
  'x-gateway-destination-endpoint',
  'x-gateway-inference-fairness-id',
  'x-gateway-inference-objective',
  'x-llm-d-routing',
  'x-llm-d-inference-scheduler',
  'keep-alive',
  'proxy-authorization',
  'te',
  'trailer',
  'via',
  'cookie',
  'authorization',
  'x-original-url',
  'x-http-method-override',
  'x-portcullis-tenant',
] as const

let upstream: Server
let upstreamUrl: string
let received: IncomingHttpHeaders | null = null

beforeAll(async () => {
  upstream = createServer((req, res) => {
    received = req.headers
    req.resume()
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'))
  })
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise((resolve) => upstream.close(resolve))
})

function gateway(): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.onError(renderError)
  app.use(trace({ log: () => {} }))
  app.use(async function stubbedIngressToScreen(c, next) {
    const raw = new Uint8Array(await c.req.arrayBuffer())
    const compiled = testPolicy({ upstream: { url: upstreamUrl, audience: 'tier', credentialSecret: 'UPSTREAM_KEY' } })
    c.set('tenant', { compiled, policy: compiled.policy, upstreamUrl })
    c.set('route', { endpoint: 'chat', method: 'POST', path: '/v1/chat/completions' })
    c.set('client', { ip: '203.0.113.9', country: 'FR', asn: 5410, colo: 'CDG' })
    c.set('caller', { sub: 'alice', issuer: 'https://idp.test', scopes: ['chat'], method: 'bearer', tokenId: null })
    c.set('body', RequestBody.fromBytes(raw))
    await next()
  })
  app.use(sign())
  app.all('*', forward())
  return app
}

describe('header hygiene (trace → sign → forward)', () => {
  it(`none of ${FORGEABLE_HEADERS.length} forgeable headers reaches the upstream as the client wrote it`, async () => {
    expect(FORGEABLE_HEADERS.length).toBeGreaterThanOrEqual(25)
    const forged = Object.fromEntries(FORGEABLE_HEADERS.map((name) => [name, `forged-${name}`]))
    const env = { TXN_SIGNING_KEYS: keySecret(TEST_KEYS.es256a), TXN_ISSUER: TEST_ISSUER, UPSTREAM_KEY: 'svc' }
    const res = await gateway().request(
      'https://gw.test/v1/chat/completions',
      {
        method: 'POST',
        headers: { ...forged, 'content-type': 'application/json' },
        body: '{"model":"m","messages":[]}',
      },
      env as unknown as Env,
    )
    expect(res.status).toBe(200)
    const got = received!
    const leaked = FORGEABLE_HEADERS.filter((name) => String(got[name] ?? '').includes(`forged-${name}`))
    expect(leaked).toEqual([])
    // Overwritten by the edge, not merely dropped:
    expect(got['txn-token']).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/)
    expect(got['content-digest']).toMatch(/^sha-256=:/)
    expect(got['x-request-id']).toMatch(/^[0-9a-f]{32}$/)
    expect(got['x-gateway-inference-fairness-id']).toBe('acme/alice')
    expect(got.authorization).toBe('Bearer svc')
  })
})
