// Tenant scaffolding end to end on a temp copy of policies/ + wrangler.toml: one command gives a policy whose
// starter fixtures pass policy:check, and a wrangler env that `wrangler deploy --dry-run --env <id>` accepts.
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REPO_ROOT } from './build-policies.ts'
import { deploy } from './deploy.ts'
import { runPolicyCheck } from './policy/check.ts'
import { NON_INHERITED_KEYS, parseWrangler, type TomlTable } from './policy/wrangler-config.ts'
import { addTenant, parseTenantArgs } from './tenant-add.ts'

const ARGS = ['globex', '--host', 'ai.globex.example', '--issuer', 'https://id.globex.example/', '--audience', 'gx']

describe('tenant:add', () => {
  let dir: string
  let root: string
  let wranglerPath: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-tenant-add-'))
    root = join(dir, 'policies')
    await cp(join(REPO_ROOT, 'policies'), root, { recursive: true })
    // The temp config bundles the repo's entry; the repo's build step would compile the repo's policies.
    const text = await readFile(join(REPO_ROOT, 'wrangler.toml'), 'utf8')
    wranglerPath = join(dir, 'wrangler.toml')
    await writeFile(
      wranglerPath,
      text
        .replace(/^main = .*$/m, `main = ${JSON.stringify(join(REPO_ROOT, 'workers/gateway/index.ts'))}`)
        .replace(/^\[build\]\ncommand = .*$/m, ''),
    )
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('scaffolds a policy, starter fixtures and an [env.<id>] with every top-level binding', async () => {
    const written = await addTenant({ ...parseTenantArgs(ARGS), root, wranglerPath })
    expect(written.map((f) => relative(dir, resolve(REPO_ROOT, f)))).toEqual([
      'policies/globex/policy.yaml',
      'policies/globex/ALLOW/chat.json',
      'policies/globex/ALLOW/clamp-max-tokens.json',
      'policies/globex/DENY/no-token.json',
      'policies/globex/DENY/expired-token.json',
      'policies/globex/DENY/scope-forbids-endpoint.json',
      'wrangler.toml',
    ])
    const policy = await readFile(join(root, 'globex', 'policy.yaml'), 'utf8')
    expect(policy.split('\n')[0]).toBe('# yaml-language-server: $schema=../schema.json')
    expect(policy).toContain('issuer: ${GLOBEX_IDP_ISSUER:-https://id.globex.example}')

    const config = parseWrangler(await readFile(wranglerPath, 'utf8'))
    const env = (config.env as Record<string, TomlTable>).globex as TomlTable
    expect(env.name).toBe('portcullis-globex')
    expect(env.routes).toEqual([{ pattern: 'ai.globex.example/*', zone_name: 'globex.example' }])
    expect(env.vars).toEqual({ ...(config.vars as TomlTable), TENANT: 'globex' })
    for (const key of NON_INHERITED_KEYS.filter((k) => k !== 'vars' && config[k] !== undefined)) {
      expect(env[key], key).toEqual(config[key])
    }
    expect(env.observability).toEqual({ enabled: true, head_sampling_rate: 1 }) // Workers Logs per tenant env
    expect(env.analytics_engine_datasets).toEqual([{ binding: 'DECISIONS', dataset: 'portcullis_decisions' }])
    expect(config.routes).toBeUndefined() // routes stay out of the top level
  })

  it('produces fixtures that pass policy:check', async () => {
    const report = await runPolicyCheck({ root, wranglerPath, tenants: ['globex'] })
    expect(report.text).toContain('policy:check passed: 5/5 fixtures')
    expect(report.ok).toBe(true)
  }, 120_000)

  it('produces an env that wrangler deploy --dry-run --env <id> accepts', async () => {
    const outdir = join(dir, 'dist')
    const result = await deploy({
      tenant: 'globex',
      dryRun: true,
      configPath: wranglerPath,
      outdir,
      policiesRoot: root,
    })
    expect(result.wranglerOutput).toContain('--dry-run: exiting now.')
    expect(result.wranglerOutput).toContain('env.TENANT ("globex")')
    expect(result.bundleBytes).toBeGreaterThan(result.gzipBytes)
    expect(result.effectiveConfig.name).toBe('portcullis-globex')
    expect(await readdir(outdir)).toContain('effective-config.json')
    // Hole 9: the tenant's bundle carries its own policy and no other tenant's hosts or issuers.
    const bundle = await readFile(join(outdir, 'index.js'), 'utf8')
    expect(bundle).toContain('ai.globex.example')
    for (const other of ['api.acme.example', 'login.acme.example', 'ACME_IDP_ISSUER', 'portcullis-dev-model'])
      expect(bundle, other).not.toContain(other)
  }, 120_000)

  it('refuses a tenant that exists, and leaves the files alone', async () => {
    const before = await readFile(wranglerPath, 'utf8')
    await expect(addTenant({ ...parseTenantArgs(ARGS), root, wranglerPath })).rejects.toThrow(/tenant "globex" exists/)
    expect(await readFile(wranglerPath, 'utf8')).toBe(before)
  })

  it('refuses a host another tenant serves, before writing anything', async () => {
    const args = ['initech', '--host', 'ai.globex.example', '--issuer', 'https://id.initech.example', '--audience', 'i']
    await expect(addTenant({ ...parseTenantArgs(args), root, wranglerPath })).rejects.toThrow(
      /hosts: "ai\.globex\.example" is already served by tenant "globex"/,
    )
    await expect(readdir(join(root, 'initech'))).rejects.toThrow(/ENOENT/)
  })

  it('refuses deploy without --dry-run when no credentials are present', async () => {
    const saved = process.env.CLOUDFLARE_API_TOKEN
    delete process.env.CLOUDFLARE_API_TOKEN
    try {
      await expect(deploy({ tenant: 'globex', dryRun: false, configPath: wranglerPath })).rejects.toThrow(
        /CLOUDFLARE_API_TOKEN is not set/,
      )
    } finally {
      if (saved !== undefined) process.env.CLOUDFLARE_API_TOKEN = saved
    }
  })
})

describe('tenant:add arguments', () => {
  const ok = ['t1', '--host', 'api.t1.example', '--issuer', 'https://login.t1.example', '--audience', 'aud']
  const table: [string, string[], RegExp][] = [
    ['missing --host', ['t1', '--issuer', 'https://a.example', '--audience', 'a'], /--host is required/],
    ['upper-case id', ['T1', ...ok.slice(1)], /<id> must be a lower-case id/],
    ['reserved id', ['schema', ...ok.slice(1)], /not a reserved word/],
    ['host without a dot', [...ok.slice(0, 2), 'localhost', ...ok.slice(3)], /--host must be a lower-case DNS name/],
    ['plain http issuer', [...ok.slice(0, 4), 'http://login.t1.example', ...ok.slice(5)], /--issuer must be https/],
    ['audience with a space', [...ok.slice(0, 6), 'a b'], /--audience must be printable ASCII/],
    ['host outside its zone', [...ok, '--zone', 'other.example'], /is not inside --zone other\.example/],
    ['zone and custom domain', [...ok, '--zone', 't1.example', '--custom-domain'], /exclude each other/],
  ]
  it.each(table)('%s', (_name, argv, message) => {
    expect(() => parseTenantArgs(argv)).toThrow(message)
  })

  it('derives the JWKS URL and the zone', () => {
    expect(parseTenantArgs(ok)).toMatchObject({
      jwks: 'https://login.t1.example/.well-known/jwks.json',
      zone: 't1.example',
    })
    expect(parseTenantArgs([...ok, '--custom-domain']).zone).toBeNull()
  })
})
