// Every refusal the MCP route makes inside JSON-RPC, as one table: the stable string code (in `error.data.code`),
// the JSON-RPC error number and a fixed message. Clients match on the string code; the number follows JSON-RPC 2.0
// §5.1 (-32700..-32600 protocol errors, -32000..-32099 server-defined). README's MCP error table is checked
// against this one by errors.test.ts beside it. HTTP-level refusals (401, 404, 405, 415) keep shared/errors.ts.

interface McpErrorSpec {
  readonly rpc: number
  /** HTTP status when the refusal answers the whole POST (a single message or a batch refused as a whole). */
  readonly status: number
  readonly message: string
}

export const MCP_ERRORS = {
  'mcp.parse_error': { rpc: -32700, status: 400, message: 'Parse error.' },
  'mcp.invalid_request': { rpc: -32600, status: 400, message: 'Invalid JSON-RPC request.' },
  'mcp.batch_too_large': { rpc: -32600, status: 413, message: 'Too many messages in one batch.' },
  'mcp.body_too_large': { rpc: -32600, status: 413, message: 'Request body too large.' },
  'mcp.method_not_found': { rpc: -32601, status: 200, message: 'Method not found.' },
  'mcp.invalid_params': { rpc: -32602, status: 200, message: 'Invalid params.' },
  'mcp.tool_forbidden': { rpc: -32001, status: 200, message: 'Your scopes do not allow this tool.' },
  'mcp.tool_pin_mismatch': { rpc: -32002, status: 200, message: 'The tool definition no longer matches its pin.' },
  'mcp.tool_unpinned': { rpc: -32003, status: 200, message: 'The tool has no approved definition.' },
  'mcp.tool_unknown': { rpc: -32004, status: 200, message: 'The tool is not offered by the server.' },
  'mcp.tool_poisoned': { rpc: -32009, status: 200, message: 'The tool definition was refused by screening.' },
  'mcp.arguments_blocked': { rpc: -32005, status: 200, message: 'The tool arguments were refused by screening.' },
  'mcp.result_blocked': { rpc: -32006, status: 200, message: 'The result was withheld by screening.' },
  'mcp.rate_limited': { rpc: -32010, status: 200, message: 'Tool call rate limit exceeded.' },
  'mcp.limit_unavailable': { rpc: -32011, status: 200, message: 'Rate limiting is unavailable; try again later.' },
  'mcp.upstream_bad_response': { rpc: -32007, status: 502, message: 'The MCP server returned an invalid answer.' },
  'mcp.screen_unavailable': { rpc: -32008, status: 503, message: 'Screening is unavailable.' },
} as const satisfies Record<string, McpErrorSpec>

export type McpErrorCode = keyof typeof MCP_ERRORS

export type JsonRpcId = string | number

export interface JsonRpcErrorMessage {
  readonly jsonrpc: '2.0'
  readonly id: JsonRpcId | null
  readonly error: { readonly code: number; readonly message: string; readonly data: { readonly code: McpErrorCode } }
}

/** The JSON-RPC error answer for a refusal: fixed message, stable code, never the caller's input. */
export function mcpError(code: McpErrorCode, id: JsonRpcId | null): JsonRpcErrorMessage {
  const spec: McpErrorSpec = MCP_ERRORS[code]
  return { jsonrpc: '2.0', id, error: { code: spec.rpc, message: spec.message, data: { code } } }
}
