// End to end with the official `openai` SDK: SDK → a gateway made of the real trace, sign and forward stages →
// a Node model tier guarded by the Node verifier middleware, which verifies the token against the gateway's
// published JWKS. A request that bypasses the gateway (no token, another body, a replay) is refused there.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Hono } from 'hono'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RequestBody } from '../../shared/request/model.ts'
import { withTxnToken } from '../../shared/txn-token/node.ts'
import { keySecret, TEST_AUDIENCE, TEST_ISSUER, TEST_KEYS } from '../../shared/txn-token/testing.ts'
import { createTxnTokenVerifier } from '../../shared/txn-token/verifier.ts'
import type { AppEnv, Env } from '../../workers/gateway/env.ts'
import { renderError } from '../../workers/gateway/errors.ts'
import { forward } from '../../workers/gateway/forward/index.ts'
import { sign } from '../../workers/gateway/sign/index.ts'
import { testPolicy } from '../../workers/gateway/sign/testing.ts'
import { txnWellKnown } from '../../workers/gateway/sign/well-known.ts'
import { trace } from '../../workers/gateway/trace/index.ts'

const ENV = { TXN_SIGNING_KEYS: keySecret(TEST_KEYS.es256a), TXN_ISSUER: TEST_ISSUER, IP_HASH_KEY: 'k' } as Env
let model: Server
let modelUrl: string
let gateway: Hono<AppEnv>
const seen: { token: string; body: Buffer }[] = []

beforeAll(async () => {
  gateway = new Hono<AppEnv>()
  gateway.onError(renderError)
  gateway.route('/', txnWellKnown())
  gateway.use(trace({ log: () => {} }))
  gateway.use(async function stubbedIngressToScreen(c, next) {
    const raw = new Uint8Array(await c.req.arrayBuffer())
    const compiled = testPolicy()
    const path = new URL(c.req.url).pathname
    c.set('tenant', { compiled, policy: compiled.policy, upstreamUrl: modelUrl })
    c.set('route', { endpoint: path.endsWith('embeddings') ? 'embeddings' : 'chat', method: c.req.method, path })
    c.set('client', { ip: '198.51.100.4', country: 'NL', asn: 1136, colo: 'AMS' })
    c.set('caller', { sub: 'sdk-user', issuer: 'https://idp.test', scopes: ['chat'], method: 'bearer', tokenId: null })
    c.set('body', RequestBody.fromBytes(raw))
    await next()
  })
  gateway.use(sign())
  gateway.all('*', forward())

  const verifier = createTxnTokenVerifier({
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
    jwksUri: `${TEST_ISSUER}/.well-known/jwks.json`,
    fetch: async (url) => gateway.request(url, {}, ENV), // the JWKS the gateway publishes
  })
  model = createServer(
    withTxnToken(verifier, (req, res, { claims, body }) => {
      seen.push({ token: String(req.headers['txn-token']), body })
      const reply = {
        id: 'chatcmpl-1',
        object: 'chat.completion',
        created: 0,
        model: 'dev',
        choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop', logprobs: null }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        edge: { tenant: claims.tenant, sub: claims.sub, verdict: claims.verdict, digest: claims.req.digest },
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply))
    }),
  )
  await new Promise<void>((resolve) => model.listen(0, '127.0.0.1', resolve))
  modelUrl = `http://127.0.0.1:${(model.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((resolve) => model.close(resolve))
})

describe('openai SDK → sign → model tier verifier', () => {
  it('the model tier receives and verifies a token bound to the body the SDK sent', async () => {
    const client = new OpenAI({
      apiKey: 'caller-token',
      baseURL: 'https://gw.test/v1',
      fetch: async (url, init) => gateway.request(String(url), init as RequestInit, ENV),
      maxRetries: 0,
    })
    const completion = await client.chat.completions.create({
      model: 'dev',
      messages: [{ role: 'user', content: 'hi' }],
    })
    expect(completion.choices[0]?.message.content).toBe('ok')
    expect((completion as unknown as { edge: Record<string, string> }).edge).toMatchObject({
      tenant: 'acme',
      sub: 'sdk-user',
      verdict: 'allow',
    })
    expect(seen).toHaveLength(1)
    expect(JSON.parse(seen[0]!.body.toString())).toMatchObject({ model: 'dev', messages: [{ content: 'hi' }] })
  })

  it('a request that bypasses the gateway is refused by the model tier', async () => {
    const post = (headers: Record<string, string>, body: string) =>
      fetch(`${modelUrl}/v1/chat/completions`, { method: 'POST', headers, body })
    const { token, body } = seen[0]!
    const cases: [string, Response, number, string][] = [
      ['no token', await post({}, body.toString()), 401, 'txn_token.missing_token'],
      [
        'token with another body',
        await post({ 'txn-token': token }, '{"model":"dev","messages":[]}'),
        401,
        'txn_token.digest_mismatch',
      ],
      ['replayed token and body', await post({ 'txn-token': token }, body.toString()), 401, 'txn_token.replayed'],
      [
        'forged token',
        await post({ 'txn-token': `${token.slice(0, -4)}AAAA` }, body.toString()),
        401,
        'txn_token.bad_signature',
      ],
    ]
    for (const [name, res, status, code] of cases) {
      expect(res.status, name).toBe(status)
      expect(await res.json(), name).toMatchObject({ error: { code, type: 'authentication_error' } })
    }
    expect(seen).toHaveLength(1)
  })
})
