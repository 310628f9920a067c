// JWK handling for the context token: which key families sign (ES256 on P-256, EdDSA on Ed25519), how a
// private JWK becomes its public half, and the published set. Strict on content, lenient on the container
// (an array, a single JWK, or a { keys } set) because secrets are pasted by hand.

export type TxnAlgorithm = 'ES256' | 'EdDSA'
export const TXN_ALGORITHMS: readonly TxnAlgorithm[] = ['ES256', 'EdDSA']

/** The public members a verifier needs, nothing else (RFC 7517 §4, RFC 7518 §6.2.1, RFC 8037 §2). */
export interface PublicTxnJwk {
  readonly kty: 'EC' | 'OKP'
  readonly crv: 'P-256' | 'Ed25519'
  readonly x: string
  readonly y?: string
  readonly kid: string
  readonly alg: TxnAlgorithm
  readonly use: 'sig'
}

export interface PrivateTxnJwk extends PublicTxnJwk {
  readonly d: string
}

export type KeysResult<T> = { ok: true; keys: T[] } | { ok: false; reason: 'missing' | 'malformed'; detail: string }

type JsonRecord = Record<string, unknown>
const B64URL = /^[A-Za-z0-9_-]+$/

/** The algorithm a JWK's kty/crv implies, or null for key types the context token does not use. */
export function algorithmOfJwk(jwk: JsonRecord): TxnAlgorithm | null {
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256'
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA'
  return null
}

/** Parse a secret holding private signing JWKs, in signing-preference order (`use: sig` first). */
export function parsePrivateJwks(secret: string | undefined): KeysResult<PrivateTxnJwk> {
  const parsed = parseContainer(secret)
  if (!parsed.ok) return parsed
  const keys: PrivateTxnJwk[] = []
  for (const [i, raw] of parsed.keys.entries()) {
    const pub = toPublic(raw)
    if (typeof pub === 'string') return malformed(`key ${i}: ${pub}`)
    if (typeof raw.d !== 'string' || !B64URL.test(raw.d)) return malformed(`key ${i}: missing private member d`)
    keys.push({ ...pub, d: raw.d })
  }
  // First key with use "sig" signs; keys marked otherwise (e.g. "enc") would never be chosen by accident.
  const preferred = parsed.keys.map((k, i) => ({ k: keys[i]!, sig: k.use === 'sig' })).sort((a, b) => +b.sig - +a.sig)
  return { ok: true, keys: preferred.map((p) => p.k) }
}

/** Parse a JSON set of public JWKs (TXN_PUBLISHED_KEYS); private members are dropped, never published. */
export function parsePublicJwks(json: string | undefined): KeysResult<PublicTxnJwk> {
  if (json === undefined || json.trim() === '') return { ok: true, keys: [] }
  const parsed = parseContainer(json)
  if (!parsed.ok) return parsed.reason === 'missing' ? { ok: true, keys: [] } : parsed
  const keys: PublicTxnJwk[] = []
  for (const [i, raw] of parsed.keys.entries()) {
    const pub = toPublic(raw)
    if (typeof pub === 'string') return malformed(`key ${i}: ${pub}`)
    keys.push(pub)
  }
  return { ok: true, keys }
}

/** The JWKS served at /.well-known/jwks.json: signing keys' public halves, then next/retired keys, by unique kid. */
export function publishedJwks(
  signing: readonly PublicTxnJwk[],
  extra: readonly PublicTxnJwk[],
): { keys: PublicTxnJwk[] } {
  const seen = new Set<string>()
  const keys: PublicTxnJwk[] = []
  for (const k of [...signing, ...extra]) {
    if (seen.has(k.kid)) continue
    seen.add(k.kid)
    keys.push(publicOnly(k))
  }
  return { keys }
}

export function publicOnly(k: PublicTxnJwk): PublicTxnJwk {
  const base = { kty: k.kty, crv: k.crv, x: k.x, kid: k.kid, alg: k.alg, use: 'sig' as const }
  return k.y === undefined ? base : { ...base, y: k.y }
}

function toPublic(raw: JsonRecord): PublicTxnJwk | string {
  const alg = algorithmOfJwk(raw)
  if (alg === null) return 'unsupported kty/crv (use EC P-256 or OKP Ed25519)'
  if (raw.alg !== undefined && raw.alg !== alg) return `alg ${String(raw.alg)} does not match the key type`
  if (typeof raw.kid !== 'string' || raw.kid.length === 0 || raw.kid.length > 128) return 'missing kid'
  if (raw.use !== undefined && raw.use !== 'sig') return 'use must be "sig"'
  if (typeof raw.x !== 'string' || !B64URL.test(raw.x)) return 'missing x'
  if (alg === 'ES256' && (typeof raw.y !== 'string' || !B64URL.test(raw.y))) return 'missing y'
  const base = { kty: raw.kty as 'EC' | 'OKP', crv: raw.crv as 'P-256' | 'Ed25519', x: raw.x, kid: raw.kid, alg }
  return alg === 'ES256' ? { ...base, y: raw.y as string, use: 'sig' } : { ...base, use: 'sig' }
}

function parseContainer(secret: string | undefined): KeysResult<JsonRecord> {
  if (secret === undefined || secret.trim() === '')
    return { ok: false, reason: 'missing', detail: 'no keys configured' }
  let value: unknown
  try {
    value = JSON.parse(secret)
  } catch {
    return malformed('not JSON')
  }
  const list = Array.isArray(value) ? value : isRecord(value) && Array.isArray(value.keys) ? value.keys : [value]
  if (list.length === 0) return { ok: false, reason: 'missing', detail: 'empty key set' }
  if (!list.every(isRecord)) return malformed('every key must be a JSON object')
  return { ok: true, keys: list }
}

function isRecord(v: unknown): v is JsonRecord {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function malformed(detail: string): { ok: false; reason: 'malformed'; detail: string } {
  return { ok: false, reason: 'malformed', detail }
}
