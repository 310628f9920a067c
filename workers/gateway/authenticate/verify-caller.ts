// Caller-token verification: structural checks jose leaves to us (size, part count, header allowlist,
// duplicate JSON keys, issuer selection), then jose's jwtVerify with every option pinned. Returns a tagged
// result; only the middleware turns it into a refusal.
import { errors, jwtVerify } from 'jose'
import { parseJsonObject } from '../../../shared/json/strict-parse.ts'
import type { IssuerPolicy } from '../../../shared/policy/schema.ts'
import { type KeySet, validKid } from './jwks.ts'

// `sub` becomes a limiter key, a forwarded header (the fairness id) and a log field: an identifier, not text.
// OIDC Core §2 caps it at 255 ASCII characters; visible ASCII only, so no space, control character or NUL.
const SUBJECT = /^[\x21-\x7e]{1,255}$/

export const MAX_TOKEN_BYTES = 8 * 1024 // real access tokens are < 2 KB; anything larger is refused unparsed
// RFC 7515 §4.1: only these header parameters are accepted. jku/x5u/jwk/x5c would let the token pick its own key;
// crit/b64 change how the signature is computed.
const ALLOWED_HEADER = new Set(['alg', 'kid', 'typ'])
const B64URL = /^[A-Za-z0-9_-]+$/

export interface TrustedIssuer {
  readonly policy: IssuerPolicy
  /** `issuer` with `${VAR}` bound. */
  readonly issuer: string
  readonly keys: KeySet
}

export type CallerFailure =
  | 'malformed_token'
  | 'invalid_token'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'token_too_old'
  | 'invalid_claims'
  | 'untrusted_issuer'
  | 'unknown_key'
  | 'jwks_unavailable'
  | 'jwks_invalid'

export interface VerifiedCaller {
  readonly ok: true
  readonly sub: string
  readonly issuer: string
  readonly scopes: string[]
  readonly jti: string | null
  /** Time claims (seconds) kept so a cached verification can be re-checked against the clock. */
  readonly times: {
    readonly exp: number
    readonly iat: number | null
    readonly nbf: number | null
    readonly maxAge: number
  }
}

export type CallerResult = VerifiedCaller | { ok: false; reason: CallerFailure }

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

function decodePart(part: string): Record<string, unknown> | null {
  try {
    const b64 = part.replace(/-/g, '+').replace(/_/g, '/')
    const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4))
    const bytes = Uint8Array.from(bin, (ch) => ch.charCodeAt(0))
    return parseJsonObject(decoder.decode(bytes))
  } catch {
    return null
  }
}

function scopesOf(payload: Record<string, unknown>, claim: 'scope' | 'scp'): string[] {
  const v = payload[claim]
  if (typeof v === 'string') return v.split(' ').filter((s) => s.length > 0)
  if (Array.isArray(v)) return v.filter((s): s is string => typeof s === 'string')
  return []
}

function mapJoseError(err: unknown): CallerFailure {
  if (err instanceof errors.JWTExpired) return err.claim === 'iat' ? 'token_too_old' : 'token_expired'
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf' || err.claim === 'iat') return 'token_not_yet_valid'
    return 'invalid_claims'
  }
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JWSSignatureVerificationFailed) {
    return 'invalid_token'
  }
  return 'invalid_token'
}

export async function verifyCallerToken(
  token: string,
  issuers: readonly TrustedIssuer[],
  opts: { clockToleranceSeconds: number; now?: Date },
): Promise<CallerResult> {
  if (token.length > MAX_TOKEN_BYTES) return { ok: false, reason: 'malformed_token' }
  const parts = token.split('.')
  if (parts.length !== 3 || !parts.every((p) => B64URL.test(p))) return { ok: false, reason: 'malformed_token' }
  const header = decodePart(parts[0] as string)
  const payload = decodePart(parts[1] as string)
  if (!header || !payload) return { ok: false, reason: 'malformed_token' }
  if (Object.keys(header).some((k) => !ALLOWED_HEADER.has(k))) return { ok: false, reason: 'invalid_token' }
  if (typeof header.alg !== 'string' || !validKid(header.kid)) return { ok: false, reason: 'invalid_token' }

  const trusted = typeof payload.iss === 'string' ? issuers.find((i) => i.issuer === payload.iss) : undefined
  if (!trusted) return { ok: false, reason: 'untrusted_issuer' }
  const p = trusted.policy
  const alg = header.alg
  if (!(p.algorithms as readonly string[]).includes(alg)) return { ok: false, reason: 'invalid_token' }

  const key = await trusted.keys.resolve(header.kid as string | undefined, alg)
  if (!key.ok) return { ok: false, reason: key.reason }
  try {
    const { payload: claims } = await jwtVerify(token, key.key, {
      algorithms: [alg],
      issuer: trusted.issuer,
      audience: p.audience,
      requiredClaims: p.requiredClaims,
      maxTokenAge: p.maxTokenAgeSeconds,
      clockTolerance: opts.clockToleranceSeconds,
      currentDate: opts.now,
      ...(p.typ !== undefined ? { typ: p.typ } : {}),
    })
    const sub = claims.sub
    if (typeof sub !== 'string' || !SUBJECT.test(sub)) return { ok: false, reason: 'invalid_claims' }
    if (typeof claims.exp !== 'number') return { ok: false, reason: 'invalid_claims' }
    const jti = typeof claims.jti === 'string' ? claims.jti : null
    const times = {
      exp: claims.exp,
      iat: typeof claims.iat === 'number' ? claims.iat : null,
      nbf: typeof claims.nbf === 'number' ? claims.nbf : null,
      maxAge: p.maxTokenAgeSeconds,
    }
    return { ok: true, sub, issuer: trusted.issuer, scopes: scopesOf(claims, p.scopeClaim), jti, times }
  } catch (err) {
    return { ok: false, reason: mapJoseError(err) }
  }
}
