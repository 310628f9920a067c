// The context token for a request forwarded to an MCP server: the shared claim set (identity, policy, screen
// verdict, RFC 9530 digest of the exact forwarded bytes) bound to the MCP server's own path and audience, plus
// `tctx.mcp`. Same keys and signer as the sign stage; like it, no key means no forward (sign.key_unavailable).
import type { Context } from 'hono'
import { GatewayError } from '../../../shared/errors.ts'
import type { McpContextClaims, McpTxnTokenClaims } from '../../../shared/mcp/claims.ts'
import type { McpPolicy } from '../../../shared/mcp/policy-schema.ts'
import type { ScreenDecision } from '../../../shared/screen/types.ts'
import { buildContextClaims, DEFAULT_WORKLOAD } from '../../../shared/txn-token/claims.ts'
import { contentDigest } from '../../../shared/txn-token/digest.ts'
import { loadSigningKeys, selectSigningKey, signContextToken } from '../../../shared/txn-token/signer.ts'
import type { AppEnv, ClientContext } from '../env.ts'
import { clientIpClaim } from '../sign/index.ts'

export interface McpSignOptions {
  readonly workload?: string
  /** Clock in ms since the epoch, for deterministic tests. */
  readonly now?: () => number
}

export interface McpForwardBinding {
  readonly method: 'GET' | 'POST' | 'DELETE'
  /** The MCP server's path (of `mcp.upstream.url`): what its verifier sees. */
  readonly path: string
  readonly bytes: Uint8Array
  readonly mcp: McpContextClaims
  readonly screen: ScreenDecision | null
  /** Distinguishes a second upstream request made for the same client request (its own jti). */
  readonly jtiSuffix?: string
}

/** Txn-Token + Content-Digest headers for one forwarded request, or null when the tenant signs nothing. */
export async function signMcpRequest(
  c: Context<AppEnv>,
  policy: McpPolicy,
  client: ClientContext,
  binding: McpForwardBinding,
  opts: McpSignOptions,
): Promise<Record<string, string>> {
  const tenant = c.get('tenant')
  const tokenPolicy = tenant.policy.contextToken
  const digest = await contentDigest(binding.bytes)
  if (!tokenPolicy.enabled) return { 'content-digest': digest }
  const issuer = c.env.TXN_ISSUER
  const keys = await loadSigningKeys(c.env.TXN_SIGNING_KEYS)
  const key = keys.ok ? selectSigningKey(keys.keys, tokenPolicy.algorithm) : null
  if (typeof issuer !== 'string' || issuer === '' || key === null) throw new GatewayError('sign.key_unavailable')
  const caller = c.get('caller')
  const claims = buildContextClaims({
    issuer,
    audience: policy.upstream.audience,
    nowSeconds: (opts.now ?? Date.now)() / 1000,
    lifetimeSeconds: tokenPolicy.lifetimeSeconds,
    requestId: `${c.get('requestId')}${binding.jtiSuffix ?? ''}`,
    traceparent: c.get('traceparent') ?? null,
    policy: { id: tenant.compiled.id, version: tenant.compiled.version, sha256: tenant.compiled.sha256 },
    mode: tenant.policy.mode,
    caller: { sub: caller.sub, scopes: caller.scopes, method: caller.method },
    workload: { name: opts.workload ?? DEFAULT_WORKLOAD, colo: client.colo },
    clientIp: await clientIpClaim(client.ip, tokenPolicy.clientIp, c.env.IP_HASH_KEY),
    country: client.country,
    asn: client.asn,
    ...(binding.screen ? { screen: binding.screen } : {}),
    shadowed: c.get('decisions').shadowed,
    request: { method: binding.method, path: binding.path, digest },
  })
  const withMcp: McpTxnTokenClaims = { ...claims, tctx: { ...claims.tctx, mcp: binding.mcp } }
  return { 'txn-token': await signContextToken(withMcp, key), 'content-digest': digest }
}
