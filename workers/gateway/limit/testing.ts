// A tiny app for the limit-stage tests: sets what earlier stages would set, mounts the limit stage, and a fake
// forward handler that answers with JSON usage, an SSE stream (whole, cut mid-way), or an upstream error.
import { Hono } from 'hono'
import type { LimiterBackend } from '../../../shared/limit/backend.ts'
import type { LimitPolicyInput } from '../../../shared/limit/policy-schema.ts'
import type { CompiledPolicy, Endpoint, PolicyInput } from '../../../shared/policy/schema.ts'
import { policySchema } from '../../../shared/policy/schema.ts'
import { NO_BODY_FACTS, parseRequestBody, RequestBody } from '../../../shared/request/model.ts'
import { outboundBytes } from '../body.ts'
import type { AppEnv, Decisions, Env } from '../env.ts'
import { renderError } from '../errors.ts'
import { type LimitStageOptions, limit } from './index.ts'

export const NOW_MS = 1_800_000_020_000 // fixed instant, 20 s into a minute: tests never read the real clock

export function limitPolicy(limits: LimitPolicyInput, over: Partial<PolicyInput> = {}): CompiledPolicy {
  const policy = policySchema.parse({
    tenant: 'acme',
    version: 1,
    hosts: ['acme.test'],
    upstream: { url: 'http://127.0.0.1:1', audience: 'model' },
    auth: { issuers: [{ issuer: 'https://idp.test', audience: 'portcullis', jwks: { keys: [{ kty: 'EC' }] } }] },
    scopes: { chat: { endpoints: ['chat'], models: ['*'] } },
    limits,
    ...over,
  })
  return { id: policy.tenant, version: policy.version, sha256: 'a'.repeat(64), source: 'test', policy }
}

export const USAGE = (total: number) => ({
  prompt_tokens: Math.min(total, 5),
  completion_tokens: Math.max(0, total - 5),
  total_tokens: total,
})
export const sseChunk = (text: string) =>
  `data: {"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"${text}"}}],"usage":null}\n\n`
export const sseUsage = (total: number) =>
  `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [], usage: USAGE(total) })}\n\n`

export type Upstream =
  | { kind: 'json'; total: number | null; status?: number }
  | { kind: 'sse'; total: number | null; cutAfter?: number }

export interface Harness {
  readonly app: Hono<AppEnv>
  /** What the stage recorded and what the fake upstream received, per request. */
  readonly seen: { decisions: Decisions; forwarded: Record<string, unknown> | null }[]
  readonly pending: Promise<unknown>[]
  call(init?: { body?: Record<string, unknown>; sub?: string; ip?: string | null }): Promise<Response>
  /** Waits for every waitUntil task (reconciliation, compensation). */
  settle(): Promise<void>
}

export interface HarnessOptions {
  readonly compiled: CompiledPolicy
  readonly backend: LimiterBackend | null
  readonly upstream?: Upstream
  readonly endpoint?: Endpoint
  readonly maxTokens?: number
  readonly stage?: LimitStageOptions
  readonly env?: Partial<Env>
}

function sseBody(upstream: Extract<Upstream, { kind: 'sse' }>): ReadableStream<Uint8Array> {
  const events = [
    sseChunk('Hel'),
    sseChunk('lo'),
    ...(upstream.total === null ? [] : [sseUsage(upstream.total)]),
    'data: [DONE]\n\n',
  ]
  const enc = new TextEncoder()
  let i = 0
  return new ReadableStream({
    pull(controller) {
      if (upstream.cutAfter !== undefined && i >= upstream.cutAfter) return controller.error(new Error('reset'))
      const event = events[i++]
      if (event === undefined) controller.close()
      else controller.enqueue(enc.encode(event))
    },
  })
}

export function limitHarness(opts: HarnessOptions): Harness {
  const app = new Hono<AppEnv>()
  const seen: Harness['seen'] = []
  const pending: Promise<unknown>[] = []
  let next: { body: Record<string, unknown>; sub: string; ip: string | null } | null = null
  app.onError(renderError)
  app.use(async function earlierStages(c, nxt) {
    const req = next!
    const raw = new TextEncoder().encode(JSON.stringify(req.body))
    c.set('tenant', { compiled: opts.compiled, policy: opts.compiled.policy, upstreamUrl: 'http://127.0.0.1:1' })
    c.set('route', { endpoint: opts.endpoint ?? 'chat', method: 'POST', path: '/v1/chat/completions' })
    c.set('client', { ip: req.ip, country: null, asn: null, colo: null })
    c.set('caller', { sub: req.sub, issuer: 'https://idp.test', scopes: ['chat'], method: 'bearer', tokenId: null })
    c.set('decisions', { shadowed: [], grant: { model: 'm', maxTokens: opts.maxTokens ?? 100, clamped: false } })
    const parsed = parseRequestBody(opts.endpoint ?? 'chat', raw)
    c.set('body', parsed.ok ? parsed.body : RequestBody.fromBytes(raw))
    c.set('request', parsed.ok ? parsed.facts : NO_BODY_FACTS)
    await nxt()
  })
  app.use(limit({ backend: () => opts.backend, now: () => NOW_MS, ...opts.stage }))
  app.all('*', (c) => {
    const forwarded = JSON.parse(new TextDecoder().decode(outboundBytes(c.var.body))) as Record<string, unknown>
    seen.push({ decisions: structuredClone(c.var.decisions), forwarded })
    const upstream = opts.upstream ?? { kind: 'json', total: 10 }
    if (upstream.kind === 'sse')
      return new Response(sseBody(upstream), { headers: { 'content-type': 'text/event-stream' } })
    const body =
      upstream.total === null ? { error: { message: 'boom' } } : { choices: [], usage: USAGE(upstream.total) }
    return c.json(body, (upstream.status ?? 200) as 200)
  })
  const ctx = { waitUntil: (p: Promise<unknown>) => void pending.push(p), passThroughOnException() {}, props: {} }
  return {
    app,
    seen,
    pending,
    async call(init = {}) {
      next = {
        body: init.body ?? { model: 'm', messages: [{ role: 'user', content: 'hello world' }] },
        sub: init.sub ?? 'alice',
        ip: init.ip === undefined ? '192.0.2.1' : init.ip,
      }
      const res = await app.request(
        'https://acme.test/v1/chat/completions',
        { method: 'POST' },
        (opts.env ?? {}) as Env,
        ctx as never,
      )
      if (res.status >= 400) seen.push({ decisions: { shadowed: [] }, forwarded: null })
      return res
    },
    async settle() {
      for (let done = 0; done < pending.length; ) {
        const batch = pending.slice(done)
        done = pending.length
        await Promise.all(batch)
      }
    },
  }
}
