// Malformed JSON-RPC through the gateway in workerd: every bad envelope, id, method, batch and body gets a JSON-RPC
// error or an HTTP refusal with a stable code, never a 500 (split from mcp.test.ts; same harness, one tenant).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { McpErrorCode } from '../../shared/mcp/errors.ts'
import { type McpHarness, startMcpHarness } from '../support/mcp-harness.ts'

const GUARDED = 'guarded.test'
let h: McpHarness

beforeAll(async () => {
  h = await startMcpHarness([
    { tenant: 'guarded', host: GUARDED, mcp: (pins) => ({ tools: { pins, definitionTtlSeconds: 0 } }) },
  ])
}, 60_000)
afterAll(async () => {
  await h?.stop()
})

describe('malformed JSON-RPC through workerd', () => {
  let token: string
  beforeAll(async () => {
    token = await h.mint('mcp:tools:*')
  })
  const post = (body: string | Uint8Array, headers: Record<string, string> = {}) =>
    h.fetch(GUARDED, '/mcp', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...headers,
      },
      body,
    })
  const call = (extra: Record<string, unknown> = {}) => ({ jsonrpc: '2.0', id: 1, method: 'ping', ...extra })
  const cases: [string, McpErrorCode, number, string | Uint8Array][] = [
    ['not JSON', 'mcp.parse_error', 400, '{"jsonrpc"'],
    ['duplicate keys', 'mcp.parse_error', 400, '{"jsonrpc":"2.0","id":1,"method":"ping","id":2}'],
    ['wrong version', 'mcp.invalid_request', 400, JSON.stringify(call({ jsonrpc: '1.0' }))],
    ['null id', 'mcp.invalid_request', 400, JSON.stringify(call({ id: null }))],
    ['boolean id', 'mcp.invalid_request', 400, JSON.stringify(call({ id: true }))],
    ['unknown method', 'mcp.method_not_found', 400, JSON.stringify(call({ method: 'tools/delete' }))],
    ['internal method', 'mcp.method_not_found', 400, JSON.stringify(call({ method: 'rpc.discover' }))],
    ['params as array', 'mcp.invalid_params', 400, JSON.stringify(call({ params: [] }))],
    ['empty batch', 'mcp.invalid_request', 400, '[]'],
    ['huge batch', 'mcp.batch_too_large', 413, JSON.stringify(Array.from({ length: 100 }, (_, i) => call({ id: i })))],
    ['body over the cap', 'mcp.body_too_large', 413, JSON.stringify(call({ params: { pad: 'x'.repeat(300_000) } }))],
    ['invalid UTF-8', 'mcp.parse_error', 400, new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])],
  ]
  it.each(cases)('%s → %s', async (_name, code, status, body) => {
    const res = await post(body)
    expect(res.status).toBe(status)
    const json = (await res.json()) as { error: { data: { code: string } } } | { error: { data: { code: string } } }[]
    const first = Array.isArray(json) ? json[0] : json
    expect(first?.error.data.code).toBe(code)
  })

  it('a call without a tool name is a JSON-RPC error; in a batch the rest is still forwarded', async () => {
    const bad = await post(JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'tools/call', params: {} }))
    expect(bad.status).toBe(200)
    expect(await bad.json()).toMatchObject({ id: 5, error: { data: { code: 'mcp.invalid_params' } } })
    const { client, transport } = await h.connect(GUARDED, token)
    const batch = await post(
      JSON.stringify([
        { jsonrpc: '2.0', id: 'a', method: 'tools/call', params: {} },
        { jsonrpc: '2.0', id: 'b', method: 'ping' },
      ]),
      { 'mcp-session-id': transport.sessionId ?? '', 'mcp-protocol-version': transport.protocolVersion ?? '' },
    )
    const text = await batch.text()
    expect(text).toContain('"mcp.invalid_params"')
    expect(text).toMatch(/"id":"b","result":\{\}|"result":\{\},"jsonrpc":"2.0","id":"b"/)
    await client.close()
  })

  it('wrong content type and method are HTTP refusals, never a 500', async () => {
    expect((await post('{}', { 'content-type': 'text/plain' })).status).toBe(415)
    const put = await h.fetch(GUARDED, '/mcp', { method: 'PUT', headers: { authorization: `Bearer ${token}` } })
    expect(put.status).toBe(405)
    expect(put.headers.get('allow')).toBe('GET, POST, DELETE')
  })
})
