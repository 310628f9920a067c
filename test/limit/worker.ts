// Test/bench worker for the limit stage in workerd: exports the Durable Object limiter and serves
//   POST /do      — the DO backend directly ({op, nowMs, checks | adjustments}), for the contract tests;
//   POST /pass    — a pass-through app (the same earlier-stage setup, no limit stage): the latency baseline;
//   POST /limit   — the same app with the limit stage; `x-backend: durable-object | upstash` picks the backend;
//                   `x-backend: durable-object-lease | upstash-lease` the same with quota leases and shards;
//   GET  /stats   — lease-book counters per backend (object round trips per request), then reset.
import { Hono } from 'hono'
import type { LimitAdjustment, LimitCheck } from '../../shared/limit/backend.ts'
import { createLeaseBook, type LeaseBook } from '../../shared/limit/lease.ts'
import { RequestBody } from '../../shared/request/model.ts'
import type { AppEnv, Env } from '../../workers/gateway/env.ts'
import { renderError } from '../../workers/gateway/errors.ts'
import { createDurableObjectBackend } from '../../workers/gateway/limit/do-backend.ts'
import { limit } from '../../workers/gateway/limit/index.ts'
import { limitPolicy } from '../../workers/gateway/limit/testing.ts'

export { RateLimiterDurableObject } from '../../workers/gateway/limit/durable-object.ts'

const BIG = [{ limit: 1_000_000_000, windowSeconds: 60 }]
const REQUESTS = { subject: BIG, tenant: BIG, ip: BIG }
const TOKENS = { subject: BIG, tenant: BIG } // shared by every variant's counters: must never refuse
const EXACT = { overAdmission: 0, tenantShards: 1 } // the limiter before leases: every check asks the object
const policies = {
  'durable-object': limitPolicy({ backend: 'durable-object', ...EXACT, requests: REQUESTS, tokens: TOKENS }),
  upstash: limitPolicy({ backend: 'upstash', ...EXACT, timeoutMs: 2_000, requests: REQUESTS, tokens: TOKENS }),
  'durable-object-lease': limitPolicy({ backend: 'durable-object', requests: REQUESTS, tokens: TOKENS }),
  'upstash-lease': limitPolicy({ backend: 'upstash', timeoutMs: 2_000, requests: REQUESTS, tokens: TOKENS }),
  // one request per day per subject: every request after the first is refused (ephemeral-cache bench), however
  // long the bench runs on a loaded machine
  'upstash-block': limitPolicy({
    backend: 'upstash',
    timeoutMs: 2_000,
    requests: { subject: [{ limit: 1, windowSeconds: 86_400 }], tenant: [], ip: [] },
    tokens: { subject: [], tenant: [] },
  }),
}

/** One lease book per variant, so each variant's round trips are counted apart. */
const books = new Map<string, LeaseBook>()
const variantOf = new Map<unknown, string>(Object.entries(policies).map(([name, p]) => [p.policy.limits, name]))
const bookFor = (policy: unknown): LeaseBook => {
  const name = variantOf.get(policy) ?? 'unknown'
  const book = books.get(name) ?? createLeaseBook()
  books.set(name, book)
  return book
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
  if (withLimit) a.use(limit({ leases: (_, policy) => bookFor(policy) }))
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
    if (path === '/stats') {
      const stats = Object.fromEntries([...books].map(([name, book]) => [name, { ...book.stats }]))
      for (const book of books.values()) Object.assign(book.stats, { requests: 0, syncRequests: 0, objectCalls: 0 })
      return Response.json(stats)
    }
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
