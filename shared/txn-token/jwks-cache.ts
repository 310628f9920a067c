// The verifier's view of the edge's published keys: fetched with a timeout, cached for `maxAgeMs`, refetched
// on an unknown kid at most once per cooldown (so a forged kid cannot turn each request into a fetch), and a
// stale set is kept when a refresh fails. WebCrypto + fetch only, so it runs in Node ≥ 20 and in workerd.
import { importJWK } from 'jose'
import { type PublicTxnJwk, parsePublicJwks, type TxnAlgorithm } from './keys.ts'

export const JWKS_MAX_AGE_MS = 300_000 // refetch every 5 min; rotation publishes a key ≥ this long before use
export const JWKS_COOLDOWN_MS = 30_000 // refetch at most every 30 s on an unknown kid
export const JWKS_TIMEOUT_MS = 5_000 // a hung JWKS endpoint must not hang every request
const JWKS_RETRY_MS = 1_000 // with no set at all, retry a failed fetch at most once a second

/** Just what the cache calls; the global fetch fits, so does a Hono app's `request` or a Worker service binding. */
export type JwksFetch = (url: string, init: RequestInit) => Promise<Response>

export type KeyLookup = { ok: true; key: CryptoKey } | { ok: false; reason: 'unknown_kid' | 'jwks_unavailable' }

export interface JwksCacheOptions {
  readonly jwksUri?: string | URL
  readonly jwks?: { readonly keys: readonly unknown[] }
  readonly fetch?: JwksFetch
  readonly now: () => number
  readonly maxAgeMs?: number
  readonly cooldownMs?: number
  readonly timeoutMs?: number
}

export interface JwksCache {
  key(kid: string, alg: string): Promise<KeyLookup>
}

export function createJwksCache(opts: JwksCacheOptions): JwksCache {
  if ((opts.jwksUri === undefined) === (opts.jwks === undefined)) throw new TypeError('exactly one of jwksUri or jwks')
  const maxAge = opts.maxAgeMs ?? JWKS_MAX_AGE_MS
  const cooldown = opts.cooldownMs ?? JWKS_COOLDOWN_MS
  const timeout = opts.timeoutMs ?? JWKS_TIMEOUT_MS
  const doFetch: JwksFetch = opts.fetch ?? ((url, init) => fetch(url, init))
  let keys: Map<string, PublicTxnJwk> | null = null
  let fetchedAt = Number.NEGATIVE_INFINITY
  let pending: Promise<void> | null = null
  const imported = new Map<string, Promise<CryptoKey>>()

  if (opts.jwks) {
    const parsed = parsePublicJwks(JSON.stringify(opts.jwks))
    if (!parsed.ok) throw new TypeError(`jwks: ${parsed.detail}`)
    keys = new Map(parsed.keys.map((k) => [k.kid, k]))
  }

  async function refresh(): Promise<void> {
    if (!opts.jwksUri) return
    fetchedAt = opts.now()
    try {
      const res = await doFetch(String(opts.jwksUri), {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(timeout),
      })
      if (!res.ok) return
      const parsed = parsePublicJwks(await res.text())
      if (!parsed.ok) return // a broken set never replaces a good one
      keys = new Map(parsed.keys.map((k) => [k.kid, k]))
    } catch {
      // keep the previous (stale) set; `keys === null` reports jwks_unavailable
    }
  }

  function refreshOnce(): Promise<void> {
    pending ??= refresh().finally(() => {
      pending = null
    })
    return pending
  }

  return {
    async key(kid, alg) {
      const age = opts.now() - fetchedAt
      if (opts.jwksUri && (keys === null ? age >= JWKS_RETRY_MS : age >= maxAge)) await refreshOnce()
      let jwk = keys?.get(kid)
      if (!jwk && opts.jwksUri && keys !== null && opts.now() - fetchedAt >= cooldown) {
        await refreshOnce()
        jwk = keys?.get(kid)
      }
      if (keys === null) return { ok: false, reason: 'jwks_unavailable' }
      if (!jwk || jwk.alg !== (alg as TxnAlgorithm)) return { ok: false, reason: 'unknown_kid' }
      const cacheKey = `${jwk.kid}|${jwk.x}|${jwk.y ?? ''}`
      let key = imported.get(cacheKey)
      if (!key) {
        key = importJWK({ ...jwk }, jwk.alg).then((k) => {
          if (!(k instanceof CryptoKey)) throw new TypeError('not an asymmetric key')
          return k
        })
        imported.set(cacheKey, key)
      }
      return { ok: true, key: await key }
    },
  }
}
