// The local stack's MCP route as `npm start` serves it: the default tenant's policy (pins included), the dev MCP
// server started by local-services, a token minted like `npm run token -- --scope "mcp:tools:*"`, the SDK client
// over real HTTP.
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { McpError } from '@modelcontextprotocol/sdk/types.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Stack, startStack } from '../../scripts/dev/stack.ts'

let stack: Stack
beforeAll(async () => {
  stack = await startStack({ quiet: true })
}, 60_000)
afterAll(async () => {
  await stack?.stop()
})

describe('MCP on the local stack (default tenant)', () => {
  it('lists the pinned dev tools, runs an allowed call and withholds the poisoned page', async () => {
    const token = await stack.mint({ scope: 'mcp:tools:*' })
    const client = new Client({ name: 'stack-test', version: '1.0.0' })
    const transport = new StreamableHTTPClientTransport(new URL(`${stack.gatewayUrl}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    })
    await client.connect(transport)
    // Every dev tool matches its pin in policies/default/policy.yaml; a drifted SDK schema would hide them here.
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual([
      'delete_records',
      'echo',
      'fetch_page',
      'weather',
    ])
    expect((await client.callTool({ name: 'echo', arguments: { text: 'hi' } })).content).toEqual([
      { type: 'text', text: 'echo: hi' },
    ])
    const blocked = await client.callTool({ name: 'fetch_page', arguments: { url: 'x' } }).catch((e: unknown) => e)
    expect(blocked).toBeInstanceOf(McpError)
    expect((blocked as McpError).data).toEqual({ code: 'mcp.result_blocked' })
    await client.close()
  })

  it('chat scopes alone do not open the MCP route', async () => {
    const res = await fetch(`${stack.gatewayUrl}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await stack.mint({ scope: 'chat' })}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    })
    expect(res.status).toBe(403)
    expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"')
  })
})
