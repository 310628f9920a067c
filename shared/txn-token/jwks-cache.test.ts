// JWKS fetching and caching, and the key-rotation procedure end to end: publish next → sign with next →
// retire, with a verifier that caches the set, must reject zero requests; skipping a step must reject some.
import { describe, expect, it } from 'vitest'
import { buildContextClaims } from './claims.ts'
import { contentDigest } from './digest.ts'
import { JWKS_COOLDOWN_MS, JWKS_MAX_AGE_MS } from './jwks-cache.ts'
import type { PrivateTxnJwk } from './keys.ts'
import { loadPublishedJwks, loadSigningKeys, selectSigningKey, signContextToken } from './signer.ts'
import { claimsInput, keySecret, publicJwks, TEST_ISSUER, TEST_KEYS, TEST_NOW_MS } from './testing.ts'
import { createTxnTokenVerifier } from './verifier.ts'

const A = TEST_KEYS.es256a
const B = TEST_KEYS.es256b

/** The edge as configured by its two secrets, serving its JWKS to a fetch-counting verifier. */
function edge(clock: { now: number }, verifierOpts: { jwksCooldownMs?: number } = {}) {
  const state = { signing: keySecret(A), published: '[]', fetches: 0, down: false }
  const fetchJwks = async (): Promise<Response> => {
    state.fetches++
    if (state.down) throw new Error('connection refused')
    const jwks = await loadPublishedJwks(state.signing, state.published)
    if (!jwks.ok) return new Response('unavailable', { status: 503 })
    return Response.json(jwks.jwks)
  }
  const verifier = createTxnTokenVerifier({
    issuer: TEST_ISSUER,
    audience: 'model-tier.acme.test',
    jwksUri: `${TEST_ISSUER}/.well-known/jwks.json`,
    fetch: fetchJwks,
    now: () => clock.now,
    ...verifierOpts,
  })
  let n = 0
  const request = async (signWith = state.signing): Promise<string> => {
    const keys = await loadSigningKeys(signWith)
    if (!keys.ok) throw new Error(keys.detail)
    const body = `{"n":${n}}`
    const digest = await contentDigest(body)
    const claims = buildContextClaims(
      claimsInput({
        nowSeconds: clock.now / 1000,
        requestId: `r${n++}`,
        request: { method: 'POST', path: '/v1/embeddings', digest },
      }),
    )
    const token = await signContextToken(claims, selectSigningKey(keys.keys, 'ES256')!)
    const result = await verifier.verify({ token, method: 'POST', path: '/v1/embeddings', body })
    return result.ok ? 'ok' : result.reason
  }
  return { state, verifier, request }
}

const json = (...keys: PrivateTxnJwk[]) => JSON.stringify(publicJwks(...keys).keys)

describe('JWKS cache', () => {
  it('fetches once, refetches after max age, and on an unknown kid at most once per cooldown', async () => {
    const clock = { now: TEST_NOW_MS }
    const e = edge(clock)
    expect(await e.request()).toBe('ok')
    expect(await e.request()).toBe('ok')
    expect(e.state.fetches).toBe(1)
    clock.now += JWKS_MAX_AGE_MS
    expect(await e.request()).toBe('ok')
    expect(e.state.fetches).toBe(2)
    // An unpublished key: one refetch is allowed, a flood of forged kids within the cooldown costs no fetch.
    clock.now += JWKS_COOLDOWN_MS
    for (let i = 0; i < 5; i++) expect(await e.request(keySecret(B))).toBe('unknown_kid')
    expect(e.state.fetches).toBe(3)
    // A key published meanwhile is found by the refetch that an unknown kid triggers after the cooldown.
    e.state.published = json(B)
    expect(await e.request(keySecret(B))).toBe('unknown_kid')
    clock.now += JWKS_COOLDOWN_MS
    expect(await e.request(keySecret(B))).toBe('ok')
    expect(e.state.fetches).toBe(4)
  })

  it('keeps the last good set when a refresh fails, and reports jwks_unavailable (503) with none', async () => {
    const clock = { now: TEST_NOW_MS }
    const e = edge(clock)
    expect(await e.request()).toBe('ok')
    e.state.down = true
    clock.now += JWKS_MAX_AGE_MS
    expect(await e.request()).toBe('ok')
    const cold = edge(clock)
    cold.state.down = true
    expect(await cold.request()).toBe('jwks_unavailable')
  })
})

describe('key rotation procedure (README: publish next → switch → retire)', () => {
  // The strict verifier: like Istio's, it only refreshes on a timer, never on an unknown kid.
  async function run(steps: { signing: string; published: string }[]): Promise<string[]> {
    const clock = { now: TEST_NOW_MS }
    const e = edge(clock, { jwksCooldownMs: JWKS_MAX_AGE_MS })
    const outcomes: string[] = []
    for (const step of steps) {
      e.state.signing = step.signing
      e.state.published = step.published
      // Each step is held for longer than the verifier's cache; requests keep flowing throughout.
      for (let t = 0; t < JWKS_MAX_AGE_MS + 60_000; t += 20_000) {
        clock.now += 20_000
        outcomes.push(await e.request())
      }
    }
    return outcomes
  }

  it('rejects zero requests when the next key is published before it signs', async () => {
    const outcomes = await run([
      { signing: keySecret(A), published: '[]' },
      { signing: keySecret(A), published: json(B) }, // 1. publish next
      { signing: keySecret(B), published: json(A) }, // 2. sign with next, keep the old one published
      { signing: keySecret(B), published: '[]' }, // 3. retire the old key
    ])
    expect(outcomes.filter((o) => o !== 'ok')).toEqual([])
  })

  it('a token signed before the switch stays valid while the old key is published', async () => {
    const clock = { now: TEST_NOW_MS }
    const e = edge(clock)
    const keys = await loadSigningKeys(keySecret(A))
    if (!keys.ok) throw new Error(keys.detail)
    const digest = await contentDigest('{}')
    const early = await signContextToken(
      buildContextClaims(
        claimsInput({ nowSeconds: clock.now / 1000, request: { method: 'POST', path: '/p', digest } }),
      ),
      keys.keys[0]!,
    )
    e.state.signing = keySecret(B)
    e.state.published = json(A)
    clock.now += 30_000
    expect((await e.verifier.verify({ token: early, method: 'POST', path: '/p', body: '{}' })).ok).toBe(true)
  })

  it('skipping "publish next" rejects requests (so the test above can fail)', async () => {
    const outcomes = await run([
      { signing: keySecret(A), published: '[]' },
      { signing: keySecret(B), published: json(A) },
    ])
    expect(outcomes.filter((o) => o === 'unknown_kid').length).toBeGreaterThan(0)
  })

  it('a token from a retired key is refused once verifiers refresh', async () => {
    const clock = { now: TEST_NOW_MS }
    const e = edge(clock)
    const keys = await loadSigningKeys(keySecret(A))
    if (!keys.ok) throw new Error(keys.detail)
    const digest = await contentDigest('{}')
    const claims = buildContextClaims(
      claimsInput({
        nowSeconds: clock.now / 1000,
        lifetimeSeconds: 300,
        request: { method: 'POST', path: '/p', digest },
      }),
    )
    const old = await signContextToken(claims, keys.keys[0]!)
    e.state.signing = keySecret(B)
    expect(await e.request()).toBe('ok') // caches {B}
    clock.now += JWKS_COOLDOWN_MS
    const r = await e.verifier.verify({ token: old, method: 'POST', path: '/p', body: '{}' })
    expect(r).toMatchObject({ ok: false, reason: 'unknown_kid' })
  })
})
