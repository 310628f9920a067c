// The global backend: @upstash/ratelimit's sliding window over Upstash Redis (REST). Blocked keys are answered
// from the isolate's ephemeral cache without a round trip. The library fails OPEN on its own timeout and THROWS on
// transport errors; both become LimiterUnavailableError here so only the policy's failMode decides.
// Weighted checks (token budgets) run a strict script over the library's key layout instead: the library's
// script counts a refused overshoot (INCRBY first, then reports failure), which would burn budget on refusals.
import { Ratelimit } from '@upstash/ratelimit'
import { Redis } from '@upstash/redis/cloudflare'
import {
  type LimitAdjustment,
  type LimitCheck,
  type LimiterBackend,
  LimiterUnavailableError,
  type LimitOutcome,
  type WaitUntil,
  withTimeout,
} from './backend.ts'

/** Key prefix in Redis; charges after the fact write the library's key layout directly (see chargeKey). */
const PREFIX = 'portcullis'
/** Shared by every backend in this isolate unless a test passes its own: blocked identifier -> reset (epoch ms). */
const ISOLATE_BLOCK_CACHE = new Map<string, number>()

export interface UpstashBackendOptions {
  readonly url: string
  readonly token: string
  /** The library's own timeout: on expiry it answers success with reason "timeout", which we treat as unavailable. */
  readonly timeoutMs: number
  /** Ephemeral cache of blocked identifiers; `false` disables it. Default: one Map per isolate. */
  readonly ephemeralCache?: Map<string, number> | false
  /** For tests: the fetch the REST client uses. */
  readonly fetch?: typeof fetch
}

/** @upstash/ratelimit 2.2 sliding window stores `${prefix}:${identifier}:${floor(now / window)}`. */
function windowKey(key: string, index: number): string {
  return `${PREFIX}:${key}:${index}`
}

/**
 * Same arithmetic as the library's slidingWindow script and shared/limit/window.ts (consumeWindow), but refuses
 * without counting, and counts lease units (ARGV[5]) as far as they fit under the ceiling (ARGV[6]).
 * Returns {remaining, granted}; remaining -1 means refused.
 */
const WEIGHTED_SCRIPT = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
local limit = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local extra = tonumber(ARGV[5])
local ceiling = math.max(limit, tonumber(ARGV[6]))
local used = math.floor((1 - (now % window) / window) * previous) + current
if cost > 0 and used + cost > limit then return {-1, 0} end
local granted = math.max(0, math.min(extra, ceiling - used - cost))
local value = redis.call('INCRBY', KEYS[1], cost + granted)
if value == cost + granted then redis.call('PEXPIRE', KEYS[1], window * 2 + 1000) end
return {math.max(0, limit - (used + cost + granted)), granted}
`

export function createUpstashBackend(options: UpstashBackendOptions): LimiterBackend {
  const redis = new Redis({
    url: options.url,
    token: options.token,
    retry: false, // a retry loop would blow the stage's latency budget; failMode handles outages
    enableTelemetry: false,
  })
  const cache = options.ephemeralCache === false ? undefined : (options.ephemeralCache ?? ISOLATE_BLOCK_CACHE)
  const limiters = new Map<string, Ratelimit>()
  const weighted = redis.createScript<[number, number]>(WEIGHTED_SCRIPT)

  const limiterFor = (limit: number, windowSeconds: number): Ratelimit => {
    const id = `${limit}/${windowSeconds}`
    let limiter = limiters.get(id)
    if (limiter === undefined) {
      limiter = new Ratelimit({
        redis,
        prefix: PREFIX,
        limiter: Ratelimit.slidingWindow(limit, `${windowSeconds} s`),
        timeout: options.timeoutMs,
        analytics: false,
        ephemeralCache: cache ?? false,
      })
      limiters.set(id, limiter)
    }
    return limiter
  }

  async function call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run()
    } catch (cause) {
      if (cause instanceof LimiterUnavailableError) throw cause
      throw new LimiterUnavailableError('transport', { cause })
    }
  }

  async function consumeWeighted(check: LimitCheck): Promise<LimitOutcome> {
    const now = Date.now()
    const windowMs = check.windowSeconds * 1000
    const index = Math.floor(now / windowMs)
    const keys = [windowKey(check.key, index), windowKey(check.key, index - 1)]
    const extra = Math.max(0, Math.floor(check.extra ?? 0))
    const args = [check.limit, now, windowMs, check.cost, extra, check.ceiling ?? check.limit].map(String)
    const [remaining, granted] = await call(() => withTimeout(weighted.exec(keys, args), options.timeoutMs))
    const resetAtMs = (index + 1) * windowMs
    return { allowed: remaining >= 0, limit: check.limit, remaining: Math.max(0, remaining), resetAtMs, granted }
  }

  return {
    name: 'upstash',
    async consume(checks: readonly LimitCheck[], ctx?: WaitUntil): Promise<LimitOutcome[]> {
      return Promise.all(
        checks.map(async (check) => {
          if (check.cost !== 1 || (check.extra ?? 0) > 0) return consumeWeighted(check)
          const res = await call(() =>
            limiterFor(check.limit, check.windowSeconds).limit(check.key, { rate: check.cost }),
          )
          ctx?.waitUntil(res.pending)
          if (res.reason === 'timeout') throw new LimiterUnavailableError('timeout')
          return {
            allowed: res.success,
            limit: check.limit,
            remaining: res.success ? res.remaining : 0,
            resetAtMs: res.reset,
            ...(res.reason === 'cacheBlock' ? { cached: true } : {}),
          }
        }),
      )
    },
    async adjust(adjustments: readonly LimitAdjustment[]): Promise<void> {
      await Promise.all(
        adjustments.map(async (a) => {
          if (a.delta === 0) return
          // Refunds and charges are unconditional, which the library's script is not (it refuses over the limit
          // and reports a refund as a failure); a refund also lifts the key from the ephemeral cache.
          if (a.delta < 0) cache?.delete(`${PREFIX}:${a.key}`)
          const windowMs = a.windowSeconds * 1000
          const key = windowKey(a.key, Math.floor(Date.now() / windowMs))
          await call(async () => {
            const tx = redis.multi()
            tx.incrby(key, a.delta)
            tx.pexpire(key, windowMs * 2 + 1000)
            await tx.exec()
          })
        }),
      )
    },
  }
}
