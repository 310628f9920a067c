// Test/bench worker for the limit stage in workerd: exports the Durable Object limiter and serves
//   POST /do      — the DO backend directly ({op, nowMs, checks | adjustments}), for the contract tests;
//   POST /pass    — a pass-through app (the same earlier-stage setup, no limit stage): the latency baseline;
//   POST /limit   — the same app with the limit stage; `x-backend: durable-object | upstash` picks the backend.
import { Hono } from 'hono'
import type { LimitAdjustment, LimitCheck } from '../../shared/limit/backend.ts'
import { RequestBody } from '../../shared/request/model.ts'
import type { AppEnv, Env } from '../../workers/gateway/env.ts'
import { renderError } from '../../workers/gateway/errors.ts'
import { createDurableObjectBackend } from '../../workers/gateway/limit/do-backend.ts'
import { limit } from '../../workers/gateway/limit/index.ts'
import { limitPolicy } from '../../workers/gateway/limit/testing.ts'

export { RateLimiterDurableObject } from '../../workers/gateway/limit/durable-object.ts'

const BIG = [{ limit: 1_000_000_000, windowSeconds: 60 }]
const policies = {
  'durable-object': limitPolicy({ backend: 'durable-object', requests: { subject: BIG, tenant: BIG, ip: BIG } }),
  upstash: limitPolicy({ backend: 'upstash', timeoutMs: 2_000, requests: { subject: BIG, tenant: BIG, ip: BIG } }),
  // one request per day per subject: every request after the first is refused (ephemeral-cache bench), however
  // long the bench runs on a loaded machine
  'upstash-block': limitPolicy({
    backend: 'upstash',
    timeoutMs: 2_000,
    requests: { subject: [{ limit: 1, windowSeconds: 86_400 }], tenant: [], ip: [] },
    tokens: { subject: [], tenant: [] },
  }),
}

function app(withLimit: boolean): Hono<AppEnv> {
  const a = new Hono<AppEnv>()
  a.onError(renderError)
  a.use(async function earlierStages(c, next) {
    const name = c.req.header('x-backend') ?? 'durable-object'
    const compiled = policies[name as keyof typeof policies] ?? policies['durable-object']
    const raw = new Uint8Array(await c.req.arrayBuffer())
    c.set('tenant', { compiled, policy: compiled.policy, upstreamUrl: 'http://127.0.0.1:1' })
    c.set('route', { endpoint: 'chat', method: 'POST', path: '/v1/chat/completions' })
    c.set('client', { ip: '192.0.2.1', country: null, asn: null, colo: null })
    c.set('caller', {
      sub: c.req.header('x-sub') ?? 'bench',
      issuer: 'https://idp.test',
      scopes: [],
      method: 'bearer',
      tokenId: null,
    })
    c.set('decisions', { shadowed: [], grant: { model: 'm', maxTokens: 256, clamped: false } })
    c.set('body', RequestBody.fromBytes(raw))
    await next()
  })
  if (withLimit) a.use(limit())
  a.all('*', (c) => c.json({ choices: [], usage: { prompt_tokens: 9, completion_tokens: 20, total_tokens: 29 } }))
  return a
}

const pass = app(false)
const limited = app(true)

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    const path = new URL(request.url).pathname
    if (path === '/pass') return pass.fetch(request, env, ctx)
    if (path === '/limit') return limited.fetch(request, env, ctx)
    if (path !== '/do' || env.LIMITER === undefined) return new Response(null, { status: 404 })
    const body = (await request.json()) as {
      op: string
      nowMs: number
      checks?: LimitCheck[]
      adjustments?: LimitAdjustment[]
    }
    const backend = createDurableObjectBackend({ namespace: env.LIMITER, now: () => body.nowMs })
    if (body.op === 'consume') return Response.json(await backend.consume(body.checks ?? []))
    await backend.adjust(body.adjustments ?? [])
    return Response.json({ ok: true })
  },
}
