import { CompactSign, importJWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { buildContextClaims, type ClaimsInput, type TxnTokenClaims } from './claims.ts'
import { contentDigest } from './digest.ts'
import type { PrivateTxnJwk } from './keys.ts'
import { loadSigningKeys, signContextToken } from './signer.ts'
import { claimsInput, keySecret, publicJwks, TEST_AUDIENCE, TEST_ISSUER, TEST_KEYS, TEST_NOW_MS } from './testing.ts'
import { createTxnTokenVerifier, type TxnTokenVerifierOptions, type VerifyFailureReason } from './verifier.ts'

const BODY = '{"model":"m","messages":[{"role":"user","content":"hi"}]}'
const PATH = '/v1/chat/completions'

async function tokenFor(key: PrivateTxnJwk, overrides: Partial<ClaimsInput> = {}): Promise<string> {
  const loaded = await loadSigningKeys(keySecret(key))
  if (!loaded.ok) throw new Error(loaded.detail)
  const digest = await contentDigest(BODY)
  const claims = buildContextClaims(claimsInput({ request: { method: 'POST', path: PATH, digest }, ...overrides }))
  return signContextToken(claims, loaded.keys[0]!)
}

/** Sign arbitrary header + payload, for tokens the gateway would never produce. */
async function rawToken(header: Record<string, unknown>, payload: unknown, key = TEST_KEYS.es256a): Promise<string> {
  const k = await importJWK(key, key.alg)
  const alg = (header.alg as string | undefined) ?? key.alg
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ ...header, alg })
    .sign(k)
}

function verifier(over: Partial<TxnTokenVerifierOptions> = {}, nowMs = TEST_NOW_MS) {
  return createTxnTokenVerifier({
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
    jwks: publicJwks(TEST_KEYS.es256a, TEST_KEYS.ed25519),
    now: () => nowMs,
    ...over,
  })
}

const good = { method: 'POST', path: PATH, body: BODY }

describe('txn-token verifier tamper table', () => {
  const cases: [
    string,
    () => Promise<{ token: string | null; method?: string; path?: string; body?: string; nowMs?: number }>,
    VerifyFailureReason,
  ][] = [
    [
      'body changed',
      async () => ({ token: await tokenFor(TEST_KEYS.es256a), body: BODY.replace('hi', 'ho') }),
      'digest_mismatch',
    ],
    ['body emptied', async () => ({ token: await tokenFor(TEST_KEYS.es256a), body: '' }), 'digest_mismatch'],
    [
      'path changed',
      async () => ({ token: await tokenFor(TEST_KEYS.es256a), path: '/v1/embeddings' }),
      'path_mismatch',
    ],
    ['method changed', async () => ({ token: await tokenFor(TEST_KEYS.es256a), method: 'PUT' }), 'method_mismatch'],
    ['expired', async () => ({ token: await tokenFor(TEST_KEYS.es256a), nowMs: TEST_NOW_MS + 66_000 }), 'expired'],
    [
      'issued in the future',
      async () => ({ token: await tokenFor(TEST_KEYS.es256a), nowMs: TEST_NOW_MS - 60_000 }),
      'not_yet_valid',
    ],
    [
      'lifetime over cap',
      async () => ({ token: await tokenFor(TEST_KEYS.es256a, { lifetimeSeconds: 301 }) }),
      'lifetime_exceeded',
    ],
    [
      'wrong aud',
      async () => ({ token: await tokenFor(TEST_KEYS.es256a, { audience: 'other-tier' }) }),
      'wrong_audience',
    ],
    [
      'wrong iss',
      async () => ({ token: await tokenFor(TEST_KEYS.es256a, { issuer: 'https://evil.test' }) }),
      'wrong_issuer',
    ],
    ['unknown kid', async () => ({ token: await tokenFor(TEST_KEYS.es256b) }), 'unknown_kid'],
    [
      'signature from another key under a known kid',
      async () => ({ token: await tokenFor({ ...TEST_KEYS.attacker, kid: TEST_KEYS.es256a.kid }) }),
      'bad_signature',
    ],
    [
      'payload swapped under a valid signature',
      async () => {
        const [h, , s] = (await tokenFor(TEST_KEYS.es256a)).split('.')
        const other = (
          await tokenFor(TEST_KEYS.es256a, { caller: { sub: 'admin', scopes: [], method: 'bearer' } })
        ).split('.')[1]
        return { token: `${h}.${other}.${s}` }
      },
      'bad_signature',
    ],
    [
      'wrong typ',
      async () => ({ token: await rawToken({ kid: 'test-es256a', typ: 'JWT' }, await claims()) }),
      'wrong_typ',
    ],
    ['no typ', async () => ({ token: await rawToken({ kid: 'test-es256a' }, await claims()) }), 'wrong_typ'],
    [
      'alg not allowed',
      async () => ({
        token: `${b64({ alg: 'none', typ: 'txntoken+jwt', kid: 'test-es256a' })}.${b64(await claims())}.`,
      }),
      'unsupported_alg',
    ],
    [
      'alg/key family mismatch',
      async () => ({
        token: `${b64({ alg: 'EdDSA', typ: 'txntoken+jwt', kid: 'test-es256a' })}.${b64(await claims())}.AAAA`,
      }),
      'unknown_kid',
    ],
    [
      'claims missing the binding',
      async () => ({
        token: await rawToken({ kid: 'test-es256a', typ: 'txntoken+jwt' }, { ...(await claims()), req: undefined }),
      }),
      'malformed_claims',
    ],
    ['not a JWS', async () => ({ token: 'not.a.token' }), 'malformed'],
    ['token missing', async () => ({ token: null }), 'missing_token'],
    ['token empty', async () => ({ token: '  ' }), 'missing_token'],
  ]

  it.each(cases)('%s → %s', async (_name, make, reason) => {
    const t = await make()
    const result = await verifier({}, t.nowMs).verify({
      token: t.token,
      method: t.method ?? good.method,
      path: t.path ?? good.path,
      body: t.body ?? good.body,
    })
    expect(result).toMatchObject({ ok: false, reason, status: 401 })
  })

  it('accepts the untampered token (ES256 and EdDSA) and returns typed claims', async () => {
    for (const key of [TEST_KEYS.es256a, TEST_KEYS.ed25519]) {
      const token = await tokenFor(key)
      const result = await verifier().verify({ token, ...good, path: `${PATH}?x=1` })
      expect(result.ok, key.kid).toBe(true)
      if (result.ok) {
        expect(result.kid).toBe(key.kid)
        expect(result.claims).toMatchObject({ iss: TEST_ISSUER, aud: TEST_AUDIENCE, sub: 'user-42', tenant: 'acme' })
        expect(result.claims.req.digest).toBe(await contentDigest(BODY))
      }
    }
  })

  it('accepts the typ media-type forms RFC 7515 §4.1.9 allows', async () => {
    for (const typ of ['application/txntoken+jwt', 'TxnToken+JWT']) {
      const token = await rawToken({ kid: 'test-es256a', typ }, await claims())
      expect((await verifier({ replay: false }).verify({ token, ...good })).ok, typ).toBe(true)
    }
  })

  it('refuses a replayed jti, and a forged attempt does not burn the jti', async () => {
    const v = verifier()
    const token = await tokenFor(TEST_KEYS.es256a)
    expect(await v.verify({ token, ...good, body: 'forged' })).toMatchObject({ reason: 'digest_mismatch' })
    expect((await v.verify({ token, ...good })).ok).toBe(true)
    expect(await v.verify({ token, ...good })).toMatchObject({ ok: false, reason: 'replayed', status: 401 })
    // disabled replay protection accepts a second use (so the check above is the store's doing)
    const open = verifier({ replay: false })
    expect((await open.verify({ token, ...good })).ok).toBe(true)
    expect((await open.verify({ token, ...good })).ok).toBe(true)
  })

  it('fails closed with 503 when the replay store errors', async () => {
    const broken = { claim: () => Promise.reject(new Error('down')) }
    const token = await tokenFor(TEST_KEYS.es256a)
    expect(await verifier({ replay: broken }).verify({ token, ...good })).toMatchObject({
      ok: false,
      reason: 'replay_check_failed',
      status: 503,
    })
  })

  it('respects a tighter lifetime cap', async () => {
    const token = await tokenFor(TEST_KEYS.es256a, { lifetimeSeconds: 120 })
    expect((await verifier().verify({ token, ...good })).ok).toBe(true)
    const strict = verifier({ maxLifetimeSeconds: 60 })
    expect(await strict.verify({ token, ...good })).toMatchObject({ reason: 'lifetime_exceeded' })
  })
})

function b64(v: unknown): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url')
}

async function claims(): Promise<TxnTokenClaims> {
  return buildContextClaims(claimsInput({ request: { method: 'POST', path: PATH, digest: await contentDigest(BODY) } }))
}
