// Interop: an independent JOSE implementation (PyJWT 2.6 from Debian's python3-jwt, run with /usr/bin/python3)
// verifies real tokens from the sign stage using only the JWKS the gateway publishes, and recomputes the digest.
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keySecret, TEST_AUDIENCE, TEST_ISSUER, TEST_KEYS } from '../../shared/txn-token/testing.ts'
import type { Env } from '../../workers/gateway/env.ts'
import { callSign, signApp, testPolicy } from '../../workers/gateway/sign/testing.ts'

const run = promisify(execFile)
const SCRIPT = fileURLToPath(new URL('./pyjwt_verify.py', import.meta.url))
// Debian's interpreter: python3-jwt is installed there, not in a python3 that may come first on PATH.
const PYTHON = '/usr/bin/python3'
const ENV: Partial<Env> = {
  TXN_SIGNING_KEYS: keySecret(TEST_KEYS.es256a, TEST_KEYS.ed25519),
  TXN_ISSUER: TEST_ISSUER,
  IP_HASH_KEY: 'k',
}

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pyjwt-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

type PyResult = { ok: boolean; error?: string; alg?: string; claims?: Record<string, unknown> }

async function pyjwt(token: string, body: string, opts: { issuer?: string; path?: string } = {}): Promise<PyResult> {
  const app = signApp()
  const jwks = await (await app.request('https://gw.test/.well-known/jwks.json', {}, ENV as Env)).text()
  const files = { jwks: join(dir, 'jwks.json'), token: join(dir, 'token.txt'), body: join(dir, 'body.bin') }
  await writeFile(files.jwks, jwks)
  await writeFile(files.token, token)
  await writeFile(files.body, body)
  const args = [SCRIPT, files.jwks, files.token, files.body, opts.issuer ?? TEST_ISSUER, TEST_AUDIENCE, 'POST']
  const { stdout } = await run(PYTHON, [...args, opts.path ?? '/v1/chat/completions'])
  return JSON.parse(stdout) as PyResult
}

describe('PyJWT verifies gateway tokens from the published JWKS', () => {
  for (const algorithm of ['ES256', 'EdDSA'] as const) {
    it(`${algorithm}: signature, typ, iss, aud, lifetime and body digest`, async () => {
      // Real clock: PyJWT checks exp/iat against its own time.
      const app = signApp({ compiled: testPolicy({ contextToken: { algorithm } }) }, Date.now)
      const { json } = await callSign(app, ENV)
      const result = await pyjwt(json.headers['txn-token']!, json.body)
      expect(result).toMatchObject({ ok: true, alg: algorithm, claims: { tenant: 'acme', sub: 'user-42' } })
    })
  }

  it('and refuses what it should (so the checks above can fail)', async () => {
    const app = signApp({}, Date.now)
    const { json } = await callSign(app, ENV)
    const token = json.headers['txn-token']!
    expect(await pyjwt(token, `${json.body} `)).toMatchObject({ ok: false, error: 'digest' })
    expect(await pyjwt(token, json.body, { path: '/v1/embeddings' })).toMatchObject({ ok: false, error: 'binding' })
    expect(await pyjwt(token, json.body, { issuer: 'https://other.test' })).toMatchObject({
      ok: false,
      error: 'InvalidIssuerError',
    })
    const [h, p, s] = token.split('.')
    const flipped = `${h}.${p}.${s!.startsWith('A') ? 'B' : 'A'}${s!.slice(1)}`
    expect(await pyjwt(flipped, json.body)).toMatchObject({ ok: false, error: 'InvalidSignatureError' })
    const old = signApp({}, () => Date.now() - 3_600_000)
    const expired = (await callSign(old, ENV)).json.headers['txn-token']!
    expect(await pyjwt(expired, json.body)).toMatchObject({ ok: false, error: 'ExpiredSignatureError' })
  })
})
