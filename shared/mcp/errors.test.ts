import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { MCP_ERRORS, mcpError } from './errors.ts'

describe('MCP error codes', () => {
  it('are namespaced, JSON-RPC numbers in the spec’s ranges, generic messages', () => {
    for (const [code, spec] of Object.entries(MCP_ERRORS)) {
      expect(code).toMatch(/^mcp\.[a-z_]+$/)
      // JSON-RPC 2.0 §5.1: -32700 and -32600..-32603 are the protocol's, -32000..-32099 the server's.
      expect([-32700, -32600, -32601, -32602].includes(spec.rpc) || (spec.rpc <= -32000 && spec.rpc >= -32099)).toBe(
        true,
      )
      expect(spec.message).not.toMatch(/threshold|score|pattern|sha256/i)
    }
    const serverNumbers = Object.values(MCP_ERRORS)
      .filter((s) => s.rpc >= -32099 && s.rpc <= -32000)
      .map((s) => s.rpc)
    expect(new Set(serverNumbers).size).toBe(serverNumbers.length) // each server-defined number means one thing
  })

  it('render a JSON-RPC error with the stable code in data', () => {
    expect(mcpError('mcp.tool_forbidden', 'x')).toEqual({
      jsonrpc: '2.0',
      id: 'x',
      error: { code: -32001, message: 'Your scopes do not allow this tool.', data: { code: 'mcp.tool_forbidden' } },
    })
  })

  it('README’s MCP error table lists exactly MCP_ERRORS', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
    const table = readme.slice(readme.indexOf('<!-- mcp-errors:start -->'), readme.indexOf('<!-- mcp-errors:end -->'))
    const rows = table
      .split('\n')
      .filter((l) => l.startsWith('| `'))
      .map((l) => l.split('|').map((c) => c.trim()))
    const documented = Object.fromEntries(
      rows.map((r) => [r[1]?.replaceAll('`', ''), { rpc: Number(r[2]), status: Number(r[3]), message: r[4] }]),
    )
    expect(documented).toEqual(MCP_ERRORS)
  })
})
