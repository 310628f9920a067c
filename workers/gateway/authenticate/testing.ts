// Test support for the authenticate stage: a fixed clock, the caller keys (made once per test file), claim sets,
// and token builders — including hand-assembled tokens that jose itself would refuse to produce.
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose'
import { TEST_AUDIENCE, TEST_ISSUER } from '../../../test/support/gateway.ts'

export const NOW = new Date('2026-11-26T12:00:00Z')
export const nowS = Math.floor(NOW.getTime() / 1000)

const enc = new TextEncoder()
export const b64u = (v: string | Uint8Array) =>
  Buffer.from(typeof v === 'string' ? enc.encode(v) : v).toString('base64url')

async function makeKeys() {
  const es = await generateKeyPair('ES256', { extractable: true })
  const rsa = await generateKeyPair('RS256', { extractable: true })
  return {
    privateKey: es.privateKey,
    publicJwk: { ...(await exportJWK(es.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' } as JWK,
    otherKey: (await generateKeyPair('ES256')).privateKey,
    rsaPrivate: rsa.privateKey,
    rsaPublicJwk: { ...(await exportJWK(rsa.publicKey)), kid: 'r1', alg: 'RS256', use: 'sig' } as JWK,
  }
}

/** Caller keys: `k1` (ES256, published), a foreign ES256 key, and `r1` (RS256, published). */
export const CALLER_KEYS = await makeKeys()

export type Claims = Record<string, unknown>
export const baseClaims = (): Claims => ({
  iss: TEST_ISSUER,
  aud: TEST_AUDIENCE,
  sub: 'alice',
  scope: 'chat',
  iat: nowS - 10,
  exp: nowS + 300,
})

export function sign(claims: Claims = baseClaims(), header: Record<string, unknown> = {}, key?: CryptoKey) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', kid: 'k1', ...header } as { alg: string })
    .sign(key ?? CALLER_KEYS.privateKey)
}

/** Hand-assembled token: header and payload exactly as given, signature bytes supplied. */
export const raw = (header: unknown, payload: string, sig = 'AAAA') =>
  `${b64u(JSON.stringify(header))}.${b64u(payload)}.${sig}`

/** An IdP that serves `body()` as its JWKS (evaluated per fetch) with `status`. */
export function fakeIdp(body: () => unknown, status = 200): typeof fetch {
  return (async () =>
    new Response(JSON.stringify(body()), { status, headers: { 'content-type': 'application/json' } })) as typeof fetch
}
