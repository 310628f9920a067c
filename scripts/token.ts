// `npm run --silent token -- --tenant default --sub alice --scope "chat embeddings" [--ttl 600] [--audience x]`
// Prints only a dev caller token (JWT) on stdout, signed with the dev IdP key for the tenant's first issuer.
import { parseArgs } from 'node:util'
import { resolveVarRef } from '../shared/policy/resolve.ts'
import { mintDevToken } from '../workers/dev-idp/mint.ts'
import { compilePolicies } from './build-policies.ts'
import { ensureDevIdpKey } from './dev/idp-key.ts'
import { localIssuerVars } from './policy/scaffold.ts'

const { values } = parseArgs({
  options: {
    tenant: { type: 'string', default: 'default' },
    sub: { type: 'string', default: 'alice' },
    scope: { type: 'string', default: 'chat embeddings' },
    ttl: { type: 'string', default: '600' },
    audience: { type: 'string' },
  },
})

async function main(): Promise<void> {
  const tenant = (await compilePolicies()).find((t) => t.id === values.tenant)
  if (!tenant) throw new Error(`unknown tenant "${values.tenant}"`)
  const issuerPolicy = tenant.policy.auth.issuers[0]
  // Locally every tenant's issuer is the dev IdP (as `npm start -- --tenant <id>` binds it); env vars win.
  const idpUrl = process.env.DEV_IDP_URL ?? `http://127.0.0.1:${process.env.DEV_IDP_PORT ?? 8789}`
  const vars = { ...localIssuerVars(tenant.id, idpUrl), DEV_IDP_ISSUER: idpUrl, ...process.env }
  const issuer = issuerPolicy ? resolveVarRef(issuerPolicy.issuer, vars) : null
  if (!issuerPolicy || issuer === null) throw new Error(`tenant "${values.tenant}" has no usable issuer`)
  const audience = values.audience ?? [issuerPolicy.audience].flat()[0] ?? ''
  const ttl = Number(values.ttl)
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 86_400) throw new Error('--ttl must be 1..86400 seconds')
  const key = await ensureDevIdpKey()
  const token = await mintDevToken(key, {
    issuer,
    audience,
    sub: values.sub as string,
    scope: values.scope as string,
    tenant: tenant.id,
    ttlSeconds: ttl,
  })
  process.stdout.write(`${token}\n`)
}

main().catch((err: unknown) => {
  console.error(`token: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
})
