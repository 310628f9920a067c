// What the context token tells an MCP server about one forwarded JSON-RPC exchange, under `tctx.mcp`: the
// methods and tools in the body, each called tool's pin state, and what argument screening did. The rest of
// the token (identity, policy, screen verdict, digest of the forwarded bytes) is the shared claim set.
import type { TxnTokenClaims } from '../txn-token/claims.ts'

export type ToolPinState = 'pinned' | 'unpinned' | 'mismatch_flagged'

export interface McpContextClaims {
  /** JSON-RPC methods forwarded in this body, in order (a batch lists several). */
  readonly methods: readonly string[]
  /** Tools called in this body, with the pin state the edge checked. */
  readonly tools: readonly { readonly name: string; readonly pin: ToolPinState }[]
  /** Ids the edge answered itself (refused) and removed from the forwarded body. */
  readonly refused: number
  /** Whether the caller sent an Mcp-Session-Id (the id itself is the server's, not the edge's, to vouch for). */
  readonly session: boolean
}

export type McpTxnTokenClaims = TxnTokenClaims & {
  readonly tctx: TxnTokenClaims['tctx'] & { readonly mcp: McpContextClaims }
}

/** The MCP part of verified claims, or null when the token is not an MCP one. */
export function mcpClaimsOf(claims: TxnTokenClaims): McpContextClaims | null {
  const mcp = (claims.tctx as { mcp?: unknown }).mcp
  return typeof mcp === 'object' && mcp !== null ? (mcp as McpContextClaims) : null
}
