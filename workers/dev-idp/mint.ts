// Mints dev caller tokens (RFC 9068 access-token profile: typ at+jwt, ES256). Used by the dev IdP Worker's
// /token endpoint and by `npm run token`; both hold the same git-ignored key pair.
import { importJWK, type JWK, SignJWT } from 'jose'

export const DEV_TOKEN_TTL_SECONDS = 600 // short-lived: ten minutes

export interface MintRequest {
  readonly issuer: string
  readonly audience: string
  readonly sub: string
  readonly scope: string
  readonly tenant?: string
  readonly ttlSeconds?: number
  readonly now?: number
}

export async function mintDevToken(privateJwk: JWK, req: MintRequest): Promise<string> {
  const key = await importJWK(privateJwk, 'ES256')
  const iat = Math.floor((req.now ?? Date.now()) / 1000)
  return new SignJWT({ scope: req.scope, ...(req.tenant ? { tenant: req.tenant } : {}) })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', ...(privateJwk.kid ? { kid: privateJwk.kid } : {}) })
    .setIssuer(req.issuer)
    .setAudience(req.audience)
    .setSubject(req.sub)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (req.ttlSeconds ?? DEV_TOKEN_TTL_SECONDS))
    .setJti(crypto.randomUUID())
    .sign(key)
}

export function publicJwk(privateJwk: JWK): JWK {
  const { d: _d, ...pub } = privateJwk
  return { ...pub, use: 'sig', alg: 'ES256' }
}
