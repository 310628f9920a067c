// Ingress: everything that can be decided from the request itself, cheapest check first — tenant by host,
// path/method allowlist, network rules, content type, body size (enforced while reading), JSON, request shape.
import type { MiddlewareHandler } from 'hono'
import { GatewayError } from '../../../shared/errors.ts'
import type { CompiledPolicy } from '../../../shared/policy/schema.ts'
import { lookupEndpoint } from '../../../shared/request/endpoints.ts'
import { emptyBody, NO_BODY_FACTS, parseRequestBody } from '../../../shared/request/model.ts'
import type { AppEnv, ClientContext } from '../env.ts'
import { readBodyCapped } from './body.ts'
import { checkNetwork } from './network.ts'
import { createTenantDirectory } from './tenants.ts'

export interface IngressOptions {
  readonly tenants: readonly CompiledPolicy[]
}

function clientContext(req: Request): ClientContext {
  const cf = (req as { cf?: IncomingRequestCfProperties }).cf
  return {
    // Set by Cloudflare's edge (a client cannot forge it there); absent in local development.
    ip: req.headers.get('cf-connecting-ip'),
    country: typeof cf?.country === 'string' ? cf.country : null,
    asn: typeof cf?.asn === 'number' ? cf.asn : null,
    colo: typeof cf?.colo === 'string' ? cf.colo : null,
  }
}

function mediaType(header: string | undefined): { type: string; charset: string | null } | null {
  if (header === undefined) return null
  const [type, ...params] = header.split(';')
  let charset: string | null = null
  for (const p of params) {
    const [k, v] = p.split('=')
    if (k?.trim().toLowerCase() === 'charset') charset = (v ?? '').trim().replace(/^"|"$/g, '').toLowerCase()
  }
  return { type: (type as string).trim().toLowerCase(), charset }
}

export const ingress = (opts: IngressOptions): MiddlewareHandler<AppEnv> => {
  const directory = createTenantDirectory(opts.tenants)
  return async function ingress(c, next) {
    const url = new URL(c.req.url)
    const tenant = directory.select(c.env, c.req.header('host') ?? url.host)
    if (!tenant) throw new GatewayError('ingress.unknown_host')
    c.set('tenant', tenant)
    const policy = tenant.policy

    const route = lookupEndpoint(url.pathname)
    if (!route || !policy.ingress.endpoints.includes(route.spec.name)) throw new GatewayError('ingress.not_found')
    if (c.req.method !== route.spec.method) {
      throw new GatewayError('ingress.method_not_allowed', null, { allow: route.spec.method })
    }
    c.set('route', { endpoint: route.spec.name, method: route.spec.method, path: route.path })

    const client = clientContext(c.req.raw)
    c.set('client', client)
    const blocked = checkNetwork(client, policy.ingress.network)
    if (blocked) throw new GatewayError(blocked)

    if (!route.spec.body) {
      c.set('body', emptyBody())
      c.set('request', NO_BODY_FACTS)
      return next()
    }
    const media = mediaType(c.req.header('content-type'))
    if (!media || !policy.ingress.contentTypes.includes(media.type) || (media.charset && media.charset !== 'utf-8')) {
      throw new GatewayError('ingress.unsupported_media_type')
    }
    const max = policy.ingress.maxBodyBytes
    const declared = c.req.header('content-length')
    if (declared !== undefined && !(/^[0-9]{1,15}$/.test(declared) && Number(declared) <= max)) {
      throw new GatewayError('ingress.body_too_large')
    }
    const read = await readBodyCapped(c.req.raw.body, max)
    if (!read.ok)
      throw new GatewayError(read.reason === 'too_large' ? 'ingress.body_too_large' : 'ingress.malformed_json')

    const parsed = parseRequestBody(route.spec.name, read.bytes)
    if (!parsed.ok) throw new GatewayError(parsed.code, parsed.param)
    c.set('body', parsed.body)
    c.set('request', parsed.facts)
    await next()
  }
}
