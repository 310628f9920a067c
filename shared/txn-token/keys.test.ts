import { describe, expect, it } from 'vitest'
import { parsePrivateJwks, parsePublicJwks, publishedJwks } from './keys.ts'
import { loadPublishedJwks, loadSigningKeys, selectSigningKey } from './signer.ts'
import { keySecret, publicJwks, TEST_KEYS } from './testing.ts'

const A = TEST_KEYS.es256a

describe('signing keys', () => {
  it('loads ES256 and EdDSA keys, prefers use:sig, and picks one per algorithm', async () => {
    const { use: _u, ...noUse } = TEST_KEYS.es256b
    const loaded = await loadSigningKeys(keySecret(noUse as typeof A, TEST_KEYS.ed25519, A))
    expect(loaded.ok).toBe(true)
    if (!loaded.ok) return
    expect(loaded.keys.map((k) => k.kid)).toEqual(['test-ed25519', 'test-es256a', 'test-es256b'])
    expect(selectSigningKey(loaded.keys, 'ES256')?.kid).toBe('test-es256a')
    expect(selectSigningKey(loaded.keys, 'EdDSA')?.kid).toBe('test-ed25519')
    expect((await loadSigningKeys(keySecret(A))).ok && selectSigningKey([], 'EdDSA')).toBeNull()
  })

  it('caches by the secret string (one import per isolate)', async () => {
    const secret = keySecret(A)
    expect(loadSigningKeys(secret)).toBe(loadSigningKeys(secret))
  })

  const bad: [string, string | undefined, 'missing' | 'malformed'][] = [
    ['unset', undefined, 'missing'],
    ['empty string', '', 'missing'],
    ['empty array', '[]', 'missing'],
    ['not JSON', '{kty:EC', 'malformed'],
    ['public key only', JSON.stringify(publicJwks(A).keys), 'malformed'],
    ['no kid', JSON.stringify([{ ...A, kid: undefined }]), 'malformed'],
    ['RSA key', JSON.stringify([{ kty: 'RSA', kid: 'r', n: 'AQAB', e: 'AQAB', d: 'AQAB' }]), 'malformed'],
    ['alg mismatch', JSON.stringify([{ ...A, alg: 'EdDSA' }]), 'malformed'],
    ['use enc', JSON.stringify([{ ...A, use: 'enc' }]), 'malformed'],
    ['d from another key', JSON.stringify([{ ...A, d: TEST_KEYS.es256b.d }]), 'malformed'],
    ['garbage d', JSON.stringify([{ ...A, d: 'AAAA' }]), 'malformed'],
  ]
  it.each(bad)('%s → %s (the stage maps it to sign.key_unavailable)', async (_n, secret, reason) => {
    expect(await loadSigningKeys(secret)).toMatchObject({ ok: false, reason })
  })

  it('never lets private members reach the published set', async () => {
    const published = await loadPublishedJwks(keySecret(A), JSON.stringify([TEST_KEYS.es256b]))
    expect(published.ok).toBe(true)
    if (!published.ok) return
    expect(published.jwks.keys.map((k) => k.kid)).toEqual(['test-es256a', 'test-es256b'])
    for (const k of published.jwks.keys) {
      expect(Object.keys(k).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'])
      expect(k.use).toBe('sig')
    }
  })

  it('accepts the three container shapes and dedupes by kid', () => {
    const pub = publicJwks(A).keys[0]!
    for (const s of [JSON.stringify([pub]), JSON.stringify({ keys: [pub] }), JSON.stringify(pub)]) {
      expect(parsePublicJwks(s)).toMatchObject({ ok: true, keys: [{ kid: 'test-es256a' }] })
    }
    expect(parsePublicJwks(undefined)).toEqual({ ok: true, keys: [] })
    const p = parsePrivateJwks(keySecret(A))
    expect(p.ok && publishedJwks(p.keys, p.keys).keys).toHaveLength(1)
  })
})
