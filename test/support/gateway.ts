// Test support: tenants built from the real schema, and tiny Hono apps that mount one stage after a middleware
// that sets what the earlier stages would have set (hono's body-limit tests use the same shape).
import { type Handler, Hono, type MiddlewareHandler } from 'hono'
import { canonicalJson } from '../../shared/json/canonical.ts'
import { type CompiledPolicy, type PolicyInput, policySchema } from '../../shared/policy/schema.ts'
import type { ActiveTenant, AppEnv, AppVariables } from '../../workers/gateway/env.ts'
import { renderError } from '../../workers/gateway/errors.ts'

export const TEST_ISSUER = 'https://idp.test'
export const TEST_AUDIENCE = 'portcullis-test'

export function testPolicy(overrides: Partial<PolicyInput> = {}): PolicyInput {
  return {
    tenant: 'acme',
    version: '7',
    hosts: ['api.acme.test'],
    upstream: { url: 'http://upstream.test', audience: 'acme-model-tier' },
    auth: {
      issuers: [
        { issuer: TEST_ISSUER, audience: TEST_AUDIENCE, jwksUrl: `${TEST_ISSUER}/jwks.json`, algorithms: ['ES256'] },
      ],
    },
    scopes: {
      chat: { endpoints: ['chat', 'completions', 'models'], models: ['dev-model', 'small'], maxTokens: 512 },
      big: { endpoints: ['chat'], models: ['dev-model'], maxTokens: 4096 },
      embeddings: { endpoints: ['embeddings'], models: ['*'] },
    },
    ...overrides,
  }
}

export function compileTest(input: PolicyInput): CompiledPolicy {
  const policy = policySchema.parse(input)
  return { id: policy.tenant, version: policy.version, sha256: 'f'.repeat(64), source: 'test', policy }
}

export function activeTenant(input: PolicyInput = testPolicy()): ActiveTenant {
  const compiled = compileTest(input)
  return { compiled, policy: compiled.policy, upstreamUrl: compiled.policy.upstream.url }
}

export const canonical = canonicalJson

/** An app whose first middleware sets `vars`, then runs `stages`, then `final` (default: echo 200). */
export function stageApp(
  vars: Partial<AppVariables>,
  stages: MiddlewareHandler<AppEnv>[],
  final?: Handler<AppEnv>,
): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.onError(renderError)
  app.use(async function setVars(c, next) {
    c.set('decisions', { shadowed: [] })
    c.set('upstreamHeaders', {})
    for (const [k, v] of Object.entries(vars)) c.set(k as keyof AppVariables, v as never)
    await next()
  })
  for (const s of stages) app.use(s)
  app.all('*', final ?? ((c) => c.json({ ok: true })))
  return app
}

export async function errorCode(res: Response): Promise<string | null> {
  const body = (await res.json()) as { error?: { code?: string } }
  return body.error?.code ?? null
}
