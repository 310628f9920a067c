// The documented rotation procedure, run as its commands (generate → public → signing) against the real sign
// stage and JWKS route, with a verifier that caches the set like Istio does: zero requests may be refused.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { decodeProtectedHeader } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JWKS_MAX_AGE_MS } from '../shared/txn-token/jwks-cache.ts'
import { TEST_AUDIENCE, TEST_ISSUER, TEST_NOW_MS } from '../shared/txn-token/testing.ts'
import { createTxnTokenVerifier } from '../shared/txn-token/verifier.ts'
import type { Env } from '../workers/gateway/env.ts'
import { callSign, signApp } from '../workers/gateway/sign/testing.ts'
import { ensureDevTxnKeys, main, ROTATION_STEPS } from './txn-keys.ts'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'txn-keys-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('ensureDevTxnKeys', () => {
  it('creates private 0600 keys once and returns the same secrets afterwards', async () => {
    const first = await ensureDevTxnKeys(join(dir, 'dev'))
    const again = await ensureDevTxnKeys(join(dir, 'dev'))
    expect(again).toEqual(first)
    expect(JSON.parse(first.signingKeys)[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' })
    expect(first.publishedKeys).toBe('[]')
    expect((await stat(join(dir, 'dev', 'txn-signing-keys.json'))).mode & 0o777).toBe(0o600)
  })

  it('refuses a corrupted key file instead of starting unsigned', async () => {
    await ensureDevTxnKeys(join(dir, 'bad'))
    await writeFile(join(dir, 'bad', 'txn-signing-keys.json'), '{"kty":"EC"}')
    await expect(ensureDevTxnKeys(join(dir, 'bad'))).rejects.toThrow(/txn-signing-keys.json/)
  })
})

describe('rotation procedure (scripts/txn-keys.ts rotation)', () => {
  it('documents the three steps with the commands this test runs', async () => {
    for (const cmd of ['generate --kid', 'public .dev/next.jwk', 'signing .dev/next.jwk', 'TXN_PUBLISHED_KEYS']) {
      expect(ROTATION_STEPS).toContain(cmd)
    }
    await expect(main(['nonsense'])).rejects.toThrow(/usage/)
  })

  async function rotate(skipPublish: boolean): Promise<{ outcomes: string[]; kids: Set<string> }> {
    const current = join(dir, `current-${skipPublish}.jwk`)
    const next = join(dir, `next-${skipPublish}.jwk`)
    await writeFile(current, await main(['generate', '--kid', 'current']))
    await writeFile(next, await main(['generate', '--kid', 'next', '--alg', 'ES256']))
    const envs: Partial<Env>[] = [
      { TXN_SIGNING_KEYS: await main(['signing', current]), TXN_PUBLISHED_KEYS: '[]' },
      ...(skipPublish
        ? []
        : [{ TXN_SIGNING_KEYS: await main(['signing', current]), TXN_PUBLISHED_KEYS: await main(['public', next]) }]),
      { TXN_SIGNING_KEYS: await main(['signing', next]), TXN_PUBLISHED_KEYS: await main(['public', current]) },
      { TXN_SIGNING_KEYS: await main(['signing', next]), TXN_PUBLISHED_KEYS: '[]' },
    ]
    const clock = { now: TEST_NOW_MS }
    let env: Partial<Env> = {}
    const app = signApp({}, () => clock.now)
    const verifier = createTxnTokenVerifier({
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      jwksUri: `${TEST_ISSUER}/.well-known/jwks.json`,
      fetch: async (url) => app.request(url, {}, { ...env, TXN_ISSUER: TEST_ISSUER } as Env),
      jwksCooldownMs: JWKS_MAX_AGE_MS, // periodic refresh only, like Istio
      replay: false, // the tiny app reuses one request id
      now: () => clock.now,
    })
    const outcomes: string[] = []
    const kids = new Set<string>()
    for (const step of envs) {
      env = step
      for (let t = 0; t <= JWKS_MAX_AGE_MS + 60_000; t += 15_000) {
        clock.now += 15_000
        const { json } = await callSign(app, { ...env, TXN_ISSUER: TEST_ISSUER })
        const token = json.headers['txn-token']!
        kids.add(decodeProtectedHeader(token).kid!)
        const r = await verifier.verify({ token, method: 'POST', path: '/v1/chat/completions', body: json.body })
        outcomes.push(r.ok ? 'ok' : r.reason)
      }
    }
    return { outcomes, kids }
  }

  it('rotates with zero refused requests', async () => {
    const { outcomes, kids } = await rotate(false)
    expect(outcomes.filter((o) => o !== 'ok')).toEqual([])
    expect([...kids]).toEqual(['current', 'next'])
  })

  it('skipping step 1 refuses requests at a caching verifier (so the test above can fail)', async () => {
    const { outcomes } = await rotate(true)
    expect(outcomes).toContain('unknown_kid')
  })

  it('public never prints private members; signing keeps them', async () => {
    const file = join(dir, 'k.jwk')
    await writeFile(file, await main(['generate', '--alg', 'EdDSA', '--kid', 'e1']))
    expect(JSON.parse(await main(['public', file]))).toEqual([expect.not.objectContaining({ d: expect.anything() })])
    expect(JSON.parse(await main(['signing', file]))[0]).toHaveProperty('d')
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ kid: 'e1', alg: 'EdDSA', crv: 'Ed25519' })
  })
})
