// Which tools a caller may see and call: the tenant's `mcp.tools.allow` AND one of the caller's `mcp:tools:<pattern>`
// scopes. A pattern is an exact name, `*`, or a prefix ending in `*` (policy-schema.ts) — no regex, so a
// scope string from a token can never cost more than a prefix comparison.

export const MCP_SCOPE_PREFIX = 'mcp:'
export const TOOL_SCOPE_PREFIX = 'mcp:tools:'

export function matchesToolPattern(pattern: string, name: string): boolean {
  if (pattern === '*') return true
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : pattern === name
}

/** The caller's tool patterns, from scopes like `mcp:tools:search` or `mcp:tools:*`. */
export function toolPatternsOf(scopes: readonly string[]): string[] {
  return scopes.filter((s) => s.startsWith(TOOL_SCOPE_PREFIX)).map((s) => s.slice(TOOL_SCOPE_PREFIX.length))
}

/** Any `mcp:` scope opens the route (initialize, lists, resources, prompts); tools need their own scope. */
export function hasMcpScope(scopes: readonly string[]): boolean {
  return scopes.some((s) => s.startsWith(MCP_SCOPE_PREFIX))
}

export function toolAllowed(name: string, tenantAllow: readonly string[], callerPatterns: readonly string[]): boolean {
  return tenantAllow.some((p) => matchesToolPattern(p, name)) && callerPatterns.some((p) => matchesToolPattern(p, name))
}
