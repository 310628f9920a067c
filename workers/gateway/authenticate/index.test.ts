// The caller-token attack table: every forged, stale, misdirected or malformed token is refused with a stable
// code and status. Keys and the clock are fixed; the IdP is a fake fetch serving a JWKS (or failing).
import { exportJWK, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { activeTenant, TEST_AUDIENCE, TEST_ISSUER, testPolicy } from '../../../test/support/gateway.ts'
import type { ActiveTenant } from '../env.ts'
import { type appWith, b64u, baseClaims, CALLER_KEYS, call, fakeIdp, nowS, raw, sign } from './testing.ts'

const { privateKey, publicJwk, otherKey, rsaPrivate } = CALLER_KEYS
const enc = new TextEncoder()

describe('authenticate: attack table', () => {
  const cases: [
    string,
    () => Promise<{ token: string | null; opts?: Parameters<typeof appWith>[0] }>,
    number,
    string,
  ][] = [
    ['no token at all', async () => ({ token: null }), 401, 'auth.missing_token'],
    [
      'alg none, empty signature',
      async () => ({ token: `${raw({ alg: 'none' }, JSON.stringify(baseClaims()), '')}` }),
      401,
      'auth.malformed_token',
    ],
    [
      'alg none with a signature part',
      async () => ({ token: raw({ alg: 'none', kid: 'k1' }, JSON.stringify(baseClaims())) }),
      401,
      'auth.invalid_token',
    ],
    [
      'HS256 signed with the EC public key',
      async () => {
        const secret = enc.encode(JSON.stringify(publicJwk))
        return { token: await new SignJWT(baseClaims()).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).sign(secret) }
      },
      401,
      'auth.invalid_token',
    ],
    [
      'RS256 token while the issuer allows only ES256',
      async () => ({
        token: await new SignJWT(baseClaims()).setProtectedHeader({ alg: 'RS256', kid: 'r1' }).sign(rsaPrivate),
      }),
      401,
      'auth.invalid_token',
    ],
    ['unknown kid', async () => ({ token: await sign(baseClaims(), { kid: 'nope' }) }), 401, 'auth.unknown_key'],
    [
      'kid path traversal',
      async () => ({ token: await sign(baseClaims(), { kid: '../../etc/passwd' }) }),
      401,
      'auth.invalid_token',
    ],
    [
      'embedded jwk header',
      async () => ({ token: await sign(baseClaims(), { jwk: publicJwk }) }),
      401,
      'auth.invalid_token',
    ],
    [
      'jku header',
      async () => ({ token: await sign(baseClaims(), { jku: 'https://evil.test/jwks' }) }),
      401,
      'auth.invalid_token',
    ],
    [
      'x5u header',
      async () => ({ token: await sign(baseClaims(), { x5u: 'https://evil.test/cert' }) }),
      401,
      'auth.invalid_token',
    ],
    ['x5c header', async () => ({ token: await sign(baseClaims(), { x5c: ['MIIB'] }) }), 401, 'auth.invalid_token'],
    [
      'all-zero ECDSA signature (psychic signature)',
      async () => ({ token: raw({ alg: 'ES256', kid: 'k1' }, JSON.stringify(baseClaims()), b64u(new Uint8Array(64))) }),
      401,
      'auth.invalid_token',
    ],
    [
      'signature from another key',
      async () => ({ token: await sign(baseClaims(), {}, otherKey) }),
      401,
      'auth.invalid_token',
    ],
    [
      'payload altered after signing',
      async () => {
        const [h, , s] = (await sign()).split('.')
        return { token: `${h}.${b64u(JSON.stringify({ ...baseClaims(), sub: 'root' }))}.${s}` }
      },
      401,
      'auth.invalid_token',
    ],
    [
      'expired',
      async () => ({ token: await sign({ ...baseClaims(), iat: nowS - 900, exp: nowS - 60 }) }),
      401,
      'auth.token_expired',
    ],
    [
      'nbf in the future',
      async () => ({ token: await sign({ ...baseClaims(), nbf: nowS + 600 }) }),
      401,
      'auth.token_not_yet_valid',
    ],
    [
      'iat in the future',
      async () => ({ token: await sign({ ...baseClaims(), iat: nowS + 600, exp: nowS + 900 }) }),
      401,
      'auth.token_not_yet_valid',
    ],
    [
      'older than max token age',
      async () => ({ token: await sign({ ...baseClaims(), iat: nowS - 3600, exp: nowS + 60 }) }),
      401,
      'auth.token_too_old',
    ],
    [
      'wrong iss',
      async () => ({ token: await sign({ ...baseClaims(), iss: 'https://evil.test' }) }),
      401,
      'auth.untrusted_issuer',
    ],
    [
      'missing iss',
      async () => ({ token: await sign({ ...baseClaims(), iss: undefined }) }),
      401,
      'auth.untrusted_issuer',
    ],
    [
      'wrong aud',
      async () => ({ token: await sign({ ...baseClaims(), aud: 'someone-else' }) }),
      401,
      'auth.invalid_claims',
    ],
    [
      'missing aud',
      async () => ({ token: await sign({ ...baseClaims(), aud: undefined }) }),
      401,
      'auth.invalid_claims',
    ],
    [
      'wrong typ where the policy requires at+jwt',
      async () => ({
        token: await sign(baseClaims(), { typ: 'JWT' }),
        opts: { tenant: typedTenant() },
      }),
      401,
      'auth.invalid_claims',
    ],
    [
      'unknown crit header',
      async () => ({ token: raw({ alg: 'ES256', kid: 'k1', crit: ['exp2'], exp2: 1 }, JSON.stringify(baseClaims())) }),
      401,
      'auth.invalid_token',
    ],
    [
      'b64: false (unencoded payload)',
      async () => ({
        token: raw({ alg: 'ES256', kid: 'k1', b64: false, crit: ['b64'] }, JSON.stringify(baseClaims())),
      }),
      401,
      'auth.invalid_token',
    ],
    ['JWE (five parts)', async () => ({ token: 'eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d' }), 401, 'auth.malformed_token'],
    ['2 MB token', async () => ({ token: `${'a'.repeat(2 * 1024 * 1024)}.b.c` }), 401, 'auth.malformed_token'],
    ['garbage base64', async () => ({ token: 'not*base64.!!.??' }), 401, 'auth.malformed_token'],
    ['header is not JSON', async () => ({ token: `${b64u('hello')}.${b64u('{}')}.AAAA` }), 401, 'auth.malformed_token'],
    [
      'duplicate JSON keys in the payload',
      async () => ({
        token: raw(
          { alg: 'ES256', kid: 'k1' },
          `{"iss":"${TEST_ISSUER}","sub":"alice","sub":"admin","aud":"${TEST_AUDIENCE}"}`,
        ),
      }),
      401,
      'auth.malformed_token',
    ],
    [
      'duplicate JSON keys in the header',
      async () => ({ token: `${b64u('{"alg":"ES256","alg":"none"}')}.${b64u('{}')}.AAAA` }),
      401,
      'auth.malformed_token',
    ],
    [
      'missing sub',
      async () => ({ token: await sign({ ...baseClaims(), sub: undefined }) }),
      401,
      'auth.invalid_claims',
    ],
    [
      'missing exp',
      async () => ({ token: await sign({ ...baseClaims(), exp: undefined }) }),
      401,
      'auth.invalid_claims',
    ],
    [
      "token from another tenant's issuer",
      async () => ({
        token: await sign({ ...baseClaims(), iss: 'https://idp.other-tenant.test' }),
        opts: { tenant: activeTenant(testPolicy({ tenant: 'globex', hosts: ['api.globex.test'] })) },
      }),
      401,
      'auth.untrusted_issuer',
    ],
    [
      'JWKS server down',
      async () => ({
        token: await sign(),
        opts: { fetch: (async () => Promise.reject(new TypeError('connect ECONNREFUSED'))) as typeof fetch },
      }),
      503,
      'auth.jwks_unavailable',
    ],
    [
      'JWKS server answers 500',
      async () => ({ token: await sign(), opts: { fetch: fakeIdp(() => ({}), 500) } }),
      503,
      'auth.jwks_unavailable',
    ],
    [
      'JWKS with a private key in it',
      async () => {
        const priv = { ...(await exportJWK(privateKey)), kid: 'k1' }
        return { token: await sign(), opts: { fetch: fakeIdp(() => ({ keys: [priv] })) } }
      },
      503,
      'auth.jwks_invalid',
    ],
    [
      'JWKS with a symmetric key in it',
      async () => ({
        token: await sign(),
        opts: { fetch: fakeIdp(() => ({ keys: [publicJwk, { kty: 'oct', k: 'c2VjcmV0', kid: 'h' }] })) },
      }),
      503,
      'auth.jwks_invalid',
    ],
  ]

  it(`has at least 25 attacks (has ${cases.length})`, () => {
    expect(cases.length).toBeGreaterThanOrEqual(25)
  })

  const rows = cases.map(([name, make, status, code]) => ({ name, make, status, code }))
  it.each(rows)('$name → $status $code', async ({ make, status, code }) => {
    const { token, opts } = await make()
    const r = await call(token, opts)
    expect({ status: r.status, code: r.code }).toEqual({ status, code })
  })
})

function typedTenant(): ActiveTenant {
  const p = testPolicy()
  const issuer = { ...p.auth.issuers[0], typ: 'at+jwt' } as (typeof p.auth.issuers)[number]
  return activeTenant({ ...p, auth: { ...p.auth, issuers: [issuer] } })
}
