// Issuer key sets. Remote sets are cached per isolate (module scope in the stage) for the IdP's Cache-Control
// max-age, clamped to [JWKS_MIN_AGE_MS, JWKS_MAX_AGE_MS], and refetched when stale or — at most once per
// cooldown — when a token names an unknown kid, so a flood of junk kids cannot hammer the IdP.
// A set containing private or symmetric key material is refused whole: it means the IdP is misconfigured, and
// trusting anything in it would be a guess. Fetch failures fail closed.
import { importJWK, type JWK } from 'jose'

export const JWKS_COOLDOWN_MS = 30_000 // refetch at most every 30 s on an unknown kid
// A removed key stops verifying new tokens once the cached set is older than the IdP's max-age, never later than
// this: 5 min bounds how long a key the IdP withdrew (compromise, rotation) is still trusted by an isolate.
export const JWKS_MAX_AGE_MS = 300_000
// An IdP sending no-cache, no-store or max-age=0 is still cached this long, so it cannot make every request a fetch.
export const JWKS_MIN_AGE_MS = 30_000
export const JWKS_TIMEOUT_MS = 5_000 // an IdP slower than this counts as down
export const JWKS_MAX_BYTES = 64 * 1024 // a real key set is a few KB
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const
const KID = /^[A-Za-z0-9._~:+=-]{1,128}$/

export type KeyResult =
  | { ok: true; key: CryptoKey | Uint8Array }
  | { ok: false; reason: 'unknown_key' | 'jwks_unavailable' | 'jwks_invalid' }

export interface KeySet {
  resolve(kid: string | undefined, alg: string): Promise<KeyResult>
}

export interface RemoteKeySetOptions {
  readonly fetch?: typeof fetch
  readonly now?: () => number
}

type ParsedSet = { ok: true; keys: JWK[] } | { ok: false }

/** How long a fetched set may be used: the response's max-age (RFC 9111 §5.2.2.1), within the bounds above. */
export function keySetMaxAgeMs(cacheControl: string | null): number {
  if (cacheControl === null) return JWKS_MAX_AGE_MS
  const directives = cacheControl
    .toLowerCase()
    .split(',')
    .map((d) => d.trim())
  if (directives.some((d) => d === 'no-cache' || d === 'no-store')) return JWKS_MIN_AGE_MS
  const maxAge = directives.find((d) => d.startsWith('max-age='))
  const seconds = maxAge === undefined ? Number.NaN : Number(maxAge.slice('max-age='.length))
  if (!Number.isFinite(seconds) || seconds < 0) return JWKS_MAX_AGE_MS
  return Math.min(JWKS_MAX_AGE_MS, Math.max(JWKS_MIN_AGE_MS, seconds * 1000))
}

/** Validates a JWKS document: an object with a non-empty `keys` array of public asymmetric keys. */
export function parseJwks(value: unknown): ParsedSet {
  if (typeof value !== 'object' || value === null || !Array.isArray((value as { keys?: unknown }).keys)) {
    return { ok: false }
  }
  const keys = (value as { keys: unknown[] }).keys
  if (keys.length === 0 || keys.length > 100) return { ok: false }
  for (const k of keys) {
    if (typeof k !== 'object' || k === null) return { ok: false }
    const jwk = k as Record<string, unknown>
    if (PRIVATE_MEMBERS.some((m) => m in jwk)) return { ok: false }
    if (jwk.kty !== 'EC' && jwk.kty !== 'RSA' && jwk.kty !== 'OKP') return { ok: false }
  }
  return { ok: true, keys: keys as JWK[] }
}

class KeyIndex {
  private readonly imported = new Map<string, Promise<CryptoKey | Uint8Array | null>>()
  constructor(readonly keys: readonly JWK[]) {}

  find(kid: string | undefined, alg: string): JWK | null {
    const usable = this.keys.filter(
      (k) => (k.use === undefined || k.use === 'sig') && (k.alg === undefined || k.alg === alg),
    )
    if (kid === undefined) return usable.length === 1 ? (usable[0] as JWK) : null
    return usable.find((k) => k.kid === kid) ?? null
  }

  async importKey(jwk: JWK, alg: string): Promise<CryptoKey | Uint8Array | null> {
    const cacheKey = `${jwk.kid ?? ''}\u0000${alg}`
    let p = this.imported.get(cacheKey)
    if (!p) {
      p = importJWK({ ...jwk, ext: true }, alg).catch(() => null)
      this.imported.set(cacheKey, p)
    }
    return p
  }

  async resolve(kid: string | undefined, alg: string): Promise<KeyResult | null> {
    const jwk = this.find(kid, alg)
    if (!jwk) return null
    const key = await this.importKey(jwk, alg)
    return key ? { ok: true, key } : { ok: false, reason: 'unknown_key' }
  }
}

export function validKid(kid: unknown): kid is string | undefined {
  return kid === undefined || (typeof kid === 'string' && KID.test(kid))
}

export function createLocalKeySet(jwks: unknown): KeySet {
  const parsed = parseJwks(jwks)
  const index = parsed.ok ? new KeyIndex(parsed.keys) : null
  return {
    async resolve(kid, alg) {
      if (!index) return { ok: false, reason: 'jwks_invalid' }
      return (await index.resolve(kid, alg)) ?? { ok: false, reason: 'unknown_key' }
    },
  }
}

export function createRemoteKeySet(url: string, opts: RemoteKeySetOptions = {}): KeySet {
  const doFetch = opts.fetch ?? ((input, init) => fetch(input, init))
  const now = opts.now ?? Date.now
  let index: KeyIndex | null = null
  let fetchedAt = Number.NEGATIVE_INFINITY
  let maxAgeMs = JWKS_MAX_AGE_MS
  let lastAttempt = Number.NEGATIVE_INFINITY
  let inflight: Promise<'ok' | 'jwks_unavailable' | 'jwks_invalid'> | null = null

  const refresh = () => {
    inflight ??= (async () => {
      lastAttempt = now()
      try {
        const res = await doFetch(url, {
          headers: { accept: 'application/json' },
          signal: AbortSignal.timeout(JWKS_TIMEOUT_MS),
          redirect: 'manual',
        })
        if (!res.ok) return 'jwks_unavailable' as const
        const text = await res.text()
        if (text.length > JWKS_MAX_BYTES) return 'jwks_invalid' as const
        const parsed = parseJwks(JSON.parse(text))
        if (!parsed.ok) return 'jwks_invalid' as const
        index = new KeyIndex(parsed.keys)
        fetchedAt = now()
        maxAgeMs = keySetMaxAgeMs(res.headers.get('cache-control'))
        return 'ok' as const
      } catch (err) {
        return err instanceof SyntaxError ? ('jwks_invalid' as const) : ('jwks_unavailable' as const)
      } finally {
        inflight = null
      }
    })()
    return inflight
  }

  return {
    async resolve(kid, alg) {
      if (!index || now() - fetchedAt > maxAgeMs) {
        const outcome = await refresh()
        if (outcome !== 'ok') return { ok: false, reason: outcome }
      }
      const hit = await (index as KeyIndex | null)?.resolve(kid, alg)
      if (hit) return hit
      if (now() - lastAttempt < JWKS_COOLDOWN_MS) return { ok: false, reason: 'unknown_key' }
      const outcome = await refresh()
      if (outcome !== 'ok') return { ok: false, reason: outcome }
      return (await (index as KeyIndex | null)?.resolve(kid, alg)) ?? { ok: false, reason: 'unknown_key' }
    },
  }
}
