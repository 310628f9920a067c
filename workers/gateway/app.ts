// The guarded request path, top to bottom. Each line is one stage; each stage lives in its own folder with its
// test beside it. Refusals are thrown as GatewayError and rendered in one place (errors.ts).
import { Hono } from 'hono'
import type { CompiledPolicy } from '../../shared/policy/schema.ts'
import { type AuthenticateOptions, authenticate } from './authenticate/index.ts'
import { authorize } from './authorize/index.ts'
import type { AppEnv } from './env.ts'
import { errorResponse, renderError } from './errors.ts'
import { type ForwardOptions, forward } from './forward/index.ts'
import { ingress } from './ingress/index.ts'
import { ipShield, type LimitStageOptions, limit } from './limit/index.ts'
import { type McpRouteOptions, mcpRoutes } from './mcp/index.ts'
import { pseudonymize, respond } from './respond/index.ts'
import { type ScreenStageOptions, screen } from './screen/index.ts'
import { type SignStageOptions, sign } from './sign/index.ts'
import { txnWellKnown } from './sign/well-known.ts'
import { type TraceOptions, timed, trace } from './trace/index.ts'

export interface GatewayOptions {
  readonly tenants: readonly CompiledPolicy[]
  readonly trace?: TraceOptions
  readonly authenticate?: AuthenticateOptions
  readonly limit?: LimitStageOptions
  readonly screen?: ScreenStageOptions
  readonly sign?: SignStageOptions
  readonly forward?: ForwardOptions
  readonly mcp?: Omit<McpRouteOptions, 'tenants' | 'authenticate'>
}

export function createGateway(opts: GatewayOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.onError(renderError)
  app.notFound(() => errorResponse('ingress.not_found'))

  app.use(trace(opts.trace)) //                      request id, traceparent, Server-Timing, decision log + metrics
  app.route('/', txnWellKnown()) //                  public: the edge's JWKS + discovery for verifiers
  app.use(mcpRoutes({ ...opts.mcp, tenants: opts.tenants, authenticate: opts.authenticate })) // MCP route family
  app.use(timed('ingress', ingress({ tenants: opts.tenants }))) // tenant, route, network, content type, body, shape
  app.use(timed('ipshield', ipShield())) // cheap per-IP flood shield before any JWT work
  app.use(timed('auth', authenticate(opts.authenticate))) // caller JWT → c.get('caller')
  app.use(timed('authz', authorize())) // scopes → endpoint, model, max_tokens
  app.use(timed('limit', limit(opts.limit))) // request rates + token budget reserved, reconciled after
  app.use(pseudonymize()) // request PII → placeholders upstream, the mapping kept in request memory only
  app.use(timed('screen', screen(opts.screen))) // injection/jailbreak, PII, secrets → block, redact, flag
  app.use(respond()) // wraps forward's answer: secrets, PII, links, leaks screened; pseudonyms restored
  app.use(timed('sign', sign(opts.sign))) // Txn-Token + Content-Digest over the sealed body bytes
  app.all('*', timed('upstream', forward(opts.forward))) // allowlisted headers, sealed bytes, streamed back
  return app
}
