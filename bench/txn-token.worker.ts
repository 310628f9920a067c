// Benchmark worker (runs in workerd via Miniflare): times context-token signing and the whole sign stage inside
// the isolate, in batches, because workerd's clock is coarse. Numbers are returned as JSON, never asserted.
import { Hono } from 'hono'
import { RequestBody } from '../shared/request/model.ts'
import { buildContextClaims } from '../shared/txn-token/claims.ts'
import { contentDigest } from '../shared/txn-token/digest.ts'
import { loadSigningKeys, selectSigningKey, signContextToken } from '../shared/txn-token/signer.ts'
import { claimsInput } from '../shared/txn-token/testing.ts'
import type { AppEnv, Env } from '../workers/gateway/env.ts'
import { sign } from '../workers/gateway/sign/index.ts'
import { TEST_BODY, testPolicy } from '../workers/gateway/sign/testing.ts'

const BATCH = 200 // operations per timed batch: ≥ 10 ms per batch at ~50 µs each, so a 1 ms clock is good enough
const BATCHES = 25

function tinyApp(withSign: boolean): Hono<AppEnv> {
  const compiled = testPolicy()
  const app = new Hono<AppEnv>()
  app.use(async function earlierStages(c, next) {
    const raw = new TextEncoder().encode(TEST_BODY)
    c.set('requestId', crypto.randomUUID())
    c.set('traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')
    c.set('tenant', { compiled, policy: compiled.policy, upstreamUrl: 'http://127.0.0.1:1' })
    c.set('route', { endpoint: 'chat', method: 'POST', path: '/v1/chat/completions' })
    c.set('client', { ip: '192.0.2.7', country: 'DE', asn: 3320, colo: 'FRA' })
    c.set('caller', { sub: 'user-42', issuer: 'https://idp.test', scopes: ['chat'], method: 'bearer', tokenId: null })
    c.set('decisions', { shadowed: [] })
    c.set('upstreamHeaders', {})
    c.set('body', RequestBody.fromBytes(raw))
    await next()
  })
  if (withSign) app.use(sign())
  app.all('*', (c) => c.text(String(Object.keys(c.var.upstreamHeaders).length)))
  return app
}

async function perOpMicros(op: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 50; i++) await op() // warm-up: key import, JIT
  const out: number[] = []
  for (let b = 0; b < BATCHES; b++) {
    const start = performance.now()
    for (let i = 0; i < BATCH; i++) await op()
    out.push(((performance.now() - start) * 1000) / BATCH)
  }
  return out
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN

export default {
  async fetch(_req: Request, env: Env): Promise<Response> {
    const keys = await loadSigningKeys(env.TXN_SIGNING_KEYS)
    if (!keys.ok) return new Response(keys.detail, { status: 500 })
    const es = selectSigningKey(keys.keys, 'ES256')!
    const ed = selectSigningKey(keys.keys, 'EdDSA')
    const digest = await contentDigest(TEST_BODY)
    const claims = buildContextClaims(
      claimsInput({ request: { method: 'POST', path: '/v1/chat/completions', digest } }),
    )
    const on = tinyApp(true)
    const off = tinyApp(false)
    const call = (app: Hono<AppEnv>) => async () =>
      app.request('https://gw.test/v1/chat/completions', { method: 'POST', body: TEST_BODY }, env)
    const stageOn = await perOpMicros(call(on))
    const stageOff = await perOpMicros(call(off))
    const result = {
      sign_p50_us: median(await perOpMicros(() => signContextToken(claims, es))),
      sign_eddsa_p50_us: ed ? median(await perOpMicros(() => signContextToken(claims, ed))) : Number.NaN,
      digest_1kb_p50_us: median(await perOpMicros(() => contentDigest(TEST_BODY.repeat(12)))),
      sign_stage_added_us: median(stageOn) - median(stageOff),
      sign_stage_p50_us: median(stageOn),
    }
    return Response.json(result)
  },
}
