import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../build-policies.ts'
import { GATEWAY_BINDINGS } from '../dev/stack.ts'
import { localTenantEnv } from './tenant-env.ts'
import { parseWrangler, type TomlTable, workerBindings } from './wrangler-config.ts'

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

  it('the committed wrangler.toml keeps Workers Logs and the Analytics Engine dataset in the top level and every env', async () => {
    const config = parseWrangler(await readFile(join(REPO_ROOT, 'wrangler.toml'), 'utf8'))
    const scopes: [string, TomlTable][] = [
      ['(top level)', config],
      ...Object.entries((config.env ?? {}) as Record<string, TomlTable>),
    ]
    for (const [name, scope] of scopes) {
      expect([name, scope.observability]).toEqual([name, { enabled: true, head_sampling_rate: expect.any(Number) }])
      const ae = workerBindings(config, name === '(top level)' ? undefined : name).analyticsEngineDatasets
      expect([name, ae]).toEqual([name, GATEWAY_BINDINGS.analyticsEngineDatasets])
    }
  })

  it('refuses an env that does not exist', async () => {
    await expect(localTenantEnv('nope', { idpUrl: 'http://127.0.0.1:1' })).rejects.toThrow(
      'wrangler.toml: no [env.nope]',
    )
  })
})
