// The per-isolate caches of the authenticate stage: issuer key sets (refetch on unknown kid at most once per
// cooldown, rotation picked up after it) and verified caller tokens (time claims re-checked on every use).
import { exportJWK, generateKeyPair, type JWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { activeTenant, stageApp } from '../../../test/support/gateway.ts'
import { authenticate } from './index.ts'
import { createRemoteKeySet, JWKS_MAX_AGE_MS, JWKS_MIN_AGE_MS, keySetMaxAgeMs } from './jwks.ts'
import { baseClaims, CALLER_KEYS, NOW, nowS, sign } from './testing.ts'

const { publicJwk } = CALLER_KEYS

describe('JWKS cache', () => {
  it('fetches once, then refetches an unknown kid at most once per cooldown', async () => {
    let fetches = 0
    let t = NOW.getTime()
    const keys = createRemoteKeySet('https://idp.test/jwks.json', {
      fetch: (async () => {
        fetches++
        return new Response(JSON.stringify({ keys: [publicJwk] }))
      }) as typeof fetch,
      now: () => t,
    })
    expect((await keys.resolve('k1', 'ES256')).ok).toBe(true)
    expect((await keys.resolve('k1', 'ES256')).ok).toBe(true)
    expect(fetches).toBe(1)
    for (let i = 0; i < 20; i++)
      expect(await keys.resolve(`junk-${i}`, 'ES256')).toEqual({ ok: false, reason: 'unknown_key' })
    expect(fetches).toBe(1) // still inside the cooldown of the first fetch
    t += 31_000
    await keys.resolve('junk-x', 'ES256')
    expect(fetches).toBe(2)
  })

  it('serves a rotated key after the cooldown', async () => {
    let t = NOW.getTime()
    let published: JWK[] = [publicJwk]
    const keys = createRemoteKeySet('https://idp.test/jwks.json', {
      fetch: (async () => new Response(JSON.stringify({ keys: published }))) as typeof fetch,
      now: () => t,
    })
    expect((await keys.resolve('k1', 'ES256')).ok).toBe(true)
    const next = await generateKeyPair('ES256', { extractable: true })
    published = [publicJwk, { ...(await exportJWK(next.publicKey)), kid: 'k2' }]
    t += 31_000
    expect((await keys.resolve('k2', 'ES256')).ok).toBe(true)
  })
})

describe('JWKS key removal (hole 6)', () => {
  it.each([
    [null, JWKS_MAX_AGE_MS],
    ['public, max-age=60', 60_000],
    ['max-age=86400', JWKS_MAX_AGE_MS],
    ['max-age=0', JWKS_MIN_AGE_MS],
    ['no-store', JWKS_MIN_AGE_MS],
    ['max-age=abc', JWKS_MAX_AGE_MS],
  ])('Cache-Control %s → cached %i ms', (header, expected) => {
    expect(keySetMaxAgeMs(header)).toBe(expected)
  })

  it("a key the IdP removed stops verifying once the set's max-age has passed, with no unknown kid needed", async () => {
    let t = NOW.getTime()
    let published: JWK[] = [publicJwk]
    const keys = createRemoteKeySet('https://idp.test/jwks.json', {
      fetch: (async () =>
        new Response(JSON.stringify({ keys: published }), {
          headers: { 'cache-control': 'public, max-age=60' },
        })) as typeof fetch,
      now: () => t,
    })
    expect((await keys.resolve('k1', 'ES256')).ok).toBe(true)
    const other = await generateKeyPair('ES256', { extractable: true })
    published = [{ ...(await exportJWK(other.publicKey)), kid: 'k9' }]
    t += 59_000
    expect((await keys.resolve('k1', 'ES256')).ok).toBe(true) // still within the IdP's max-age
    t += 2_000
    expect(await keys.resolve('k1', 'ES256')).toEqual({ ok: false, reason: 'unknown_key' })
  })
})

describe('verified-token cache', () => {
  it('re-checks time claims on every use and never caches a failure', async () => {
    let t = NOW.getTime()
    let fetches = 0
    const keys = createRemoteKeySet('https://idp.test/jwks.json', {
      fetch: (async () => {
        fetches++
        return new Response(JSON.stringify({ keys: [publicJwk] }))
      }) as typeof fetch,
      now: () => t,
    })
    const app = stageApp(
      { tenant: activeTenant() },
      [authenticate({ keySetFor: () => keys, now: () => new Date(t) })],
      (c) => c.text(c.get('caller').sub),
    )
    const token = await sign({ ...baseClaims(), exp: nowS + 120 })
    const call = async () => (await app.request('/', { headers: { authorization: `Bearer ${token}` } })).status
    expect(await call()).toBe(200)
    expect(await call()).toBe(200)
    t += 200_000 // past exp (+120 s) and the 5 s tolerance
    const res = await app.request('/', { headers: { authorization: `Bearer ${token}` } })
    expect(res.status).toBe(401)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('auth.token_expired')
    expect(fetches).toBe(1)

    const forged = `${token.slice(0, -4)}AAAA`
    for (let i = 0; i < 2; i++) {
      expect((await app.request('/', { headers: { authorization: `Bearer ${forged}` } })).status).toBe(401)
    }
  })
})
