// wrangler.toml editing: the appended env block repeats every non-inherited top-level key, parses back, keeps
// the existing text byte for byte, and refuses a duplicate env.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../build-policies.ts'
import { GATEWAY_BINDINGS } from '../dev/stack.ts'
import {
  appendTenantEnv,
  inlineToml,
  parseWrangler,
  type TomlTable,
  tenantEnvIds,
  workerBindings,
} from './wrangler-config.ts'

const TOP = `# comment kept
name = "gw"
main = "src/index.ts"

[vars]
TXN_ISSUER = "https://edge.example"

[[durable_objects.bindings]]
name = "LIMITER"
class_name = "Limiter"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Limiter"]

[[ratelimits]]
name = "IP_SHIELD"
namespace_id = "1001"
simple = { limit = 600, period = 60 }

[[kv_namespaces]]
binding = "CACHE"
id = "abc"

[observability]
enabled = true
head_sampling_rate = 0.25

[[analytics_engine_datasets]]
binding = "DECISIONS"
dataset = "decisions"
`

describe('appendTenantEnv', () => {
  const next = appendTenantEnv(TOP, {
    id: 'acme',
    host: 'api.acme.example',
    route: { kind: 'zone', zone: 'acme.example' },
  })
  const env = (parseWrangler(next).env as Record<string, TomlTable>).acme as TomlTable

  it('keeps the existing text and appends one env', () => {
    expect(next.startsWith(TOP)).toBe(true)
    expect(tenantEnvIds(next)).toEqual(['acme'])
  })

  it('repeats vars (plus TENANT) and every binding kind the top level has', () => {
    const top = parseWrangler(TOP)
    expect(env).toEqual({
      name: 'gw-acme',
      routes: [{ pattern: 'api.acme.example/*', zone_name: 'acme.example' }],
      vars: { TXN_ISSUER: 'https://edge.example', TENANT: 'acme' },
      durable_objects: top.durable_objects,
      migrations: top.migrations,
      ratelimits: top.ratelimits,
      kv_namespaces: top.kv_namespaces,
      observability: { enabled: true, head_sampling_rate: 0.25 },
      analytics_engine_datasets: [{ binding: 'DECISIONS', dataset: 'decisions' }],
    })
  })

  it('attaches a custom domain when asked', () => {
    const custom = appendTenantEnv(TOP, { id: 'b', host: 'ai.b.example', route: { kind: 'custom_domain' } })
    const b = (parseWrangler(custom).env as Record<string, TomlTable>).b as TomlTable
    expect(b.routes).toEqual([{ pattern: 'ai.b.example', custom_domain: true }])
  })

  it('refuses an env that exists', () => {
    expect(() => appendTenantEnv(next, { id: 'acme', host: 'x.example', route: { kind: 'custom_domain' } })).toThrow(
      'wrangler.toml: [env.acme] already exists',
    )
  })

  it('gives the replay Worker the same bindings Miniflare-style', () => {
    expect(workerBindings(parseWrangler(next), 'acme')).toEqual({
      vars: { TXN_ISSUER: 'https://edge.example', TENANT: 'acme' },
      durableObjects: { LIMITER: { className: 'Limiter', useSQLite: true } },
      ratelimits: { IP_SHIELD: { simple: { limit: 600, period: 60 } } },
      kvNamespaces: ['CACHE'],
      analyticsEngineDatasets: { DECISIONS: { dataset: 'decisions' } },
    })
  })
})

describe('inlineToml', () => {
  it.each([
    ['a "quoted" string', '"a \\"quoted\\" string"'],
    [[1, true], '[1, true]'],
    [{ 'needs quotes': 1, plain: 'x' }, '{ "needs quotes" = 1, plain = "x" }'],
  ] as const)('%j', (value, toml) => {
    expect(inlineToml(value as never)).toBe(toml)
    expect(parseWrangler(`v = ${toml}`).v).toEqual(value)
  })
})

describe('the committed wrangler.toml', () => {
  it('keeps Workers Logs and the Analytics Engine dataset in the top level and every env', async () => {
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
})
