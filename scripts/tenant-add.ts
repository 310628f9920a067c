// `npm run tenant:add -- <id> --host <hostname> --issuer <url> --audience <aud> [--jwks <url>] [--zone <zone> |
// --custom-domain]`: scaffolds policies/<id>/ (policy + starter fixtures) and appends `[env.<id>]` to
// wrangler.toml. Everything is validated (and the new policy compiled against the others) before any write.
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { checkTenantSet, compilePolicy, PolicyError } from '../shared/policy/compile.ts'
import { compilePolicies, REPO_ROOT } from './build-policies.ts'
import {
  fixtureJson,
  guessZone,
  policyYaml,
  starterFixtures,
  type TenantInput,
  validateTenantInput,
} from './policy/scaffold.ts'
import { appendTenantEnv, tenantEnvIds } from './policy/wrangler-config.ts'

export interface TenantAddOptions extends TenantInput {
  /** policies/ folder (default: the repo's). */
  readonly root?: string
  /** wrangler.toml to append to (default: the repo's). */
  readonly wranglerPath?: string
}

export const USAGE =
  'usage: npm run tenant:add -- <id> --host <hostname> --issuer <url> --audience <aud> [--jwks <url>] [--zone <zone> | --custom-domain]'

/** Parse CLI arguments into validated inputs (throws TypeError listing every problem). */
export function parseTenantArgs(argv: readonly string[]): TenantInput {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      host: { type: 'string' },
      issuer: { type: 'string' },
      audience: { type: 'string' },
      jwks: { type: 'string' },
      zone: { type: 'string' },
      'custom-domain': { type: 'boolean', default: false },
    },
  })
  const missing = (['host', 'issuer', 'audience'] as const).filter((k) => values[k] === undefined)
  if (positionals.length !== 1 || missing.length > 0) {
    throw new TypeError([...missing.map((k) => `--${k} is required`), USAGE].join('\n'))
  }
  if (values.zone !== undefined && values['custom-domain'])
    throw new TypeError('--zone and --custom-domain exclude each other')
  const host = values.host as string
  const issuer = (values.issuer as string).replace(/\/+$/, '')
  const input: TenantInput = {
    id: positionals[0] as string,
    host,
    issuer,
    audience: values.audience as string,
    jwks: values.jwks ?? `${issuer}/.well-known/jwks.json`,
    zone: values['custom-domain'] ? null : (values.zone ?? guessZone(host)),
  }
  const problems = validateTenantInput(input)
  if (problems.length > 0) throw new TypeError(problems.join('\n'))
  return input
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? false : Promise.reject(err)),
  )
}

/** Scaffold a tenant. Returns the files written (relative to the repo or root). Refuses an existing tenant. */
export async function addTenant(opts: TenantAddOptions): Promise<string[]> {
  const root = opts.root ?? join(REPO_ROOT, 'policies')
  const wranglerPath = opts.wranglerPath ?? join(REPO_ROOT, 'wrangler.toml')
  const dir = join(root, opts.id)
  if (await exists(dir)) throw new TypeError(`tenant "${opts.id}" exists: ${relative(REPO_ROOT, dir)} is already there`)
  const wrangler = await readFile(wranglerPath, 'utf8')
  if (tenantEnvIds(wrangler).includes(opts.id))
    throw new TypeError(`tenant "${opts.id}" exists: wrangler.toml has [env.${opts.id}]`)

  // Compile the new policy with the existing ones before writing anything, so a clash (e.g. a host another
  // tenant serves) leaves the checkout untouched.
  const text = policyYaml(opts)
  const baseText = await readFile(join(root, '_base.yaml'), 'utf8').catch(() => null)
  const base = baseText === null ? null : { path: relative(REPO_ROOT, join(root, '_base.yaml')), text: baseText }
  const compiled = compilePolicy(base, { path: relative(REPO_ROOT, join(dir, 'policy.yaml')), text }, opts.id)
  checkTenantSet([...(await compilePolicies(root)), compiled])
  const nextWrangler = appendTenantEnv(wrangler, {
    id: opts.id,
    host: opts.host,
    route: opts.zone === null ? { kind: 'custom_domain' } : { kind: 'zone', zone: opts.zone },
  })

  const written: string[] = []
  const write = async (path: string, content: string) => {
    await mkdir(join(path, '..'), { recursive: true })
    await writeFile(path, content, { flag: 'wx' }) // never overwrite
    written.push(relative(REPO_ROOT, path))
  }
  await write(join(dir, 'policy.yaml'), text)
  for (const [name, fixture] of Object.entries(starterFixtures(opts)))
    await write(join(dir, name), fixtureJson(fixture))
  await writeFile(wranglerPath, nextWrangler)
  written.push(relative(REPO_ROOT, wranglerPath))
  return written
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  Promise.resolve()
    .then(() => addTenant(parseTenantArgs(process.argv.slice(2))))
    .then((files) => {
      const id = files[0]?.split('/').at(-2) ?? ''
      console.log(files.map((f) => `  wrote ${f}`).join('\n'))
      console.log(`\nNext: npm run policy:check   (replays the starter fixtures)`)
      console.log(`      npm start -- --tenant ${id}   (runs [env.${id}] locally)`)
      console.log(`      npm run deploy -- --tenant ${id} --dry-run`)
    })
    .catch((err: unknown) => {
      console.error(`tenant:add: ${err instanceof PolicyError || err instanceof TypeError ? err.message : String(err)}`)
      process.exit(1)
    })
}
