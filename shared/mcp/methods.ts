// The MCP methods the edge lets a client send (spec 2025-06-18, Streamable HTTP), as one table: what each is, and
// how the edge treats its answer. Anything not listed is refused with `mcp.method_not_found` — fail closed, so a
// method added to the protocol later is not forwarded unguarded. Types and checks derive from this table.

export const MCP_METHODS = [
  { name: 'initialize', kind: 'request', answer: 'pass' },
  { name: 'ping', kind: 'request', answer: 'pass' },
  { name: 'tools/list', kind: 'request', answer: 'tool_list' },
  { name: 'tools/call', kind: 'request', answer: 'tool_result' },
  { name: 'resources/list', kind: 'request', answer: 'pass' },
  { name: 'resources/templates/list', kind: 'request', answer: 'pass' },
  { name: 'resources/read', kind: 'request', answer: 'resource' },
  { name: 'resources/subscribe', kind: 'request', answer: 'pass' },
  { name: 'resources/unsubscribe', kind: 'request', answer: 'pass' },
  { name: 'prompts/list', kind: 'request', answer: 'pass' },
  { name: 'prompts/get', kind: 'request', answer: 'prompt' },
  { name: 'completion/complete', kind: 'request', answer: 'pass' },
  { name: 'logging/setLevel', kind: 'request', answer: 'pass' },
  { name: 'notifications/initialized', kind: 'notification', answer: 'pass' },
  { name: 'notifications/cancelled', kind: 'notification', answer: 'pass' },
  { name: 'notifications/progress', kind: 'notification', answer: 'pass' },
  { name: 'notifications/roots/list_changed', kind: 'notification', answer: 'pass' },
] as const

export type McpMethod = (typeof MCP_METHODS)[number]['name']
/** How the edge treats the answer: pass it on, filter a tool list, or screen a tool/resource/prompt result. */
export type AnswerKind = (typeof MCP_METHODS)[number]['answer']

const BY_NAME: ReadonlyMap<string, (typeof MCP_METHODS)[number]> = new Map(MCP_METHODS.map((m) => [m.name, m]))

export function methodSpec(name: string): (typeof MCP_METHODS)[number] | null {
  return BY_NAME.get(name) ?? null
}
