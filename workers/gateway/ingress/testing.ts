// Test support for the ingress stage: three tenants (limits, a geo allowlist, embeddings only) and a tiny app that
// mounts ingress and echoes what it decided.
import { Hono } from 'hono'
import { compileTest, testPolicy } from '../../../test/support/gateway.ts'
import type { AppEnv, Env } from '../env.ts'
import { renderError } from '../errors.ts'
import { ingress } from './index.ts'

const acme = compileTest(
  testPolicy({
    ingress: {
      maxBodyBytes: 1024,
      network: { denyCountries: ['KP'], denyAsns: [64512], denyIps: ['203.0.113.0/24', '2001:db8::/32'] },
    },
  }),
)
const geo = compileTest(
  testPolicy({ tenant: 'geo', hosts: ['geo.test'], ingress: { network: { allowCountries: ['DE', 'FR'] } } }),
)
const embedOnly = compileTest(
  testPolicy({ tenant: 'embed', hosts: ['embed.test'], ingress: { endpoints: ['embeddings'] } }),
)

export function app() {
  const a = new Hono<AppEnv>()
  a.onError(renderError)
  a.use(async (c, next) => {
    c.set('decisions', { shadowed: [] })
    await next()
  })
  a.use(ingress({ tenants: [acme, geo, embedOnly] }))
  a.all('*', (c) =>
    c.json({ tenant: c.var.tenant.compiled.id, endpoint: c.var.route.endpoint, request: c.var.request }),
  )
  return a
}

export const chat = { model: 'dev-model', messages: [{ role: 'user', content: 'hi' }] }
export const json = (body: unknown, extra: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { host: 'api.acme.test', 'content-type': 'application/json', ...extra },
  body: typeof body === 'string' ? body : JSON.stringify(body),
})

export async function send(path: string, init: RequestInit & { cf?: Record<string, unknown> }, env: Env = {}) {
  const { cf, ...rest } = init
  const req = new Request(`http://api.acme.test${path}`, rest)
  if (cf) Object.defineProperty(req, 'cf', { value: cf })
  const res = await app().fetch(req, env)
  const body = (await res.json()) as { error?: { code: string; param: string | null } }
  return { status: res.status, code: body.error?.code ?? null, param: body.error?.param ?? null, body, res }
}
