// Test support for the authenticate stage: a fixed clock, the caller keys (made once per test file), claim sets,
// and token builders — including hand-assembled tokens that jose itself would refuse to produce.
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose'
import { activeTenant, stageApp, TEST_AUDIENCE, TEST_ISSUER } from '../../../test/support/gateway.ts'
import type { ActiveTenant } from '../env.ts'
import { authenticate } from './index.ts'
import { createRemoteKeySet, type KeySet } from './jwks.ts'

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

/** The authenticate stage alone in an app (fixed clock; JWKS from a fake IdP unless `keys` is given) that answers
 * with the caller it verified. */
export function appWith(opts: { tenant?: ActiveTenant; keys?: KeySet; fetch?: typeof fetch } = {}) {
  const keys =
    opts.keys ??
    createRemoteKeySet('https://idp.test/jwks.json', {
      fetch: opts.fetch ?? fakeIdp(() => ({ keys: [CALLER_KEYS.publicJwk, CALLER_KEYS.rsaPublicJwk] })),
      now: () => NOW.getTime(),
    })
  const tenant = opts.tenant ?? activeTenant()
  return stageApp({ tenant }, [authenticate({ keySetFor: () => keys, now: () => NOW })], (c) =>
    c.json({ sub: c.var.caller.sub, scopes: c.var.caller.scopes }),
  )
}

/** One POST through appWith: status, stable error code (or null) and body. */
export async function call(
  token: string | null,
  opts: Parameters<typeof appWith>[0] = {},
  headers: Record<string, string> = {},
) {
  const h: Record<string, string> = { ...headers }
  if (token !== null) h.authorization = `Bearer ${token}`
  const res = await appWith(opts).request('/v1/chat/completions', { method: 'POST', headers: h })
  const body = (await res.json()) as { error?: { code: string }; sub?: string }
  return { status: res.status, code: body.error?.code ?? null, body }
}
