// The MCP route end to end: the official SDK client → the gateway in workerd → the dev MCP server (official SDK,
// Txn-Token verified). Two tenants on one gateway: `guarded` (pins, blocks) and `lenient` (flags only).
import { McpError } from '@modelcontextprotocol/sdk/types.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEV_MCP_AUDIENCE, INJECTED_PAGE, WEATHER } from '../../scripts/dev/mcp-server.ts'
import { mcpClaimsOf } from '../../shared/mcp/claims.ts'
import { MCP_ERRORS, type McpErrorCode } from '../../shared/mcp/errors.ts'
import { parsePrivateJwks, publicOnly } from '../../shared/txn-token/keys.ts'
import { createTxnTokenVerifier } from '../../shared/txn-token/verifier.ts'
import { type McpHarness, startMcpHarness } from '../support/mcp-harness.ts'

const GUARDED = 'guarded.test'
const LENIENT = 'lenient.test'
const SECRET = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD'
let h: McpHarness

beforeAll(async () => {
  h = await startMcpHarness([
    { tenant: 'guarded', host: GUARDED, mcp: (pins) => ({ tools: { pins, definitionTtlSeconds: 0 } }) },
    {
      tenant: 'lenient',
      host: LENIENT,
      mcp: () => ({
        tools: { onPinMismatch: 'flag', rateLimits: [{ tools: ['echo'], limit: 2, windowSeconds: 60 }] },
        screen: { results: 'flag', descriptions: 'flag' },
      }),
    },
  ])
}, 60_000)
afterAll(async () => {
  await h?.stop()
})

async function rpcFailure(p: Promise<unknown>): Promise<{ rpc: number; code: string }> {
  try {
    await p
  } catch (err) {
    if (err instanceof McpError) return { rpc: err.code, code: (err.data as { code: string }).code }
    throw err
  }
  throw new Error('expected a JSON-RPC error')
}

function expectCode(failure: { rpc: number; code: string }, code: McpErrorCode): void {
  expect(failure).toEqual({ rpc: MCP_ERRORS[code].rpc, code })
}

describe('MCP through the gateway (SDK client, workerd, SDK server)', () => {
  it('lists only the tools the caller’s scopes name', async () => {
    const narrow = await h.connect(GUARDED, await h.mint('mcp:tools:echo mcp:tools:weather'))
    expect((await narrow.client.listTools()).tools.map((t) => t.name).sort()).toEqual(['echo', 'weather'])
    await narrow.client.close()
    const wide = await h.connect(GUARDED, await h.mint('mcp:tools:*'))
    expect((await wide.client.listTools()).tools.map((t) => t.name).sort()).toEqual([
      'delete_records',
      'echo',
      'fetch_page',
      'weather',
    ])
    await wide.client.close()
  })
})

describe('per-tool policy', () => {
  it('a call to a tool outside the caller’s scopes is refused at the edge, never forwarded', async () => {
    const { client } = await h.connect(GUARDED, await h.mint('mcp:tools:echo'))
    const before = h.server.received.length
    expectCode(
      await rpcFailure(client.callTool({ name: 'delete_records', arguments: { ids: ['1'] } })),
      'mcp.tool_forbidden',
    )
    const forwarded = h.server.received.slice(before).map((r) => r.body.toString())
    expect(forwarded.some((b) => b.includes('delete_records'))).toBe(false)
    const ok = await client.callTool({ name: 'echo', arguments: { text: 'hello' } })
    expect(ok.content).toEqual([{ type: 'text', text: 'echo: hello' }])
    await client.close()
  })

  it('a caller with no mcp: scope cannot open the route; no token gets the RFC 9728 challenge', async () => {
    await expect(h.connect(GUARDED, await h.mint('chat'))).rejects.toThrow(/authz.endpoint_forbidden/)
    const res = await h.fetch(GUARDED, '/mcp', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    })
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer resource_metadata="http://guarded.test/.well-known/oauth-protected-resource/mcp"',
    )
    const meta = await h.fetch(GUARDED, '/.well-known/oauth-protected-resource/mcp')
    expect(await meta.json()).toMatchObject({
      resource: 'http://guarded.test/mcp',
      authorization_servers: ['https://mcp-idp.test'],
      scopes_supported: ['mcp:tools:*'],
      bearer_methods_supported: ['header'],
    })
    expect((await h.fetch(GUARDED, '/.well-known/oauth-protected-resource')).status).toBe(200)
  })
})

describe('per-tool rate limits (Durable Object limiter in workerd)', () => {
  it('count each caller’s calls of a limited tool; the edge answers the call over the limit', async () => {
    const { client } = await h.connect(LENIENT, await h.mint('mcp:tools:*', 'carol'))
    for (let i = 0; i < 2; i++) await client.callTool({ name: 'echo', arguments: { text: `n${i}` } })
    expectCode(await rpcFailure(client.callTool({ name: 'echo', arguments: { text: 'n2' } })), 'mcp.rate_limited')
    // Other tools and other callers keep their own budgets.
    expect((await client.callTool({ name: 'weather', arguments: { city: 'Rome' } })).isError).toBeFalsy()
    await client.close()
    const other = await h.connect(LENIENT, await h.mint('mcp:tools:*', 'dave'))
    expect((await other.client.callTool({ name: 'echo', arguments: { text: 'x' } })).content).toEqual([
      { type: 'text', text: 'echo: x' },
    ])
    await other.client.close()
  })
})

describe('screening both ways', () => {
  it('an injected tool or resource result is withheld (guarded) or passed on (lenient: flag)', async () => {
    const guarded = await h.connect(GUARDED, await h.mint('mcp:tools:*'))
    expectCode(
      await rpcFailure(guarded.client.callTool({ name: 'fetch_page', arguments: { url: 'https://docs.example' } })),
      'mcp.result_blocked',
    )
    expectCode(await rpcFailure(guarded.client.readResource({ uri: 'docs://readme' })), 'mcp.result_blocked')
    await guarded.client.close()
    const lenient = await h.connect(LENIENT, await h.mint('mcp:tools:*'))
    const passed = await lenient.client.callTool({ name: 'fetch_page', arguments: { url: 'https://docs.example' } })
    expect(passed.content).toEqual([{ type: 'text', text: INJECTED_PAGE }])
    await lenient.client.close()
  })

  it('a credential in tool arguments is redacted before the MCP server sees it', async () => {
    const { client } = await h.connect(GUARDED, await h.mint('mcp:tools:echo'))
    const result = await client.callTool({ name: 'echo', arguments: { text: `use ${SECRET} for the build` } })
    expect(result.content).toEqual([{ type: 'text', text: 'echo: use [SECRET_1] for the build' }])
    expect(h.server.received.some((r) => r.body.includes(SECRET))).toBe(false)
    await client.close()
  })
})

describe('pinned definitions', () => {
  it('a definition changed after pinning is hidden and its calls refused; the lenient tenant flags it', async () => {
    const { client } = await h.connect(GUARDED, await h.mint('mcp:tools:*'))
    expect((await client.callTool({ name: 'weather', arguments: { city: 'Oslo' } })).structuredContent).toEqual({
      city: 'Oslo',
      sky: 'sunny',
    })
    h.server.setWeather('changed')
    try {
      // No re-list needed: the edge re-reads the definition for the call (definitionTtlSeconds: 0 here).
      expectCode(
        await rpcFailure(client.callTool({ name: 'weather', arguments: { city: 'Oslo' } })),
        'mcp.tool_pin_mismatch',
      )
      expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('weather')
      const lenient = await h.connect(LENIENT, await h.mint('mcp:tools:*'))
      const listed = (await lenient.client.listTools()).tools.find((t) => t.name === 'weather')
      expect(listed?.description).toBe(WEATHER.changed)
      await lenient.client.close()
    } finally {
      h.server.setWeather('original')
    }
    expect((await client.listTools()).tools.map((t) => t.name)).toContain('weather')
    await client.close()
  })
})

describe('transport and signed context', () => {
  it('keeps the session id end to end and ends the session with DELETE', async () => {
    const { client, transport } = await h.connect(GUARDED, await h.mint('mcp:tools:echo'))
    const session = transport.sessionId
    expect(session).toMatch(/^[0-9a-f-]{36}$/)
    const before = h.server.received.length
    await client.callTool({ name: 'echo', arguments: { text: 'a' } })
    await client.ping()
    const seen = h.server.received.slice(before).map((r) => r.sessionId)
    expect(seen.length).toBeGreaterThanOrEqual(2)
    expect(new Set(seen)).toEqual(new Set([session]))
    await transport.terminateSession()
    expect(transport.sessionId).toBeUndefined()
    await client.close()
  })

  it('proxies the GET stream of a session, signed, and passes the server’s refusals through', async () => {
    const token = await h.mint('mcp:tools:echo')
    const before = h.server.received.length
    const { client, transport } = await h.connect(GUARDED, token)
    // The SDK client opens the session's GET stream itself, through the edge, after initialize — in the
    // background, so wait for it to arrive (bounded) rather than racing it.
    const gets = () => h.server.received.slice(before).filter((r) => r.claims.req.method === 'GET')
    for (let i = 0; i < 100 && gets().length === 0; i++) await new Promise((r) => setTimeout(r, 20))
    expect(gets().map((r) => r.sessionId)).toEqual([transport.sessionId])
    const headers = { authorization: `Bearer ${token}`, accept: 'text/event-stream' }
    // A second stream for the same session: the server answers 409, and the edge passes it on unchanged.
    const second = await h.fetch(GUARDED, '/mcp', {
      headers: { ...headers, 'mcp-session-id': transport.sessionId ?? '', 'mcp-protocol-version': '2025-06-18' },
    })
    expect(second.status).toBe(409)
    expect((await h.fetch(GUARDED, '/mcp', { headers })).status).toBe(400) // no session id
    await client.close()
  })

  it('the MCP server’s verifier accepts the edge token once, bound to its path, audience and bytes', async () => {
    const { client } = await h.connect(GUARDED, await h.mint('mcp:tools:echo', 'bob'))
    await client.callTool({ name: 'echo', arguments: { text: 'signed' } })
    await client.close()
    const last = h.server.received.findLast((r) => r.body.includes('"tools/call"'))
    if (!last) throw new Error('no tools/call reached the server')
    expect(last.claims).toMatchObject({
      sub: 'bob',
      tenant: 'guarded',
      aud: DEV_MCP_AUDIENCE,
      req: { method: 'POST', path: '/mcp' },
    })
    expect(mcpClaimsOf(last.claims)).toEqual({
      methods: ['tools/call'],
      tools: [{ name: 'echo', pin: 'pinned' }],
      refused: 0,
      session: true,
    })

    // Replayed: the same token and bytes again, straight to the server.
    const replay = await fetch(h.server.url, {
      method: 'POST',
      headers: {
        'txn-token': last.token,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': last.sessionId ?? '',
      },
      body: last.body,
    })
    expect(replay.status).toBe(401)
    expect(await replay.json()).toEqual({ error: { code: 'txn_token.replayed' } })

    // Re-targeted: another service, another path, other bytes — each refused by the shared verifier.
    const keys = parsePrivateJwks(h.vars.TXN_SIGNING_KEYS)
    if (!keys.ok) throw new Error(keys.detail)
    const verifierFor = (audience: string) =>
      createTxnTokenVerifier({
        issuer: h.gatewayUrl,
        audience,
        jwks: { keys: keys.keys.map(publicOnly) },
        replay: false,
      })
    const input = { token: last.token, method: 'POST', path: '/mcp', body: last.body }
    expect(await verifierFor('portcullis-dev-model').verify(input)).toMatchObject({
      ok: false,
      reason: 'wrong_audience',
    })
    expect(await verifierFor(DEV_MCP_AUDIENCE).verify({ ...input, path: '/v1/chat/completions' })).toMatchObject({
      ok: false,
      reason: 'path_mismatch',
    })
    expect(
      await verifierFor(DEV_MCP_AUDIENCE).verify({ ...input, body: last.body.toString().replace('signed', 'altered') }),
    ).toMatchObject({ ok: false, reason: 'digest_mismatch' })
    expect(await verifierFor(DEV_MCP_AUDIENCE).verify(input)).toMatchObject({ ok: true })
  })
})
