// The global backend: @upstash/ratelimit's sliding window over Upstash Redis (REST). Blocked keys are answered
// from the isolate's ephemeral cache without a round trip. The library fails OPEN on its own timeout and THROWS on
// transport errors; both become LimiterUnavailableError here so only the policy's failMode decides.
import { Ratelimit } from '@upstash/ratelimit'
import { Redis } from '@upstash/redis/cloudflare'
import {
  type LimitAdjustment,
  type LimitCheck,
  type LimiterBackend,
  LimiterUnavailableError,
  type LimitOutcome,
  type WaitUntil,
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
function chargeKey(key: string, windowMs: number, nowMs: number): string {
  return `${PREFIX}:${key}:${Math.floor(nowMs / windowMs)}`
}

export function createUpstashBackend(options: UpstashBackendOptions): LimiterBackend {
  const redis = new Redis({
    url: options.url,
    token: options.token,
    retry: false, // a retry loop would blow the stage's latency budget; failMode handles outages
    enableTelemetry: false,
  })
  const cache = options.ephemeralCache === false ? undefined : (options.ephemeralCache ?? ISOLATE_BLOCK_CACHE)
  const limiters = new Map<string, Ratelimit>()

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
      throw new LimiterUnavailableError('transport', { cause })
    }
  }

  return {
    name: 'upstash',
    async consume(checks: readonly LimitCheck[], ctx?: WaitUntil): Promise<LimitOutcome[]> {
      return Promise.all(
        checks.map(async (check) => {
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
    async adjust(adjustments: readonly LimitAdjustment[], ctx?: WaitUntil): Promise<void> {
      await Promise.all(
        adjustments.map(async (a) => {
          if (a.delta === 0) return
          if (a.delta < 0) {
            // A refund through the library also lifts the key from the ephemeral cache.
            const limiter = limiterFor(1, a.windowSeconds)
            const res = await call(() => limiter.limit(a.key, { rate: a.delta }))
            ctx?.waitUntil(res.pending)
            if (res.reason === 'timeout') throw new LimiterUnavailableError('timeout')
            return
          }
          // A charge must land even past the limit (the tokens were spent), which the library's script refuses.
          const windowMs = a.windowSeconds * 1000
          const key = chargeKey(a.key, windowMs, Date.now())
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
