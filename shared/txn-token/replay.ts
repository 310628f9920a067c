// Single use of a context token's `jti` (draft-ietf-oauth-transaction-tokens §10: replay within the short
// lifetime). The in-memory LRU protects one process; the Redis adapter (`SET key 1 NX EX ttl`) protects a
// fleet. A store that errors makes the verifier refuse (fail closed), never accept.

export interface ReplayStore {
  /** Record `jti` until `expiresAtSeconds`; true when this is its first use, false when seen before. */
  claim(jti: string, expiresAtSeconds: number, nowSeconds: number): Promise<boolean>
}

export const REPLAY_LRU_MAX_ENTRIES = 100_000 // ≈ 10 MB; at 300 s lifetimes this covers ≈ 330 req/s per process

/** In-process LRU keyed by jti; expired entries are dropped first, then the oldest, so memory stays bounded. */
export function memoryReplayStore(opts: { maxEntries?: number } = {}): ReplayStore {
  const max = opts.maxEntries ?? REPLAY_LRU_MAX_ENTRIES
  if (!Number.isInteger(max) || max < 1) throw new TypeError('replay.maxEntries must be a positive integer')
  const seen = new Map<string, number>() // insertion order = expiry order for equal lifetimes
  return {
    async claim(jti, expiresAtSeconds, nowSeconds) {
      const prior = seen.get(jti)
      if (prior !== undefined && prior > nowSeconds) return false
      for (const [k, exp] of seen) {
        if (exp > nowSeconds && seen.size < max) break
        seen.delete(k)
      }
      seen.delete(jti)
      seen.set(jti, expiresAtSeconds)
      return true
    },
  }
}

/** The one command the adapter needs; `@upstash/redis`'s `Redis` and node-redis-style wrappers satisfy it. */
export interface RedisSetNxClient {
  set(key: string, value: string, opts: { nx: true; ex: number }): Promise<unknown>
}

export function redisReplayStore(client: RedisSetNxClient, opts: { prefix?: string } = {}): ReplayStore {
  const prefix = opts.prefix ?? 'portcullis:txn:jti:'
  return {
    async claim(jti, expiresAtSeconds, nowSeconds) {
      // EX must be ≥ 1; the key outlives the token by design so a token is never accepted twice.
      const ttl = Math.max(1, Math.ceil(expiresAtSeconds - nowSeconds))
      const reply = await client.set(prefix + jti, '1', { nx: true, ex: ttl })
      return reply === 'OK'
    },
  }
}
