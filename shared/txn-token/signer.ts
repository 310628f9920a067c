// Signs context tokens. Keys are imported once per isolate and cached by the secret's exact string, so a
// rotated secret takes effect on the next request and an unchanged one costs nothing; a missing or malformed
// secret is a typed failure the stage maps to `sign.key_unavailable` (never an unsigned forward).
import { CompactSign, compactVerify, importJWK } from 'jose'
import { TXN_TOKEN_TYP, type TxnTokenClaims } from './claims.ts'
import {
  type PublicTxnJwk,
  parsePrivateJwks,
  parsePublicJwks,
  publicOnly,
  publishedJwks,
  type TxnAlgorithm,
} from './keys.ts'

export interface TxnSigningKey {
  readonly kid: string
  readonly alg: TxnAlgorithm
  readonly key: CryptoKey
  readonly publicJwk: PublicTxnJwk
}

export type SignerFailure = { ok: false; reason: 'missing' | 'malformed'; detail: string }
export type SigningKeysResult = { ok: true; keys: readonly TxnSigningKey[] } | SignerFailure

const CACHE_LIMIT = 8 // distinct secret strings kept per isolate; only rotation ever creates a second one
const keyCache = new Map<string, Promise<SigningKeysResult>>()
const encoder = new TextEncoder()

/** Private keys from TXN_SIGNING_KEYS, imported as non-extractable CryptoKeys, in signing-preference order. */
export function loadSigningKeys(secret: string | undefined): Promise<SigningKeysResult> {
  const cacheKey = secret ?? ''
  const cached = keyCache.get(cacheKey)
  if (cached) return cached
  const loading = importSigningKeys(secret)
  if (keyCache.size >= CACHE_LIMIT) keyCache.delete(keyCache.keys().next().value as string)
  keyCache.set(cacheKey, loading)
  return loading
}

/** The key that signs for `alg`: the first configured key of that family. */
export function selectSigningKey(keys: readonly TxnSigningKey[], alg: TxnAlgorithm): TxnSigningKey | null {
  return keys.find((k) => k.alg === alg) ?? null
}

/** The JWKS to publish: every signing key's public half plus TXN_PUBLISHED_KEYS (next and retired keys). */
export async function loadPublishedJwks(
  signingSecret: string | undefined,
  publishedJson: string | undefined,
): Promise<{ ok: true; jwks: { keys: PublicTxnJwk[] } } | SignerFailure> {
  const signing = await loadSigningKeys(signingSecret)
  if (!signing.ok) return signing
  const extra = parsePublicJwks(publishedJson)
  if (!extra.ok) return extra
  return {
    ok: true,
    jwks: publishedJwks(
      signing.keys.map((k) => k.publicJwk),
      extra.keys,
    ),
  }
}

/** Compact JWS with `typ: txntoken+jwt` and `kid` (draft-ietf-oauth-transaction-tokens §4.1.1, RFC 7515 §7.1). */
export async function signContextToken(claims: TxnTokenClaims, key: TxnSigningKey): Promise<string> {
  return new CompactSign(encoder.encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: TXN_TOKEN_TYP })
    .sign(key.key)
}

async function importSigningKeys(secret: string | undefined): Promise<SigningKeysResult> {
  const parsed = parsePrivateJwks(secret)
  if (!parsed.ok) return parsed
  const keys: TxnSigningKey[] = []
  for (const jwk of parsed.keys) {
    try {
      const key = await importJWK({ ...jwk }, jwk.alg, { extractable: false })
      if (!(key instanceof CryptoKey) || key.type !== 'private') throw new TypeError('not a private key')
      await proveKeyPair(key, jwk)
      keys.push({ kid: jwk.kid, alg: jwk.alg, key, publicJwk: publicOnly(jwk) })
    } catch {
      // The detail names the kid only: the key material must never reach a log line.
      return { ok: false, reason: 'malformed', detail: `key ${jwk.kid}: import failed` }
    }
  }
  return { ok: true, keys }
}

/** A private key whose x/y do not belong to d would sign tokens nobody can verify: refuse it at load time. */
async function proveKeyPair(key: CryptoKey, jwk: PublicTxnJwk): Promise<void> {
  const probe = await new CompactSign(encoder.encode('probe')).setProtectedHeader({ alg: jwk.alg }).sign(key)
  await compactVerify(probe, await importJWK({ ...publicOnly(jwk) }, jwk.alg))
}
