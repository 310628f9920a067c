// OAuth 2.0 Protected Resource Metadata (RFC 9728) for a tenant's MCP endpoint, and the `WWW-Authenticate`
// challenge that points at it (RFC 9728 §5.1; MCP authorization spec 2025-06-18). Public by design: it names the
// issuers and scopes a client must ask for, nothing about the caller or the server behind the edge.

import type { McpPolicy } from '../../../shared/mcp/policy-schema.ts'
import { TOOL_SCOPE_PREFIX } from '../../../shared/mcp/scopes.ts'
import { resolveVarRef } from '../../../shared/policy/resolve.ts'
import type { ActiveTenant, Env } from '../env.ts'

export const PRM_PATH = '/.well-known/oauth-protected-resource'

/** The metadata URL for a resource path: RFC 9728 §3.1 inserts the well-known segment before the path. */
export function metadataUrl(origin: string, resourcePath: string): string {
  return `${origin}${PRM_PATH}${resourcePath}`
}

export function protectedResourceMetadata(origin: string, tenant: ActiveTenant, mcp: McpPolicy, env: Env) {
  const issuers = tenant.policy.auth.issuers.flatMap((i) => {
    const bound = resolveVarRef(i.issuer, env)
    return bound === null ? [] : [bound]
  })
  return {
    resource: `${origin}${mcp.path}`,
    authorization_servers: issuers,
    scopes_supported: [
      `${TOOL_SCOPE_PREFIX}*`,
      ...mcp.tools.allow.filter((p) => p !== '*').map((p) => TOOL_SCOPE_PREFIX + p),
    ],
    bearer_methods_supported: ['header'],
    resource_name: `Portcullis MCP (${tenant.compiled.id})`,
  }
}

/** The Bearer challenge for a refused MCP request; `error` per RFC 6750 §3.1 when the token itself was the issue. */
export function bearerChallenge(
  origin: string,
  mcp: McpPolicy,
  error: 'invalid_token' | 'insufficient_scope' | null,
): string {
  const parts = [`resource_metadata="${metadataUrl(origin, mcp.path)}"`]
  if (error !== null) parts.push(`error="${error}"`)
  if (error === 'insufficient_scope') parts.push(`scope="${TOOL_SCOPE_PREFIX}*"`)
  return `Bearer ${parts.join(', ')}`
}
