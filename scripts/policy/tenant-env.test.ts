import { describe, expect, it } from 'vitest'
import { localTenantEnv } from './tenant-env.ts'

describe('localTenantEnv', () => {
  it('gives the committed acme env pinned by TENANT, its bindings and the dev IdP vars', async () => {
    const env = await localTenantEnv('acme', { idpUrl: 'http://127.0.0.1:8789' })
    expect(env.vars).toMatchObject({
      TENANT: 'acme',
      ACME_IDP_ISSUER: 'http://127.0.0.1:8789',
      ACME_IDP_JWKS_URL: 'http://127.0.0.1:8789/.well-known/jwks.json',
    })
    expect(Object.keys(env.durableObjects)).toContain('LIMITER')
  })

  it('refuses an env that does not exist', async () => {
    await expect(localTenantEnv('nope', { idpUrl: 'http://127.0.0.1:1' })).rejects.toThrow(
      'wrangler.toml: no [env.nope]',
    )
  })
})
