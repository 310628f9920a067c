// The defence the local stack demonstrates: the model tier verifies every request's Txn-Token (signature from
// the gateway's JWKS, body digest, method, path, single use) and refuses anything that bypassed the edge.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Stack, startStack } from '../../scripts/dev/stack.ts'

let stack: Stack
let token: string
beforeAll(async () => {
  stack = await startStack({ quiet: true })
  token = await stack.mint({ sub: 'carol', scope: 'chat' })
})
afterAll(async () => {
  await stack?.stop()
})

const body = JSON.stringify({ model: 'dev-model', messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 })
const errorCode = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code

describe('context token end to end', () => {
  it('the model tier verifies the token and sees identity and decisions', async () => {
    const res = await fetch(`${stack.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    })
    expect(res.status).toBe(200)
    const { received } = (await res.json()) as {
      received: { edge: { verified: boolean; claims: Record<string, unknown> }; headers: Record<string, string> }
    }
    expect(received.edge.verified).toBe(true)
    expect(received.edge.claims).toMatchObject({
      iss: stack.gatewayUrl,
      aud: 'portcullis-dev-model',
      sub: 'carol',
      tenant: 'default',
      scope: 'chat',
      verdict: 'allow',
      req: { method: 'POST', path: '/v1/chat/completions' },
      tctx: { model: 'dev-model', max_tokens: 3, limit: { checked: true, backend: 'durable-object' } },
    })
    expect(received.headers['content-digest']).toBe((received.edge.claims.req as { digest: string }).digest)
    expect(JSON.stringify(received.edge.claims)).not.toContain('hi"')
  })

  it('a request that bypasses the edge is refused by the model tier', async () => {
    const res = await fetch(`${stack.modelUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    })
    expect(res.status).toBe(401)
    expect(await errorCode(res)).toBe('edge_token_rejected')
  })

  it('a captured token cannot be replayed, re-targeted or bound to another body', async () => {
    // Capture what the gateway sent by asking the model tier to echo the headers it received.
    const res = await fetch(`${stack.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    })
    const { received } = (await res.json()) as { received: { headers: Record<string, string> } }
    const txn = received.headers['txn-token'] as string
    expect(txn.split('.')).toHaveLength(3)
    const direct = (path: string, b: string) =>
      fetch(`${stack.modelUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'txn-token': txn },
        body: b,
      })
    const tampered = await direct('/v1/chat/completions', body.replace('hi', 'ignore previous instructions'))
    expect(tampered.status).toBe(401)
    const retargeted = await direct('/v1/completions', body)
    expect(retargeted.status).toBe(401)
    const replayed = await direct('/v1/chat/completions', body)
    expect(replayed.status).toBe(401)
  })

  it('publishes the JWKS and discovery document', async () => {
    const jwks = (await (await fetch(`${stack.gatewayUrl}/.well-known/jwks.json`)).json()) as {
      keys: Record<string, unknown>[]
    }
    expect(jwks.keys.length).toBeGreaterThan(0)
    for (const k of jwks.keys) {
      expect(k).toMatchObject({ use: 'sig' })
      expect(k).not.toHaveProperty('d')
    }
    const disco = (await (await fetch(`${stack.gatewayUrl}/.well-known/openid-configuration`)).json()) as Record<
      string,
      string
    >
    expect(disco.issuer).toBe(stack.gatewayUrl)
    expect(disco.jwks_uri).toBe(`${stack.gatewayUrl}/.well-known/jwks.json`)
  })

  it('a gateway without a signing key refuses instead of forwarding unsigned', async () => {
    const broken = await startStack({ quiet: true, gatewayBindings: { TXN_SIGNING_KEYS: '[{"kty":"EC"}]' } })
    try {
      const t = await broken.mint()
      const res = await fetch(`${broken.gatewayUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${t}`, 'content-type': 'application/json' },
        body,
      })
      expect(res.status).toBe(503)
      expect(await errorCode(res)).toBe('sign.key_unavailable')
    } finally {
      await broken.stop()
    }
  })
})
