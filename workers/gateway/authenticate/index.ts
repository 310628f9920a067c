// Authenticate: the caller's bearer JWT (or Cloudflare Access assertion, where the policy enables it), verified
// against the tenant's issuers. Key sets live at module scope so the isolate keeps its cache across requests.
import type { MiddlewareHandler } from 'hono'
import { type ErrorCode, GatewayError } from '../../../shared/errors.ts'
import { resolveVarRef } from '../../../shared/policy/resolve.ts'
import type { ActiveTenant, AppEnv, Env } from '../env.ts'
import { createLocalKeySet, createRemoteKeySet, type KeySet } from './jwks.ts'
import { type CallerFailure, type TrustedIssuer, type VerifiedCaller, verifyCallerToken } from './verify-caller.ts'

export interface AuthenticateOptions {
  /** Key set for a JWKS URL; defaults to a module-scope cache of remote sets. */
  readonly keySetFor?: (url: string) => KeySet
  readonly now?: () => Date
}

const REMOTE_KEY_SETS = new Map<string, KeySet>()
const remoteKeySet = (url: string): KeySet => {
  let set = REMOTE_KEY_SETS.get(url)
  if (!set) {
    set = createRemoteKeySet(url)
    REMOTE_KEY_SETS.set(url, set)
  }
  return set
}

const FAILURE_CODES: Record<CallerFailure, ErrorCode> = {
  malformed_token: 'auth.malformed_token',
  invalid_token: 'auth.invalid_token',
  token_expired: 'auth.token_expired',
  token_not_yet_valid: 'auth.token_not_yet_valid',
  token_too_old: 'auth.token_too_old',
  invalid_claims: 'auth.invalid_claims',
  untrusted_issuer: 'auth.untrusted_issuer',
  unknown_key: 'auth.unknown_key',
  jwks_unavailable: 'auth.jwks_unavailable',
  jwks_invalid: 'auth.jwks_invalid',
}

const BEARER = /^Bearer ([^\s]+)$/
// A caller sends the same token for its whole lifetime; re-running ECDSA on identical bytes is the stage's main
// cost (~0.2 ms). Successful verifications are remembered per isolate by the exact token string and issuer
// set, and the time claims are re-checked on every use; anything else goes through full verification.
const VERIFIED_CACHE_ENTRIES = 1024 // bounded: at most this many distinct live tokens per isolate

/** Still valid at `nowS` by the same rules jwtVerify applied (exp, nbf, max age from iat, with tolerance). */
function stillValid(v: VerifiedCaller, nowS: number, tolerance: number): boolean {
  const t = v.times
  if (nowS - tolerance >= t.exp) return false
  if (t.nbf !== null && t.nbf > nowS + tolerance) return false
  if (t.iat !== null && (nowS - t.iat - tolerance > t.maxAge || t.iat > nowS + tolerance)) return false
  return true
}

export const authenticate = (opts: AuthenticateOptions = {}): MiddlewareHandler<AppEnv> => {
  const keySetFor = opts.keySetFor ?? remoteKeySet
  // Cached by tenant and by what its ${VAR} references resolve to (not by env identity, which may change).
  const bound = new Map<string, TrustedIssuer[]>()
  const issuersOf = (tenant: ActiveTenant, env: Env): TrustedIssuer[] => {
    const resolved = tenant.policy.auth.issuers.map((p) => ({
      p,
      issuer: resolveVarRef(p.issuer, env),
      jwksUrl: p.jwksUrl === undefined ? null : resolveVarRef(p.jwksUrl, env),
    }))
    const key = `${tenant.compiled.id}\n${tenant.compiled.sha256}\n${resolved.map((r) => `${r.issuer}\n${r.jwksUrl}`).join('\n')}`
    let list = bound.get(key)
    if (!list) {
      list = resolved.flatMap(({ p, issuer, jwksUrl }) => {
        if (issuer === null || (p.jwksUrl !== undefined && jwksUrl === null)) return []
        const keys = jwksUrl !== null ? keySetFor(jwksUrl) : createLocalKeySet(p.jwks)
        return [{ policy: p, issuer, keys }]
      })
      bound.set(key, list)
    }
    return list
  }

  const verified = new Map<string, { issuers: TrustedIssuer[]; caller: VerifiedCaller }>()

  return async function authenticate(c, next) {
    const tenant = c.get('tenant')
    let token: string | null = null
    let method: 'bearer' | 'cf-access' = 'bearer'
    const authorization = c.req.header('authorization')
    if (authorization !== undefined) {
      const m = BEARER.exec(authorization)
      if (!m) throw new GatewayError('auth.malformed_token')
      token = m[1] as string
    } else if (tenant.policy.auth.cfAccess.enabled) {
      token = c.req.header('cf-access-jwt-assertion') ?? null
      method = 'cf-access'
    }
    if (token === null) throw new GatewayError('auth.missing_token', null, { 'www-authenticate': 'Bearer' })

    const issuers = issuersOf(tenant, c.env)
    const tolerance = tenant.policy.auth.clockToleranceSeconds
    const now = opts.now?.()
    const cached = verified.get(token)
    const fresh =
      cached?.issuers === issuers && stillValid(cached.caller, (now?.getTime() ?? Date.now()) / 1000, tolerance)
    const result = fresh
      ? cached.caller
      : await verifyCallerToken(token, issuers, { clockToleranceSeconds: tolerance, now })
    if (result.ok && !fresh) {
      if (verified.size >= VERIFIED_CACHE_ENTRIES) verified.delete(verified.keys().next().value as string)
      verified.set(token, { issuers, caller: result })
    }
    if (!result.ok) {
      const code = FAILURE_CODES[result.reason]
      const challenge: Record<string, string> = code.startsWith('auth.jwks')
        ? {}
        : { 'www-authenticate': 'Bearer error="invalid_token"' }
      throw new GatewayError(code, null, challenge)
    }
    c.set('caller', { sub: result.sub, issuer: result.issuer, scopes: result.scopes, method, tokenId: result.jti })
    await next()
  }
}
