// Context-token benchmark for `npm run bench -- --json`: signing and the sign stage timed inside workerd
// (Miniflare), the verifier timed in Node. Timings are reported, never asserted (a benchmark is not a test).
import { performance } from 'node:perf_hooks'
import { pathToFileURL } from 'node:url'
import { freePort, startWorker } from '../scripts/dev/stack.ts'
import { buildContextClaims } from '../shared/txn-token/claims.ts'
import { contentDigest } from '../shared/txn-token/digest.ts'
import { loadSigningKeys, signContextToken } from '../shared/txn-token/signer.ts'
import {
  claimsInput,
  keySecret,
  publicJwks,
  TEST_AUDIENCE,
  TEST_ISSUER,
  TEST_KEYS,
  TEST_NOW_MS,
} from '../shared/txn-token/testing.ts'
import { createTxnTokenVerifier } from '../shared/txn-token/verifier.ts'
import { TEST_BODY } from '../workers/gateway/sign/testing.ts'

const VERIFY_ITERATIONS = 2_000

export async function benchTxnToken(): Promise<Record<string, number>> {
  return { ...(await benchInWorkerd()), ...(await benchVerifyInNode()) }
}

async function benchInWorkerd(): Promise<Record<string, number>> {
  const { mf } = await startWorker('bench/txn-token.worker.ts', await freePort(), {
    bindings: {
      TXN_SIGNING_KEYS: keySecret(TEST_KEYS.es256a, TEST_KEYS.ed25519),
      TXN_ISSUER: TEST_ISSUER,
      IP_HASH_KEY: 'bench',
    },
    quiet: true,
  })
  try {
    const res = await mf.dispatchFetch('http://bench.local/')
    if (!res.ok) throw new Error(`bench worker failed: ${await res.text()}`)
    const raw = (await res.json()) as Record<string, number>
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, round(v)]))
  } finally {
    await mf.dispose()
  }
}

async function benchVerifyInNode(): Promise<Record<string, number>> {
  const keys = await loadSigningKeys(keySecret(TEST_KEYS.es256a))
  if (!keys.ok) throw new Error(keys.detail)
  const digest = await contentDigest(TEST_BODY)
  const tokens: string[] = []
  for (let i = 0; i < VERIFY_ITERATIONS; i++) {
    const claims = buildContextClaims(
      claimsInput({ requestId: `bench-${i}`, request: { method: 'POST', path: '/v1/chat/completions', digest } }),
    )
    tokens.push(await signContextToken(claims, keys.keys[0]!))
  }
  // The full check a model tier runs: JWKS lookup (cached), signature, claims, digest, jti in the in-memory LRU.
  const verifier = createTxnTokenVerifier({
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
    jwks: publicJwks(TEST_KEYS.es256a),
    now: () => TEST_NOW_MS,
  })
  const input = { method: 'POST', path: '/v1/chat/completions', body: TEST_BODY }
  for (let i = 0; i < 100; i++) await verifier.verify({ token: tokens[i]!, ...input })
  const samples: number[] = []
  for (let i = 100; i < tokens.length; i++) {
    const start = performance.now()
    const result = await verifier.verify({ token: tokens[i]!, ...input })
    samples.push((performance.now() - start) * 1000)
    if (!result.ok) throw new Error(`verify failed in bench: ${result.reason}`)
  }
  samples.sort((a, b) => a - b)
  const pct = (p: number) => round(samples[Math.min(samples.length - 1, Math.floor(samples.length * p))]!)
  return { verify_p50_us: pct(0.5), verify_p99_us: pct(0.99), token_bytes: tokens[0]!.length }
}

const round = (v: number) => Math.round(v * 10) / 10

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  benchTxnToken().then(
    (r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`),
    (err: Error) => {
      process.stderr.write(`bench txn-token: ${err.message}\n`)
      process.exit(1)
    },
  )
}
