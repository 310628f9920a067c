// The MCP route family, mounted before ingress: per tenant, its `mcp.path` (Streamable HTTP: POST JSON-RPC, GET
// stream, DELETE session) and the RFC 9728 metadata under /.well-known/oauth-protected-resource. Tenant, network
// rules, IP shield and caller authentication are the OpenAI path's own stages, reused; what differs (JSON-RPC
// parsing, per-tool policy, screening both ways, signing for the MCP server) lives beside this file.
import type { Context, MiddlewareHandler } from 'hono'
import { GatewayError } from '../../../shared/errors.ts'
import type { McpPolicy } from '../../../shared/mcp/policy-schema.ts'
import { hasMcpScope } from '../../../shared/mcp/scopes.ts'
import type { CompiledPolicy } from '../../../shared/policy/schema.ts'
import { type AuthenticateOptions, authenticate } from '../authenticate/index.ts'
import type { AppEnv, ClientContext } from '../env.ts'
import { checkNetwork } from '../ingress/network.ts'
import { createTenantDirectory } from '../ingress/tenants.ts'
import { ipShield } from '../limit/ip-shield.ts'
import { createDefinitionCache, type DefinitionCache } from './definitions.ts'
import { type ExchangeDeps, handleDelete, handleGet, handlePost } from './exchange.ts'
import { bearerChallenge, PRM_PATH, protectedResourceMetadata } from './metadata.ts'
import type { McpUpstreamOptions } from './upstream.ts'

export interface McpRouteOptions {
  readonly tenants: readonly CompiledPolicy[]
  readonly authenticate?: AuthenticateOptions
  readonly upstream?: McpUpstreamOptions
  /** Reviewed tool definitions; one per isolate by default. */
  readonly definitions?: DefinitionCache
  /** Where the MCP decision log goes; defaults to console.log. */
  readonly log?: (line: string) => void
}

const METHODS = 'GET, POST, DELETE'
const noop = async () => {}

function clientOf(req: Request): ClientContext {
  const cf = (req as { cf?: IncomingRequestCfProperties }).cf
  return {
    ip: req.headers.get('cf-connecting-ip'), // set by Cloudflare's edge; absent locally
    country: typeof cf?.country === 'string' ? cf.country : null,
    asn: typeof cf?.asn === 'number' ? cf.asn : null,
    colo: typeof cf?.colo === 'string' ? cf.colo : null,
  }
}

export const mcpRoutes = (opts: McpRouteOptions): MiddlewareHandler<AppEnv> => {
  const directory = createTenantDirectory(opts.tenants)
  // Paths any tenant serves MCP on: every other request leaves at once, before any tenant lookup.
  const paths = new Set(opts.tenants.flatMap((t) => (t.policy.mcp ? [t.policy.mcp.path] : [])))
  const verifyCaller = authenticate(opts.authenticate)
  const shield = ipShield()
  const deps: ExchangeDeps = {
    upstream: opts.upstream ?? {},
    definitions: opts.definitions ?? createDefinitionCache(),
    now: opts.upstream?.now ?? Date.now,
    log: opts.log ?? ((line) => console.log(line)),
  }

  return async function mcp(c, next) {
    const path = c.req.path
    const wellKnown = path === PRM_PATH || path.startsWith(`${PRM_PATH}/`)
    if (!wellKnown && !paths.has(path)) return next()
    const tenant = directory.select(c.env, c.req.header('host') ?? new URL(c.req.url).host)
    const policy = tenant?.policy.mcp
    if (!tenant || !policy) return next()
    const origin = new URL(c.req.url).origin
    if (wellKnown) {
      if (path !== PRM_PATH && path !== `${PRM_PATH}${policy.path}`) return next()
      if (c.req.method !== 'GET') throw new GatewayError('ingress.method_not_allowed', null, { allow: 'GET' })
      return c.json(protectedResourceMetadata(origin, tenant, policy, c.env), 200, { 'cache-control': 'max-age=300' })
    }
    if (path !== policy.path) return next()

    c.set('tenant', tenant)
    const client = clientOf(c.req.raw)
    c.set('client', client)
    const blocked = checkNetwork(client, tenant.policy.ingress.network)
    if (blocked) throw new GatewayError(blocked)
    const method = c.req.method
    if (method !== 'POST' && method !== 'GET' && method !== 'DELETE')
      throw new GatewayError('ingress.method_not_allowed', null, { allow: METHODS })
    await shield(c, noop)
    await authenticateCaller(c, verifyCaller, origin, policy)
    if (!hasMcpScope(c.get('caller').scopes))
      throw new GatewayError('authz.endpoint_forbidden', null, {
        'www-authenticate': bearerChallenge(origin, policy, 'insufficient_scope'),
      })
    if (method === 'POST') return handlePost(c, policy, client, deps)
    if (method === 'GET') return handleGet(c, policy, client, deps)
    return handleDelete(c, policy, client, deps)
  }
}

/** The authenticate stage, unchanged; its 401s get the RFC 9728 challenge so MCP clients can find the issuer. */
async function authenticateCaller(
  c: Context<AppEnv>,
  verifyCaller: MiddlewareHandler<AppEnv>,
  origin: string,
  policy: McpPolicy,
): Promise<void> {
  try {
    await verifyCaller(c, noop)
  } catch (err) {
    if (!(err instanceof GatewayError) || !err.code.startsWith('auth.') || err.code.startsWith('auth.jwks')) throw err
    const error = err.code === 'auth.missing_token' ? null : 'invalid_token'
    throw new GatewayError(err.code, err.param, { 'www-authenticate': bearerChallenge(origin, policy, error) })
  }
}
