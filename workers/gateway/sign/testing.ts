// A tiny app for the sign-stage tests: it sets the variables earlier stages would set, mounts the well-known
// routes and the sign stage, and answers with what forward would send (upstream headers + sealed bytes).
import { Hono } from 'hono'
import type { CompiledPolicy, PolicyInput } from '../../../shared/policy/schema.ts'
import { policySchema } from '../../../shared/policy/schema.ts'
import { RequestBody } from '../../../shared/request/model.ts'
import { TEST_AUDIENCE, TEST_NOW_MS } from '../../../shared/txn-token/testing.ts'
import { outboundBytes } from '../body.ts'
import type { AppEnv, AppVariables, Env } from '../env.ts'
import { renderError } from '../errors.ts'
import { sign } from './index.ts'
import { txnWellKnown } from './well-known.ts'

export const TEST_BODY = '{"model":"m","messages":[{"role":"user","content":"mail me at a@b.example"}]}'

export function testPolicy(over: Partial<PolicyInput> = {}): CompiledPolicy {
  const policy = policySchema.parse({
    tenant: 'acme',
    version: 3,
    hosts: ['acme.test'],
    upstream: { url: 'http://127.0.0.1:1', audience: TEST_AUDIENCE },
    auth: { issuers: [{ issuer: 'https://idp.test', audience: 'portcullis', jwks: { keys: [{ kty: 'EC' }] } }] },
    scopes: { chat: { endpoints: ['chat'], models: ['*'] } },
    ...over,
  })
  return { id: policy.tenant, version: policy.version, sha256: 'c'.repeat(64), source: 'test', policy }
}

export interface TestRequest {
  readonly compiled?: CompiledPolicy
  readonly method?: 'GET' | 'POST'
  readonly path?: string
  /** Replace the first message's content as the screen stage's redaction would. */
  readonly redactedContent?: string
  readonly decisions?: Partial<AppVariables['decisions']>
  readonly ip?: string | null
}

export function signApp(req: TestRequest = {}, now = () => TEST_NOW_MS): Hono<AppEnv> {
  const compiled = req.compiled ?? testPolicy()
  const app = new Hono<AppEnv>()
  app.onError(renderError)
  app.route('/', txnWellKnown())
  app.use(async function earlierStages(c, next) {
    const text = req.method === 'GET' ? '' : TEST_BODY
    const body: AppVariables['body'] = new RequestBody(new TextEncoder().encode(text), text, JSON.parse(TEST_BODY))
    if (req.redactedContent) body.patch('redaction', ['messages', 0, 'content'], req.redactedContent)
    c.set('requestId', 'req-abc')
    c.set('traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')
    c.set('tenant', { compiled, policy: compiled.policy, upstreamUrl: 'http://127.0.0.1:1' })
    c.set('route', { endpoint: 'chat', method: req.method ?? 'POST', path: req.path ?? '/v1/chat/completions' })
    c.set('client', { ip: req.ip === undefined ? '192.0.2.7' : req.ip, country: 'DE', asn: 3320, colo: 'FRA' })
    c.set('caller', { sub: 'user-42', issuer: 'https://idp.test', scopes: ['chat'], method: 'bearer', tokenId: 'x' })
    c.set('decisions', { shadowed: [], ...req.decisions })
    c.set('upstreamHeaders', {})
    c.set('body', body)
    await next()
  })
  app.use(sign({ now }))
  app.all('*', (c) => {
    const bytes = c.var.route.method === 'POST' ? outboundBytes(c.var.body) : new Uint8Array()
    return c.json({ headers: c.var.upstreamHeaders, body: new TextDecoder().decode(bytes) })
  })
  return app
}

/** Call the tiny app with Worker bindings. */
export async function callSign(
  app: Hono<AppEnv>,
  env: Partial<Env>,
  path = '/v1/chat/completions',
): Promise<{ status: number; json: { headers: Record<string, string>; body: string } & Record<string, unknown> }> {
  const res = await app.request(`https://gw.test${path}`, { method: 'POST' }, env as Env)
  return { status: res.status, json: (await res.json()) as never }
}
