// Tool-definition pins: sha256 over the canonical JSON (sorted keys, no whitespace; RFC 8785 for the JSON an MCP
// server sends) of exactly `{name, description, inputSchema}`. Annotations, titles and output schemas are left
// out on purpose: they do not change what the agent is told the tool does or what it sends to it.
// WebCrypto only, so the Worker, the pin CLI and the tests compute the same hash.

import { canonicalJson } from '../json/canonical.ts'

export interface ToolDefinition {
  readonly name: string
  readonly description?: string
  readonly inputSchema?: unknown
}

export { canonicalJson } // the pin test checks the form it hashes

const encoder = new TextEncoder()

/** `sha256:<hex>` of the definition; a missing description or schema hashes as null, not as absent. */
export async function pinOf(tool: ToolDefinition): Promise<string> {
  const text = canonicalJson({
    name: tool.name,
    description: tool.description ?? null,
    inputSchema: tool.inputSchema ?? null,
  })
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)))
  let hex = ''
  for (const b of digest) hex += b.toString(16).padStart(2, '0')
  return `sha256:${hex}`
}

export type PinVerdict = 'pinned' | 'mismatch' | 'unpinned'

export function comparePin(pins: Readonly<Record<string, string>>, name: string, actual: string): PinVerdict {
  if (!Object.hasOwn(pins, name)) return 'unpinned'
  return pins[name] === actual ? 'pinned' : 'mismatch'
}
