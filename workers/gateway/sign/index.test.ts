import { decodeJwt, decodeProtectedHeader } from 'jose'
import { describe, expect, it } from 'vitest'
import type { TxnTokenClaims } from '../../../shared/txn-token/claims.ts'
import { contentDigest } from '../../../shared/txn-token/digest.ts'
import {
  keySecret,
  publicJwks,
  TEST_AUDIENCE,
  TEST_ISSUER,
  TEST_KEYS,
  TEST_NOW_MS,
} from '../../../shared/txn-token/testing.ts'
import { createTxnTokenVerifier } from '../../../shared/txn-token/verifier.ts'
import type { Env } from '../env.ts'
import { callSign, signApp, TEST_BODY, testPolicy } from './testing.ts'

const ENV: Partial<Env> = {
  TXN_SIGNING_KEYS: keySecret(TEST_KEYS.es256a, TEST_KEYS.ed25519),
  TXN_PUBLISHED_KEYS: JSON.stringify(publicJwks(TEST_KEYS.es256b).keys),
  TXN_ISSUER: TEST_ISSUER,
  IP_HASH_KEY: 'test-ip-hash-key',
}

function verifierFor(app: ReturnType<typeof signApp>) {
  return createTxnTokenVerifier({
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
    jwksUri: `${TEST_ISSUER}/.well-known/jwks.json`,
    // The verifier fetches the JWKS from the very routes the gateway mounts.
    fetch: async (url) => app.request(url, {}, ENV as Env),
    now: () => TEST_NOW_MS + 1000,
  })
}

describe('sign stage', () => {
  it('adds a Txn-Token and Content-Digest bound to the forwarded bytes, verifiable from the published JWKS', async () => {
    const app = signApp()
    const { status, json } = await callSign(app, ENV)
    expect(status).toBe(200)
    const token = json.headers['txn-token']!
    expect(json.headers['content-digest']).toBe(await contentDigest(TEST_BODY))
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', kid: 'test-es256a', typ: 'txntoken+jwt' })
    const claims = decodeJwt(token) as unknown as TxnTokenClaims
    expect(claims).toMatchObject({
      iss: TEST_ISSUER,
      aud: TEST_AUDIENCE,
      exp: claims.iat + 60,
      jti: 'req-abc',
      sub: 'user-42',
      tenant: 'acme',
      verdict: 'allow',
      req: { method: 'POST', path: '/v1/chat/completions', digest: json.headers['content-digest'] },
      rctx: { req_wl: 'portcullis-gateway', colo: 'FRA', authn: 'bearer', country: 'DE', asn: 3320 },
      tctx: {
        policy: { id: 'acme', version: '3', sha256: 'c'.repeat(64) },
        trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      },
    })
    expect(claims.rctx.req_ip_hash).toMatch(/^[A-Za-z0-9_-]{43}$/)
    // Neither prompt text nor the client address travels in the token.
    const text = JSON.stringify(claims)
    for (const secret of ['a@b.example', 'mail me', '192.0.2.7']) expect(text).not.toContain(secret)

    const result = await verifierFor(app).verify({
      token,
      method: 'POST',
      path: '/v1/chat/completions',
      body: json.body,
    })
    expect(result).toMatchObject({ ok: true, kid: 'test-es256a' })
  })

  it('binds to the redacted bytes, not the bytes the client sent', async () => {
    const redacted = { model: 'm', messages: [{ role: 'user', content: 'mail me at [EMAIL]' }] }
    const app = signApp({
      redactedContent: redacted.messages[0]!.content,
      decisions: {
        screen: {
          verdict: 'redact',
          enforced: true,
          score: 0.9,
          categories: ['pii'],
          rules: ['pii.email'],
          redactions: { EMAIL: 1 },
          spans: [],
        },
      },
    })
    const { json } = await callSign(app, ENV)
    expect(json.body).toBe(JSON.stringify(redacted))
    const token = json.headers['txn-token']!
    expect(decodeJwt(token)).toMatchObject({ verdict: 'redact', tctx: { screen: { redactions: { EMAIL: 1 } } } })
    const v = verifierFor(app)
    const original = await v.verify({ token, method: 'POST', path: '/v1/chat/completions', body: TEST_BODY })
    expect(original).toMatchObject({ ok: false, reason: 'digest_mismatch' })
    expect((await v.verify({ token, method: 'POST', path: '/v1/chat/completions', body: json.body })).ok).toBe(true)
  })

  it('binds a GET to the empty body, and EdDSA policies sign with the EdDSA key', async () => {
    const compiled = testPolicy({ contextToken: { algorithm: 'EdDSA', lifetimeSeconds: 300 } })
    const app = signApp({ compiled, method: 'GET', path: '/v1/models' })
    const { json } = await callSign(app, ENV, '/v1/models')
    const token = json.headers['txn-token']!
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'EdDSA', kid: 'test-ed25519' })
    const claims = decodeJwt(token)
    expect(claims.exp! - claims.iat!).toBe(300)
    expect(json.headers['content-digest']).toBe(await contentDigest(''))
    expect((await verifierFor(app).verify({ token, method: 'GET', path: '/v1/models', body: null })).ok).toBe(true)
  })

  const ipCases: [string, 'hash' | 'plain' | 'omit', Partial<Env>, Record<string, unknown>][] = [
    ['plain', 'plain', ENV, { req_ip: '192.0.2.7' }],
    ['omit', 'omit', ENV, {}],
    ['hash without IP_HASH_KEY omits', 'hash', { ...ENV, IP_HASH_KEY: undefined }, {}],
  ]
  it.each(ipCases)('client IP: %s', async (_n, clientIp, env, expected) => {
    const app = signApp({ compiled: testPolicy({ contextToken: { clientIp } }) })
    const claims = decodeJwt((await callSign(app, env)).json.headers['txn-token']!) as unknown as TxnTokenClaims
    const ipClaims = Object.fromEntries(Object.entries(claims.rctx).filter(([k]) => k.startsWith('req_ip')))
    expect(ipClaims).toEqual(expected)
  })

  it('does nothing when the policy disables the context token', async () => {
    const app = signApp({ compiled: testPolicy({ contextToken: { enabled: false } }) })
    const { status, json } = await callSign(app, {})
    expect(status).toBe(200)
    expect(json.headers).toEqual({})
  })

  const broken: [string, Partial<Env>][] = [
    ['no signing keys', { ...ENV, TXN_SIGNING_KEYS: undefined }],
    ['malformed signing keys', { ...ENV, TXN_SIGNING_KEYS: '{"kty":"EC"' }],
    ['public key as signing key', { ...ENV, TXN_SIGNING_KEYS: JSON.stringify(publicJwks(TEST_KEYS.es256a).keys) }],
    ['no key for the policy algorithm', { ...ENV, TXN_SIGNING_KEYS: keySecret(TEST_KEYS.ed25519) }],
    ['no issuer', { ...ENV, TXN_ISSUER: '' }],
  ]
  it.each(broken)('%s → 503 sign.key_unavailable, never forwarded unsigned', async (_n, env) => {
    const res = await signApp().request('https://gw.test/v1/chat/completions', { method: 'POST' }, env as Env)
    expect(res.status).toBe(503)
    expect(res.headers.get('x-portcullis-code')).toBe('sign.key_unavailable')
    expect(await res.json()).toMatchObject({ error: { code: 'sign.key_unavailable', type: 'server_error' } })
  })
})

describe('well-known routes', () => {
  it('publishes signing and extra keys without private members, and a discovery document', async () => {
    const app = signApp()
    const jwks = await app.request('https://gw.test/.well-known/jwks.json', {}, ENV as Env)
    expect(jwks.status).toBe(200)
    expect(jwks.headers.get('cache-control')).toContain('max-age=300')
    const set = (await jwks.json()) as { keys: Record<string, unknown>[] }
    expect(set.keys.map((k) => [k.kid, k.alg, k.use])).toEqual([
      ['test-es256a', 'ES256', 'sig'],
      ['test-ed25519', 'EdDSA', 'sig'],
      ['test-es256b', 'ES256', 'sig'],
    ])
    for (const k of set.keys) expect(k).not.toHaveProperty('d')

    const disc = await app.request('https://gw.test/.well-known/openid-configuration', {}, ENV as Env)
    expect(await disc.json()).toMatchObject({ issuer: TEST_ISSUER, jwks_uri: `${TEST_ISSUER}/.well-known/jwks.json` })
  })

  it('answers 503 instead of an empty or partial key set when keys are misconfigured', async () => {
    const app = signApp()
    for (const env of [{}, { TXN_SIGNING_KEYS: keySecret(TEST_KEYS.es256a), TXN_PUBLISHED_KEYS: 'nope' }]) {
      const res = await app.request('https://gw.test/.well-known/jwks.json', {}, env as Env)
      expect(res.status).toBe(503)
    }
    const disc = await app.request('https://gw.test/.well-known/openid-configuration', {}, {} as Env)
    expect(disc.status).toBe(503)
  })
})
