// The embedded limiter: one Durable Object per partition (a subject, a tenant, an IP) holds that partition's
// sliding-window counters. A DO runs one event at a time, so each check is strongly consistent per key; the
// counters are written through to storage, and output gates hold the answer until the write is durable.
// Plain fetch-based class (no `cloudflare:workers` import) so Node tooling can import the gateway graph.
import type { LimitOutcome } from '../../../shared/limit/backend.ts'
import { adjustWindow, consumeWindow, isExpired, type WindowCounters } from '../../../shared/limit/window.ts'

export interface DoConsumeRequest {
  readonly op: 'consume'
  readonly nowMs: number
  readonly checks: readonly {
    key: string
    limit: number
    windowSeconds: number
    cost: number
    extra?: number
    ceiling?: number
  }[]
}
export interface DoAdjustRequest {
  readonly op: 'adjust'
  readonly nowMs: number
  readonly adjustments: readonly { key: string; windowSeconds: number; delta: number }[]
}
export type DoRequest = DoConsumeRequest | DoAdjustRequest

/** What is persisted per key: the counters plus their window, so the idle sweep knows when they expire. */
type StoredCounters = WindowCounters & { readonly windowMs: number }

/** Keys whose windows are all over are dropped when the partition goes idle this long after its longest window. */
const IDLE_SWEEP_MARGIN_MS = 60_000

function isDoRequest(value: unknown): value is DoRequest {
  if (typeof value !== 'object' || value === null) return false
  const v = value as { op?: unknown; nowMs?: unknown; checks?: unknown; adjustments?: unknown }
  if (typeof v.nowMs !== 'number') return false
  return (v.op === 'consume' && Array.isArray(v.checks)) || (v.op === 'adjust' && Array.isArray(v.adjustments))
}

export class RateLimiterDurableObject {
  readonly #storage: DurableObjectStorage
  readonly #counters = new Map<string, WindowCounters>()
  #maxWindowMs = 0
  #alarmAtMs = 0

  constructor(state: DurableObjectState, _env: unknown) {
    this.#storage = state.storage
  }

  async fetch(request: Request): Promise<Response> {
    if (request.method !== 'POST') return new Response(null, { status: 405 })
    const body: unknown = await request.json().catch(() => null)
    if (!isDoRequest(body)) return new Response(null, { status: 400 })
    const keys = body.op === 'consume' ? body.checks.map((c) => c.key) : body.adjustments.map((a) => a.key)
    await this.#load(keys)
    if (body.op === 'consume') return Response.json(this.#consume(body))
    this.#adjust(body)
    return Response.json({ ok: true })
  }

  async alarm(): Promise<void> {
    const now = Date.now()
    const expired: string[] = []
    for (const [key, counters] of await this.#storage.list<StoredCounters>()) {
      if (isExpired(counters, now, counters.windowMs)) expired.push(key)
    }
    for (const key of expired) this.#counters.delete(key)
    if (expired.length > 0) await this.#storage.delete(expired)
  }

  #consume(req: DoConsumeRequest): LimitOutcome[] {
    return req.checks.map((check) => {
      const windowMs = check.windowSeconds * 1000
      // Lease fields arrive as JSON: anything but a finite number means "no lease" (never a larger grant).
      const extra = Number.isFinite(check.extra) ? Math.max(0, check.extra ?? 0) : 0
      const ceiling = Number.isFinite(check.ceiling) ? (check.ceiling ?? check.limit) : check.limit
      const lease = { extra, ceiling }
      const outcome = consumeWindow(this.#counters.get(check.key), check.limit, windowMs, check.cost, req.nowMs, lease)
      this.#store(check.key, outcome.counters, windowMs)
      return {
        allowed: outcome.allowed,
        limit: check.limit,
        remaining: outcome.remaining,
        resetAtMs: outcome.resetAtMs,
        granted: outcome.granted,
      }
    })
  }

  #adjust(req: DoAdjustRequest): void {
    for (const a of req.adjustments) {
      const windowMs = a.windowSeconds * 1000
      this.#store(a.key, adjustWindow(this.#counters.get(a.key), windowMs, a.delta, req.nowMs), windowMs)
    }
  }

  async #load(keys: readonly string[]): Promise<void> {
    const missing = keys.filter((k) => !this.#counters.has(k))
    if (missing.length === 0) return
    const stored = await this.#storage.get<StoredCounters>(missing)
    for (const [key, { index, current, previous }] of stored) {
      if (!this.#counters.has(key)) this.#counters.set(key, { index, current, previous })
    }
  }

  #store(key: string, counters: WindowCounters, windowMs: number): void {
    this.#counters.set(key, counters)
    // Not awaited: the output gate holds the response until the write is durable (no lost update on eviction).
    void this.#storage.put(key, { ...counters, windowMs } satisfies StoredCounters)
    if (windowMs > this.#maxWindowMs) this.#maxWindowMs = windowMs
    const sweepAt = Date.now() + 2 * this.#maxWindowMs + IDLE_SWEEP_MARGIN_MS
    if (sweepAt > this.#alarmAtMs + IDLE_SWEEP_MARGIN_MS) {
      this.#alarmAtMs = sweepAt
      void this.#storage.setAlarm(sweepAt)
    }
  }
}
