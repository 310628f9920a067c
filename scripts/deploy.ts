// `npm run deploy -- --tenant <id> --dry-run`: the exact bundle and config Wrangler would deploy for a tenant's
// env (or the multi-tenant top level without --tenant), written to dist/<id>/ for review in CI — no credentials
// needed. Without --dry-run it refuses unless Cloudflare credentials are present, and replays the fixtures first.
import { spawnSync } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { gzipSync } from 'node:zlib'
import { buildPolicies, REPO_ROOT } from './build-policies.ts'
import { runPolicyCheck } from './policy/check.ts'
import { NON_INHERITED_KEYS, parseWrangler, type TomlTable, tenantEnvIds } from './policy/wrangler-config.ts'

export interface DeployOptions {
  /** `[env.<id>]` to deploy; absent = the multi-tenant top level. */
  readonly tenant?: string
  readonly dryRun: boolean
  /** Default dist/<tenant> (or dist/_multi). */
  readonly outdir?: string
  /** Default the repo's wrangler.toml. */
  readonly configPath?: string
}

export interface DeployResult {
  readonly outdir: string
  readonly bundleBytes: number
  readonly gzipBytes: number
  /** What this deployment gets: top-level inheritable keys overlaid by the env block. */
  readonly effectiveConfig: TomlTable
  readonly wranglerOutput: string
}

/** The env as Wrangler sees it: inheritable top-level keys (main, compat, …) plus the env's own block. */
export function effectiveConfig(config: TomlTable, tenant?: string): TomlTable {
  if (tenant === undefined) {
    const { env: _env, ...top } = config
    return top
  }
  const env = (config.env as Record<string, TomlTable> | undefined)?.[tenant]
  if (!env) throw new TypeError(`wrangler.toml has no [env.${tenant}] (npm run tenant:add -- ${tenant} …)`)
  const inherited: TomlTable = {}
  for (const [k, v] of Object.entries(config)) {
    if (k !== 'env' && !(NON_INHERITED_KEYS as readonly string[]).includes(k) && k !== 'routes') inherited[k] = v
  }
  return { ...inherited, ...env }
}

function wrangler(args: string[]): { ok: boolean; output: string } {
  const r = spawnSync(join(REPO_ROOT, 'node_modules', '.bin', 'wrangler'), args, {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false', FORCE_COLOR: '0' },
    maxBuffer: 16 * 1024 * 1024,
  })
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}` }
}

export async function deploy(opts: DeployOptions): Promise<DeployResult> {
  const configPath = resolve(opts.configPath ?? join(REPO_ROOT, 'wrangler.toml'))
  const text = await readFile(configPath, 'utf8')
  const config = parseWrangler(text)
  if (opts.tenant !== undefined && !tenantEnvIds(text).includes(opts.tenant)) {
    throw new TypeError(`wrangler.toml has no [env.${opts.tenant}] (npm run tenant:add -- ${opts.tenant} …)`)
  }
  const env = effectiveConfig(config, opts.tenant)
  await buildPolicies({ quiet: true }) // wrangler bundles the generated policy module: build it, whatever ran before
  const envArgs = opts.tenant === undefined ? [] : ['--env', opts.tenant]
  if (!opts.dryRun) {
    if (!process.env.CLOUDFLARE_API_TOKEN) {
      throw new TypeError('refusing to deploy: CLOUDFLARE_API_TOKEN is not set (use --dry-run to review the bundle)')
    }
    const check = await runPolicyCheck()
    if (!check.ok) throw new TypeError(`refusing to deploy: policy:check failed\n${check.text}`)
    const run = wrangler(['deploy', '--config', configPath, ...envArgs])
    if (!run.ok) throw new Error(`wrangler deploy failed:\n${run.output}`)
    return { outdir: '', bundleBytes: 0, gzipBytes: 0, effectiveConfig: env, wranglerOutput: run.output }
  }
  const outdir = resolve(opts.outdir ?? join(REPO_ROOT, 'dist', opts.tenant ?? '_multi'))
  const run = wrangler(['deploy', '--dry-run', '--config', configPath, ...envArgs, '--outdir', outdir])
  if (!run.ok) throw new Error(`wrangler deploy --dry-run failed:\n${run.output}`)
  const bundle = await readFile(join(outdir, 'index.js'))
  await writeFile(join(outdir, 'effective-config.json'), `${JSON.stringify(env, null, 2)}\n`)
  return {
    outdir,
    bundleBytes: bundle.byteLength,
    gzipBytes: gzipSync(bundle).byteLength,
    effectiveConfig: env,
    wranglerOutput: run.output,
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({
    options: {
      tenant: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      outdir: { type: 'string' },
      config: { type: 'string' },
    },
  })
  deploy({ tenant: values.tenant, dryRun: values['dry-run'], outdir: values.outdir, configPath: values.config }).then(
    (r) => {
      console.log(r.wranglerOutput.trim())
      if (!values['dry-run']) return
      const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`
      console.log(`\nbundle: ${join(r.outdir, 'index.js')}  ${kib(r.bundleBytes)} raw, ${kib(r.gzipBytes)} gzip`)
      console.log(`effective config (${join(r.outdir, 'effective-config.json')}):`)
      console.log(JSON.stringify(r.effectiveConfig, null, 2))
    },
    (err: unknown) => {
      console.error(`deploy: ${err instanceof Error ? err.message : String(err)}`)
      process.exit(1)
    },
  )
}
