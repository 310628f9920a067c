import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildContextClaims, type TxnTokenClaims } from './claims.ts'
import { contentDigest } from './digest.ts'
import { requireTxnToken, withTxnToken } from './node.ts'
import { loadSigningKeys, signContextToken } from './signer.ts'
import { claimsInput, keySecret, publicJwks, TEST_ISSUER, TEST_KEYS, TEST_NOW_MS } from './testing.ts'
import { createTxnTokenVerifier } from './verifier.ts'

const verifier = () =>
  createTxnTokenVerifier({
    issuer: TEST_ISSUER,
    audience: 'model-tier.acme.test',
    jwks: publicJwks(TEST_KEYS.es256a),
    now: () => TEST_NOW_MS,
  })

async function token(path: string, body: string, requestId: string): Promise<string> {
  const keys = await loadSigningKeys(keySecret(TEST_KEYS.es256a))
  if (!keys.ok) throw new Error(keys.detail)
  const digest = await contentDigest(body)
  return signContextToken(
    buildContextClaims(claimsInput({ requestId, request: { method: 'POST', path, digest } })),
    keys.keys[0]!,
  )
}

const servers: Server[] = []
async function listen(listener: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(listener)
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))
})

describe('node:http adapters', () => {
  let plain: string
  let prefixed: string
  let connect: string
  beforeAll(async () => {
    const answer = (res: ServerResponse, claims: TxnTokenClaims, body: Buffer): void => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ sub: claims.sub, bytes: body.length }))
    }
    plain = await listen(
      withTxnToken(verifier(), (_req, res, v) => answer(res, v.claims, v.body), { maxBodyBytes: 64 }),
    )
    prefixed = await listen(
      withTxnToken(verifier(), (_req, res, v) => answer(res, v.claims, v.body), { stripPrefix: '/openai' }),
    )
    const guard = requireTxnToken(verifier())
    connect = await listen((req, res) =>
      guard(req, res, (err) => {
        const r = req as IncomingMessage & { txnToken?: TxnTokenClaims; rawBody?: Buffer }
        if (err || !r.txnToken || !r.rawBody) return res.writeHead(500).end()
        answer(res, r.txnToken, r.rawBody)
      }),
    )
  })

  const post = (base: string, path: string, body: string, t?: string) =>
    fetch(`${base}${path}`, { method: 'POST', body, headers: t ? { 'txn-token': t } : {} })

  it('passes a bound request with its exact bytes, and refuses the rest with a coded 401/413', async () => {
    const body = '{"a":1}'
    const ok = await post(plain, '/v1/embeddings?debug=1', body, await token('/v1/embeddings', body, 'n1'))
    expect(ok.status).toBe(200)
    expect(await ok.json()).toEqual({ sub: 'user-42', bytes: 7 })

    const cases: [string, Promise<Response>, number, string][] = [
      ['missing', post(plain, '/v1/embeddings', body), 401, 'txn_token.missing_token'],
      [
        'path',
        post(plain, '/v1/other', body, await token('/v1/embeddings', body, 'n2')),
        401,
        'txn_token.path_mismatch',
      ],
      [
        'too large',
        post(plain, '/v1/embeddings', 'x'.repeat(65), await token('/v1/embeddings', body, 'n3')),
        413,
        'txn_token.body_too_large',
      ],
    ]
    for (const [name, pending, status, code] of cases) {
      const res = await pending
      expect(res.status, name).toBe(status)
      expect(await res.json(), name).toMatchObject({ error: { code } })
    }
  })

  it('strips a configured prefix the upstream URL added', async () => {
    const body = '{}'
    expect(
      (await post(prefixed, '/openai/v1/embeddings', body, await token('/v1/embeddings', body, 'p1'))).status,
    ).toBe(200)
    expect((await post(plain, '/openai/v1/embeddings', body, await token('/v1/embeddings', body, 'p2'))).status).toBe(
      401,
    )
  })

  it('connect-style middleware sets req.txnToken and req.rawBody', async () => {
    const body = '{"b":2}'
    const res = await post(connect, '/v1/chat/completions', body, await token('/v1/chat/completions', body, 'c1'))
    expect(await res.json()).toEqual({ sub: 'user-42', bytes: 7 })
    expect((await post(connect, '/v1/chat/completions', body)).status).toBe(401)
  })
})
