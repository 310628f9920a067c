// The edge's public keys and a minimal OIDC-style discovery document, so Istio's RequestAuthentication,
// Authorino or the Node verifier can point at the gateway. Mounted before the pipeline (no tenant, no auth).
// Misconfigured keys answer 503 `sign.key_unavailable` rather than an empty set a verifier would cache.
import { Hono } from 'hono'
import { TXN_ALGORITHMS } from '../../../shared/txn-token/keys.ts'
import { loadPublishedJwks } from '../../../shared/txn-token/signer.ts'
import type { AppEnv } from '../env.ts'
import { errorResponse } from '../errors.ts'

export const JWKS_PATH = '/.well-known/jwks.json'
export const DISCOVERY_PATH = '/.well-known/openid-configuration'
// Verifiers may cache for 5 min; the rotation procedure waits longer than this before signing with a new key.
const CACHE_CONTROL = 'public, max-age=300, must-revalidate'

/** The JWKS URL for an issuer: `<issuer>/.well-known/jwks.json` when the issuer is an http(s) URL. */
export function jwksUriFor(issuer: string, requestUrl?: string): string {
  try {
    const url = new URL(issuer)
    if (url.protocol === 'https:' || url.protocol === 'http:') return `${issuer.replace(/\/+$/, '')}${JWKS_PATH}`
  } catch {
    // not a URL issuer: fall back to where this request arrived
  }
  if (!requestUrl) throw new TypeError('issuer is not a URL; a request URL is needed to derive jwks_uri')
  return new URL(JWKS_PATH, requestUrl).toString()
}

/** `app.route('/', txnWellKnown())` in app.ts, before the pipeline's middleware. */
export function txnWellKnown(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>()
  routes.get(JWKS_PATH, async function servePublishedKeys(c) {
    const published = await loadPublishedJwks(c.env.TXN_SIGNING_KEYS, c.env.TXN_PUBLISHED_KEYS)
    if (!published.ok) return errorResponse('sign.key_unavailable')
    return c.json(published.jwks, 200, { 'cache-control': CACHE_CONTROL })
  })
  routes.get(DISCOVERY_PATH, function serveDiscovery(c) {
    const issuer = c.env.TXN_ISSUER
    if (typeof issuer !== 'string' || issuer === '') return errorResponse('sign.key_unavailable')
    return c.json(
      {
        issuer,
        jwks_uri: jwksUriFor(issuer, c.req.url),
        // Not an OpenID Provider: these describe the Txn-Token only (draft-ietf-oauth-transaction-tokens).
        token_types_supported: ['urn:ietf:params:oauth:token-type:txn_token'],
        signing_alg_values_supported: [...TXN_ALGORITHMS],
      },
      200,
      { 'cache-control': CACHE_CONTROL },
    )
  })
  return routes
}
