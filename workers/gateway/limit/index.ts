// The limit stage: after authorization, before screening. Reserves one request on every request limit and
// (estimated prompt + clamped max_tokens) on every token budget, refuses with 429 when any is spent, and
// reconciles the token budgets against the real usage after the response. The limiter being down is decided
// by the policy's failMode alone: closed (default) refuses with limit.unavailable, open forwards unchecked.
import type { Context, MiddlewareHandler } from 'hono'
import {
  type LimiterBackend,
  LimiterUnavailableError,
  type LimitOutcome,
  type UnavailableReason,
  type WaitUntil,
  withTimeout,
} from '../../../shared/limit/backend.ts'
import { estimatePromptTokens } from '../../../shared/limit/estimate.ts'
import { formatRateLimitPolicy, rateLimitHeaders, retryAfterSeconds } from '../../../shared/limit/headers.ts'
import { createLeaseBook, type LeaseBook } from '../../../shared/limit/lease.ts'
import { type PlannedCheck, planChecks, refusalCode, toItems } from '../../../shared/limit/plan.ts'
import type { LimitPolicy } from '../../../shared/limit/policy-schema.ts'
import type { LimitItem } from '../../../shared/limit/types.ts'
import type { AppEnv, Env, JsonObject } from '../env.ts'
import { isShadowMode, refuseOrRecord } from '../shadow.ts'
import { backendFromEnv } from './backends.ts'
import { backgroundTask, finishResponse } from './reconcile.ts'

export { RateLimiterDurableObject } from './durable-object.ts'
export { ipShield } from './ip-shield.ts'

export interface LimitStageOptions {
  /** Which limiter serves a request; default: the policy's `backend` from the Worker bindings (backends.ts). */
  readonly backend?: (env: Env, policy: LimitPolicy) => LimiterBackend | null
  /** Clock for Retry-After and RateLimit `t` and for the quota leases (the DO backend has its own). */
  readonly now?: () => number
  /** This isolate's quota leases for a backend (shared/limit/lease.ts); default: one book per backend name,
   * held by this stage instance. Benches pass their own (per policy) to read the round-trip counts. */
  readonly leases?: (backend: LimiterBackend['name'], policy: LimitPolicy) => LeaseBook
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)

/** c.executionCtx throws outside a Worker (e.g. app.request() without a context): then background work just runs. */
function waitUntilOf(c: Context<AppEnv>): WaitUntil {
  try {
    const ctx = c.executionCtx
    return { waitUntil: (p) => ctx.waitUntil(p) }
  } catch {
    return { waitUntil: (p) => void p.catch(() => {}) }
  }
}

/** Tokens to reserve: the estimated prompt plus, for generating endpoints, the granted cap per generated choice
 * (the largest of n and best_of, as validated by the request model). */
function reservationFor(c: Context<AppEnv>): { prompt: number; reserved: number } {
  const endpoint = c.get('route').endpoint
  const json = c.get('body')?.json ?? null
  const prompt = estimatePromptTokens(endpoint, json)
  const maxTokens = c.get('decisions').grant?.maxTokens ?? 0
  return { prompt, reserved: prompt + maxTokens * (c.get('request')?.choices ?? 1) }
}

/** Streams are asked for `stream_options.include_usage`; returns true when the client did not ask for it. */
function requestStreamUsage(c: Context<AppEnv>): boolean {
  const body = c.get('body')
  const json = body?.json
  if (json?.stream !== true || (c.get('route').endpoint !== 'chat' && c.get('route').endpoint !== 'completions'))
    return false
  const options = isObject(json.stream_options) ? json.stream_options : {}
  if (options.include_usage === true) return false
  body.patch('stream_usage', ['stream_options', 'include_usage'], true)
  return true
}

/** A token budget smaller than the reservation can never admit the request: say so, with the two numbers (the
 * budget is public already in RateLimit-Policy), so the client lowers max_tokens instead of retrying. */
function neverFits(refused: readonly LimitItem[], reserved: number): string | null {
  const budget = refused.find((i) => i.kind === 'tokens' && i.limit < reserved)
  if (budget === undefined) return null
  return `Token budget exceeded: this request needs an estimated ${reserved} tokens (prompt + max_tokens), but the ${budget.scope} budget is ${budget.limit} tokens per ${budget.windowSeconds} s, so it can never fit; lower max_tokens or shorten the prompt.`
}

export const limit = (opts: LimitStageOptions = {}): MiddlewareHandler<AppEnv> => {
  const now = opts.now ?? Date.now
  const selectBackend = opts.backend ?? backendFromEnv
  const books = new Map<LimiterBackend['name'], LeaseBook>()
  const leasesFor =
    opts.leases ??
    ((name: LimiterBackend['name']) => {
      const book = books.get(name) ?? createLeaseBook({ now })
      books.set(name, book)
      return book
    })
  return async function limit(c, next) {
    const policy = c.get('tenant').policy.limits
    const decisions = c.get('decisions')
    if (!policy.enabled) {
      decisions.limit = { checked: true, backend: 'none', items: [], reservedTokens: 0 }
      return next()
    }
    const ctx = waitUntilOf(c)
    const { prompt, reserved } = reservationFor(c)
    const checks = planChecks(
      policy,
      { tenantId: c.get('tenant').compiled.id, subject: c.get('caller').sub, ip: c.get('client').ip },
      reserved,
    )
    const store = selectBackend(c.env, policy)
    const backend = store && leasesFor(store.name, policy).limiter(store, policy.overAdmission)

    let outcomes: LimitOutcome[]
    try {
      if (backend === null) throw new LimiterUnavailableError('misconfigured')
      outcomes = await withTimeout(backend.consume(checks, ctx), policy.timeoutMs)
    } catch (error) {
      const reason: UnavailableReason = error instanceof LimiterUnavailableError ? error.reason : 'transport'
      if (policy.failMode === 'closed') refuseOrRecord(c, 'limit.unavailable')
      decisions.limit = {
        checked: false,
        backend: backend?.name ?? 'none',
        items: [],
        reservedTokens: 0,
        uncheckedReason: reason,
      }
      await next()
      c.res = new Response(c.res.body, c.res)
      c.res.headers.set('RateLimit-Policy', formatRateLimitPolicy(toItems(checks, [], now())))
      return
    }

    const items = toItems(checks, outcomes, now())
    const code = refusalCode(checks, outcomes)
    if (code !== null) {
      if (!isShadowMode(c)) {
        const admitted = checks.filter((_, i) => outcomes[i]?.allowed)
        const refund = admitted.map((k) => ({ ...k, delta: -k.cost }))
        if (refund.length > 0) backgroundTask(ctx, backend!.adjust(refund, ctx), 'compensation')
      }
      const refused = items.filter((_, i) => !outcomes[i]?.allowed)
      decisions.limit = {
        checked: true,
        backend: backend!.name,
        items,
        reservedTokens: reserved,
        refused: refused.map((i) => i.name),
      }
      // A request that can never fit gets the numbers and no retry hint (the openai SDK would retry three times).
      const never = code === 'limit.tokens' ? neverFits(refused, reserved) : null
      if (never !== null) refuseOrRecord(c, code, { 'x-should-retry': 'false', ...rateLimitHeaders(items) }, never)
      else refuseOrRecord(c, code, { 'Retry-After': String(retryAfterSeconds(refused)), ...rateLimitHeaders(items) })
    }

    decisions.limit = {
      ...decisions.limit, // a refusal recorded in shadow mode keeps its `refused` windows
      checked: true,
      backend: backend!.name,
      items,
      reservedTokens: reserved,
      estimatedPromptTokens: prompt,
    }
    const tokenChecks: PlannedCheck[] = checks.filter((k, i) => k.kind === 'tokens' && outcomes[i]?.allowed)
    const dropUsageChunk = tokenChecks.length > 0 && requestStreamUsage(c)
    await next()
    await finishResponse(c, { backend: backend!, tokenChecks, reserved, items, dropUsageChunk }, ctx)
  }
}
