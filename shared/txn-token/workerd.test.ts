// The signer and the verifier run unchanged in workerd (the dev model tier and the gateway are Workers):
// a probe Worker signs, then verifies against a JWKS served by a fetch stub, all inside workerd.
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keySecret, TEST_KEYS } from './testing.ts'

const HERE = fileURLToPath(new URL('.', import.meta.url))
const PROBE = `
import { buildContextClaims } from './claims.ts'
import { contentDigest } from './digest.ts'
import { loadPublishedJwks, loadSigningKeys, selectSigningKey, signContextToken } from './signer.ts'
import { claimsInput, TEST_ISSUER, TEST_AUDIENCE } from './testing.ts'
import { createTxnTokenVerifier } from './verifier.ts'
export default {
  async fetch(req, env) {
    const alg = new URL(req.url).searchParams.get('alg')
    const keys = await loadSigningKeys(env.TXN_SIGNING_KEYS)
    const jwks = await loadPublishedJwks(env.TXN_SIGNING_KEYS, '[]')
    const body = '{"x":1}'
    const digest = await contentDigest(body)
    const nowMs = Date.now()
    const claims = buildContextClaims(claimsInput({ nowSeconds: nowMs / 1000, request: { method: 'POST', path: '/v1/embeddings', digest } }))
    const token = await signContextToken(claims, selectSigningKey(keys.keys, alg))
    const verifier = createTxnTokenVerifier({
      issuer: TEST_ISSUER, audience: TEST_AUDIENCE, jwksUri: 'https://edge.test/.well-known/jwks.json',
      fetch: async () => Response.json(jwks.jwks),
    })
    const ok = await verifier.verify({ token, method: 'POST', path: '/v1/embeddings', body })
    const replay = await verifier.verify({ token, method: 'POST', path: '/v1/embeddings', body })
    const tampered = await verifier.verify({ token, method: 'POST', path: '/v1/embeddings', body: '{"x":2}' })
    return Response.json({ ok, replay, tampered })
  },
}`

let mf: Miniflare
beforeAll(async () => {
  const out = await build({
    stdin: { contents: PROBE, resolveDir: HERE, loader: 'ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'browser'],
    mainFields: ['module', 'main'],
    logLevel: 'silent',
  })
  mf = new Miniflare({
    modules: [{ type: 'ESModule', path: 'probe.js', contents: out.outputFiles[0]!.text }],
    compatibilityDate: '2026-04-01',
    bindings: { TXN_SIGNING_KEYS: keySecret(TEST_KEYS.es256a, TEST_KEYS.ed25519) },
  })
  await mf.ready
})
afterAll(async () => {
  await mf?.dispose()
})

describe('txn-token in workerd', () => {
  it.each(['ES256', 'EdDSA'])('%s: signs, verifies, refuses a replay and a tampered body', async (alg) => {
    const res = await mf.dispatchFetch(`http://probe.local/?alg=${alg}`)
    const r = (await res.json()) as Record<string, { ok: boolean; reason?: string; claims?: { tenant: string } }>
    expect(r.ok).toMatchObject({ ok: true, claims: { tenant: 'acme' } })
    expect(r.replay).toMatchObject({ ok: false, reason: 'replayed' })
    expect(r.tampered).toMatchObject({ ok: false, reason: 'digest_mismatch' })
  })
})
