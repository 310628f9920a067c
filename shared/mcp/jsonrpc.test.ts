import { describe, expect, it } from 'vitest'
import { MCP_ERRORS, type McpErrorCode } from './errors.ts'
import { MAX_JSON_DEPTH, nestsDeeperThan, parseClientBody } from './jsonrpc.ts'

const call = (extra: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id: 1,
  method: 'tools/call',
  params: { name: 'echo', arguments: { text: 'hi' } },
  ...extra,
})

describe('parseClientBody', () => {
  const bad: [string, string, McpErrorCode, number][] = [
    ['not JSON', '{"jsonrpc":', 'mcp.parse_error', 400],
    ['duplicate key', '{"jsonrpc":"2.0","id":1,"method":"ping","method":"tools/call"}', 'mcp.parse_error', 400],
    [
      'too deep',
      `{"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":${'['.repeat(40)}${']'.repeat(40)}}}`,
      'mcp.parse_error',
      400,
    ],
    ['wrong version', JSON.stringify(call({ jsonrpc: '1.0' })), 'mcp.invalid_request', 400],
    ['no version', JSON.stringify({ id: 1, method: 'ping' }), 'mcp.invalid_request', 400],
    ['null id', JSON.stringify(call({ id: null })), 'mcp.invalid_request', 400],
    ['fractional id', JSON.stringify(call({ id: 1.5 })), 'mcp.invalid_request', 400],
    ['object id', JSON.stringify(call({ id: { a: 1 } })), 'mcp.invalid_request', 400],
    ['empty string id', JSON.stringify(call({ id: '' })), 'mcp.invalid_request', 400],
    ['huge id', JSON.stringify(call({ id: 'x'.repeat(300) })), 'mcp.invalid_request', 400],
    ['extra member', JSON.stringify(call({ extra: true })), 'mcp.invalid_request', 400],
    ['array params', JSON.stringify(call({ params: [1] })), 'mcp.invalid_params', 400],
    ['unknown method', JSON.stringify(call({ method: 'tools/delete' })), 'mcp.method_not_found', 400],
    ['non-string method', JSON.stringify(call({ method: 7 })), 'mcp.invalid_request', 400],
    [
      'notification of a request method',
      JSON.stringify({ jsonrpc: '2.0', method: 'tools/call' }),
      'mcp.method_not_found',
      400,
    ],
    [
      'request with a notification method',
      JSON.stringify(call({ method: 'notifications/initialized' })),
      'mcp.method_not_found',
      400,
    ],
    [
      'response with both result and error',
      JSON.stringify({ jsonrpc: '2.0', id: 1, result: {}, error: {} }),
      'mcp.invalid_request',
      400,
    ],
    ['response with neither', JSON.stringify({ jsonrpc: '2.0', id: 1 }), 'mcp.invalid_request', 400],
    ['scalar', '42', 'mcp.invalid_request', 400],
    ['empty batch', '[]', 'mcp.invalid_request', 400],
    ['huge batch', JSON.stringify(Array.from({ length: 17 }, (_, i) => call({ id: i }))), 'mcp.batch_too_large', 413],
    ['duplicate ids in a batch', JSON.stringify([call(), call()]), 'mcp.invalid_request', 400],
    ['1 and "1" in a batch', JSON.stringify([call(), call({ id: '1' })]), 'mcp.invalid_request', 400],
    ['one bad entry in a batch', JSON.stringify([call(), { jsonrpc: '2.0', id: 2 }]), 'mcp.invalid_request', 400],
  ]
  it.each(bad)('%s → %s', (_name, body, code, status) => {
    const parsed = parseClientBody(body, 16)
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    expect(parsed.status).toBe(status)
    const first = parsed.errors[0]
    expect(first?.error.data.code).toBe(code)
    expect(first?.error.code).toBe(MCP_ERRORS[code].rpc)
    expect(JSON.stringify(parsed.errors)).not.toContain('xxxxxxxx') // caller text is never echoed
  })

  it('echoes a valid id in the error for a message it refuses', () => {
    const parsed = parseClientBody(JSON.stringify(call({ id: 'abc', method: 'tools/delete' })), 16)
    expect(!parsed.ok && parsed.errors[0]?.id).toBe('abc')
  })

  it('accepts a request, a notification, a client response and a batch of them', () => {
    const one = parseClientBody(JSON.stringify(call()), 16)
    expect(one).toMatchObject({ ok: true, batch: false, messages: [{ kind: 'request', method: 'tools/call' }] })
    const batch = parseClientBody(
      JSON.stringify([
        call({ id: 'a' }),
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        { jsonrpc: '2.0', id: 9, result: { roots: [] } },
      ]),
      16,
    )
    expect(batch.ok && batch.messages.map((m) => m.kind)).toEqual(['request', 'notification', 'response'])
  })

  it('bounds nesting in one pass, ignoring brackets inside strings', () => {
    expect(nestsDeeperThan('['.repeat(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false)
    expect(nestsDeeperThan('['.repeat(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true)
    expect(nestsDeeperThan(`["${'['.repeat(100)}"]`, MAX_JSON_DEPTH)).toBe(false)
    expect(nestsDeeperThan(`["\\"${'['.repeat(100)}"]`, MAX_JSON_DEPTH)).toBe(false)
  })
})
