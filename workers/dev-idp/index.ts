// Dev identity provider: OIDC discovery + JWKS on loopback, and a /token endpoint that mints short-lived caller
// tokens. Keys come from vars the local stack generates into the git-ignored .dev/ folder.
import { Hono } from 'hono'
import type { JWK } from 'jose'
import { mintDevToken, publicJwk } from './mint.ts'

interface DevIdpEnv {
  readonly IDP_ISSUER: string
  /** The private signing JWK (JSON). */
  readonly IDP_PRIVATE_JWK: string
  readonly IDP_DEFAULT_AUDIENCE: string
}

const app = new Hono<{ Bindings: DevIdpEnv }>()
const key = (env: DevIdpEnv) => JSON.parse(env.IDP_PRIVATE_JWK) as JWK

app.get('/.well-known/openid-configuration', (c) =>
  c.json({
    issuer: c.env.IDP_ISSUER,
    jwks_uri: `${c.env.IDP_ISSUER}/.well-known/jwks.json`,
    token_endpoint: `${c.env.IDP_ISSUER}/token`,
    grant_types_supported: ['client_credentials'],
    id_token_signing_alg_values_supported: ['ES256'],
  }),
)
app.get('/.well-known/jwks.json', (c) =>
  c.json({ keys: [publicJwk(key(c.env))] }, 200, { 'cache-control': 'public, max-age=300' }),
)
// Dev only: anyone on loopback may mint. Body: { sub, scope, audience?, ttl_seconds? }.
app.post('/token', async (c) => {
  const body = (await c.req.json().catch(() => null)) as Record<string, unknown> | null
  if (!body || typeof body.sub !== 'string' || typeof body.scope !== 'string') {
    return c.json({ error: 'invalid_request', error_description: 'sub and scope are required strings' }, 400)
  }
  const ttl = typeof body.ttl_seconds === 'number' ? Math.min(Math.max(1, body.ttl_seconds), 3600) : undefined
  const token = await mintDevToken(key(c.env), {
    issuer: c.env.IDP_ISSUER,
    audience: typeof body.audience === 'string' ? body.audience : c.env.IDP_DEFAULT_AUDIENCE,
    sub: body.sub,
    scope: body.scope,
    ttlSeconds: ttl,
  })
  return c.json({ access_token: token, token_type: 'Bearer', expires_in: ttl ?? 600 })
})

export default app
