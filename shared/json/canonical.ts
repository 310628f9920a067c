// Canonical JSON: object keys sorted by UTF-16 code units, no whitespace, numbers and strings as JSON.stringify
// writes them (RFC 8785 for the JSON values policies and MCP tool definitions hold). Runtime-neutral: the policy
// hash (build time, Node) and tool-definition pins (the Worker) must agree byte for byte.

/** `value` as canonical JSON; `undefined` members are left out, as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}
