// The cluster-side check of a context token, for a model server, an ext_authz service or the dev model tier:
// signature from the edge's published keys, typ, iss, aud, lifetime cap, then the binding to this exact
// request (method, path, RFC 9530 body digest), then single use of jti. Returns typed claims or a typed reason.
import { compactVerify, decodeProtectedHeader, errors } from 'jose'
import { TXN_TOKEN_TYP, type TxnTokenClaims, VERDICTS } from './claims.ts'
import { contentDigest, timingSafeEqualString } from './digest.ts'
import { createJwksCache, type JwksFetch } from './jwks-cache.ts'
import { TXN_ALGORITHMS, type TxnAlgorithm } from './keys.ts'
import { MAX_LIFETIME_SECONDS } from './policy-schema.ts'
import { memoryReplayStore, type ReplayStore } from './replay.ts'

export type VerifyFailureReason =
  | 'missing_token'
  | 'malformed'
  | 'wrong_typ'
  | 'unsupported_alg'
  | 'unknown_kid'
  | 'jwks_unavailable'
  | 'bad_signature'
  | 'malformed_claims'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'expired'
  | 'not_yet_valid'
  | 'lifetime_exceeded'
  | 'method_mismatch'
  | 'path_mismatch'
  | 'digest_mismatch'
  | 'replayed'
  | 'replay_check_failed'

export type VerifyResult =
  | { ok: true; claims: TxnTokenClaims; kid: string }
  | { ok: false; reason: VerifyFailureReason; status: 401 | 503 }

export interface TxnTokenVerifierOptions {
  /** Expected `iss`: the edge deployment (TXN_ISSUER). */
  readonly issuer: string
  /** Accepted `aud` value(s): this model tier's identity (the tenant's `upstream.audience`). */
  readonly audience: string | readonly string[]
  /** The edge's `/.well-known/jwks.json`; or pass `jwks` inline. */
  readonly jwksUri?: string | URL
  readonly jwks?: { readonly keys: readonly unknown[] }
  readonly algorithms?: readonly TxnAlgorithm[]
  /** Largest accepted `exp - iat` (s); default 300, the most any policy may configure. */
  readonly maxLifetimeSeconds?: number
  readonly clockToleranceSeconds?: number
  /** jti single use: an in-memory LRU by default; `redisReplayStore(...)` for a fleet; false to disable. */
  readonly replay?: ReplayStore | false
  readonly now?: () => number
  readonly fetch?: JwksFetch
  readonly jwksMaxAgeMs?: number
  readonly jwksCooldownMs?: number
}

export interface VerifyInput {
  /** The Txn-Token header value; null/undefined/'' when absent. */
  readonly token: string | null | undefined
  readonly method: string
  /** Request path as received, without query (a query string is ignored). */
  readonly path: string
  /** The exact body bytes received (empty for GET). */
  readonly body: Uint8Array | string | null
}

export interface TxnTokenVerifier {
  verify(input: VerifyInput): Promise<VerifyResult>
}

const decoder = new TextDecoder()

export function createTxnTokenVerifier(opts: TxnTokenVerifierOptions): TxnTokenVerifier {
  const audiences = typeof opts.audience === 'string' ? [opts.audience] : [...opts.audience]
  if (!opts.issuer) throw new TypeError('issuer is required')
  if (audiences.length === 0 || audiences.some((a) => !a)) throw new TypeError('audience is required')
  const algorithms = opts.algorithms ?? TXN_ALGORITHMS
  const maxLifetime = opts.maxLifetimeSeconds ?? MAX_LIFETIME_SECONDS
  const tolerance = opts.clockToleranceSeconds ?? 5
  const now = opts.now ?? Date.now
  const replay = opts.replay === undefined ? memoryReplayStore() : opts.replay
  const jwks = createJwksCache({
    ...(opts.jwksUri !== undefined ? { jwksUri: opts.jwksUri } : {}),
    ...(opts.jwks !== undefined ? { jwks: opts.jwks } : {}),
    ...(opts.fetch !== undefined ? { fetch: opts.fetch } : {}),
    ...(opts.jwksMaxAgeMs !== undefined ? { maxAgeMs: opts.jwksMaxAgeMs } : {}),
    ...(opts.jwksCooldownMs !== undefined ? { cooldownMs: opts.jwksCooldownMs } : {}),
    now,
  })
  const fail = (reason: VerifyFailureReason): VerifyResult => ({
    ok: false,
    reason,
    status: reason === 'jwks_unavailable' || reason === 'replay_check_failed' ? 503 : 401,
  })

  return {
    async verify(input) {
      const token = input.token?.trim()
      if (!token) return fail('missing_token')
      let header: ReturnType<typeof decodeProtectedHeader>
      try {
        header = decodeProtectedHeader(token)
      } catch {
        return fail('malformed')
      }
      // RFC 8725 §3.11: explicit typing; media types compare case-insensitively, with or without the
      // "application/" prefix (RFC 7515 §4.1.9).
      const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : ''
      if (typ !== TXN_TOKEN_TYP && typ !== `application/${TXN_TOKEN_TYP}`) return fail('wrong_typ')
      if (!algorithms.includes(header.alg as TxnAlgorithm)) return fail('unsupported_alg')
      if (typeof header.kid !== 'string') return fail('unknown_kid')
      const lookup = await jwks.key(header.kid, header.alg as TxnAlgorithm)
      if (!lookup.ok) return fail(lookup.reason)

      let payload: Uint8Array
      try {
        ;({ payload } = await compactVerify(token, lookup.key, { algorithms: [header.alg as string] }))
      } catch (err) {
        return fail(err instanceof errors.JWSSignatureVerificationFailed ? 'bad_signature' : 'malformed')
      }
      const claims = parseClaims(payload)
      if (!claims) return fail('malformed_claims')

      const nowSeconds = Math.floor(now() / 1000)
      if (claims.iss !== opts.issuer) return fail('wrong_issuer')
      if (!audiences.includes(claims.aud)) return fail('wrong_audience')
      if (claims.exp - claims.iat > maxLifetime || claims.exp <= claims.iat) return fail('lifetime_exceeded')
      if (nowSeconds >= claims.exp + tolerance) return fail('expired')
      if (claims.iat > nowSeconds + tolerance) return fail('not_yet_valid')

      if (claims.req.method !== input.method.toUpperCase()) return fail('method_mismatch')
      if (claims.req.path !== pathOnly(input.path)) return fail('path_mismatch')
      const digest = await contentDigest(input.body ?? new Uint8Array())
      if (!timingSafeEqualString(digest, claims.req.digest)) return fail('digest_mismatch')

      // Last, so a forged request with a stolen token cannot burn the legitimate request's jti.
      if (replay) {
        try {
          if (!(await replay.claim(claims.jti, claims.exp + tolerance, nowSeconds))) return fail('replayed')
        } catch {
          return fail('replay_check_failed')
        }
      }
      return { ok: true, claims, kid: header.kid }
    },
  }
}

function pathOnly(path: string): string {
  const q = path.search(/[?#]/)
  return q === -1 ? path : path.slice(0, q)
}

/** Parse the payload at the boundary: every claim the verifier or a consumer relies on must have its type. */
function parseClaims(payload: Uint8Array): TxnTokenClaims | null {
  let value: unknown
  try {
    value = JSON.parse(decoder.decode(payload))
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null) return null
  const c = value as Record<string, unknown>
  const req = c.req as Record<string, unknown> | undefined
  const ok =
    ['iss', 'aud', 'jti', 'txn', 'sub', 'scope', 'tenant'].every((k) => typeof c[k] === 'string') &&
    Number.isInteger(c.iat) &&
    Number.isInteger(c.exp) &&
    VERDICTS.includes(c.verdict as TxnTokenClaims['verdict']) &&
    typeof req === 'object' &&
    req !== null &&
    typeof req.method === 'string' &&
    typeof req.path === 'string' &&
    typeof req.digest === 'string' &&
    typeof c.rctx === 'object' &&
    c.rctx !== null &&
    typeof c.tctx === 'object' &&
    c.tctx !== null
  return ok ? (value as TxnTokenClaims) : null
}
