// wrangler.toml as data: the top level (the multi-tenant deployment) is the template every `[env.<tenant>]`
// block copies, because Wrangler environments inherit no vars and no bindings. Appends text rather than
// re-serialising the file, so the lead's comments and layout survive; the result is re-parsed to prove it.
import { parse } from 'smol-toml'

export type TomlValue = string | number | boolean | TomlValue[] | { [key: string]: TomlValue }
export type TomlTable = { [key: string]: TomlValue }

/** Keys Wrangler does not inherit into an environment (every binding kind, vars, and DO migrations, which are
 * per Worker name). Anything of these at the top level is copied into each tenant env. */
export const NON_INHERITED_KEYS = [
  'vars',
  'define',
  'durable_objects',
  'migrations',
  'kv_namespaces',
  'r2_buckets',
  'd1_databases',
  'services',
  'queues',
  'ratelimits',
  'analytics_engine_datasets',
  'ai',
  'browser',
  'hyperdrive',
  'vectorize',
  'send_email',
  'secrets_store_secrets',
  'workflows',
  'version_metadata',
  'dispatch_namespaces',
  'mtls_certificates',
  'tail_consumers',
  'unsafe',
] as const

/** Inherited by environments, but written into each tenant env anyway so a tenant's Workers Logs sampling rate is
 * visible and tunable in its own block (and a later top-level change does not silently re-sample every tenant). */
export const COPIED_INHERITED_KEYS = ['observability'] as const

export function parseWrangler(text: string): TomlTable {
  return parse(text) as TomlTable
}

const isTable = (v: TomlValue | undefined): v is TomlTable => typeof v === 'object' && v !== null && !Array.isArray(v)
const BARE_KEY = /^[A-Za-z0-9_-]+$/
const key = (k: string) => (BARE_KEY.test(k) ? k : JSON.stringify(k))

/** A TOML value on one line (inline tables for nested maps). JSON string escapes are valid TOML basic strings. */
export function inlineToml(v: TomlValue): string {
  if (typeof v === 'string') return JSON.stringify(v)
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  if (Array.isArray(v)) return `[${v.map(inlineToml).join(', ')}]`
  return `{ ${Object.entries(v)
    .map(([k, x]) => `${key(k)} = ${inlineToml(x)}`)
    .join(', ')} }`
}

/** A table as TOML sections under `prefix` (e.g. `env.acme`): scalars first, then sub-tables and arrays of
 * tables. Inside an array-of-tables item, nested maps stay inline (`simple = { limit = 600, period = 60 }`). */
export function tomlSection(prefix: string, table: TomlTable, header = true): string[] {
  const lines: string[] = []
  const later: string[][] = []
  for (const [k, v] of Object.entries(table)) {
    const path = `${prefix}.${key(k)}`
    if (isTable(v) && header) later.push(tomlSection(path, v))
    else if (Array.isArray(v) && v.length > 0 && v.every(isTable)) {
      for (const item of v) later.push([`[[${path}]]`, ...tomlSection(path, item, false)])
    } else lines.push(`${key(k)} = ${inlineToml(v)}`)
  }
  const head = header && lines.length > 0 ? [`[${prefix}]`, ...lines] : lines
  return [...head, ...later.flatMap((section) => ['', ...section])].filter((l, i) => i > 0 || l !== '')
}

export interface TenantEnvInput {
  readonly id: string
  readonly host: string
  /** Route the host through a zone (`pattern = "<host>/*"`) or attach it as a Workers custom domain. */
  readonly route: { readonly kind: 'zone'; readonly zone: string } | { readonly kind: 'custom_domain' }
}

/** The `[env.<id>]` table: its own name, routes, the top-level vars plus TENANT, and every top-level binding. */
export function tenantEnvTable(top: TomlTable, input: TenantEnvInput): TomlTable {
  const route: TomlTable =
    input.route.kind === 'zone'
      ? { pattern: `${input.host}/*`, zone_name: input.route.zone }
      : { pattern: input.host, custom_domain: true }
  const env: TomlTable = { name: `${String(top.name ?? 'portcullis')}-${input.id}`, routes: [route] }
  for (const k of [...COPIED_INHERITED_KEYS, ...NON_INHERITED_KEYS]) {
    const v = top[k]
    if (v === undefined) continue
    env[k] = k === 'vars' ? { ...(isTable(v) ? v : {}), TENANT: input.id } : v
  }
  if (!isTable(env.vars)) env.vars = { TENANT: input.id }
  return env
}

/** Text to append to wrangler.toml for one tenant. Inline route tables keep the block short and readable. */
export function tenantEnvBlock(top: TomlTable, input: TenantEnvInput): string {
  const { routes, ...rest } = tenantEnvTable(top, input)
  const lines = tomlSection(`env.${input.id}`, rest)
  lines.splice(2, 0, `routes = ${inlineToml(routes as TomlValue)}`)
  return [
    '',
    `# Tenant "${input.id}" (written by \`npm run tenant:add\`). Wrangler envs inherit no vars and no bindings,`,
    '# so this block repeats the top level in full; keep it in step when a binding is added there.',
    ...lines,
    '',
  ].join('\n')
}

/** Appends a tenant env block; refuses if the env exists. Returns the new text, re-parsed to prove it is valid. */
export function appendTenantEnv(text: string, input: TenantEnvInput): string {
  const top = parseWrangler(text)
  const envs = isTable(top.env) ? top.env : {}
  if (input.id in envs) throw new TypeError(`wrangler.toml: [env.${input.id}] already exists`)
  const next = `${text.replace(/\n*$/, '\n')}${tenantEnvBlock(top, input)}`
  const parsed = parseWrangler(next)
  const env = (parsed.env as TomlTable | undefined)?.[input.id]
  if (!isTable(env) || (env.vars as TomlTable | undefined)?.TENANT !== input.id) {
    throw new Error(`wrangler.toml: the appended [env.${input.id}] block did not parse back`)
  }
  return next
}

/** Tenant ids that have an `[env.<id>]` block. */
export function tenantEnvIds(text: string): string[] {
  const env = parseWrangler(text).env
  return isTable(env) ? Object.keys(env) : []
}

export interface WorkerBindings {
  readonly vars: Record<string, string>
  /** Miniflare `durableObjects`: binding name → class (SQLite-backed when a migration says so). */
  readonly durableObjects: Record<string, { className: string; useSQLite: boolean }>
  /** Miniflare `ratelimits`: binding name → simple limit. */
  readonly ratelimits: Record<string, { simple: { limit: number; period: 10 | 60 } }>
  readonly kvNamespaces: string[]
  /** Miniflare `analyticsEngineDatasets`: binding name → dataset. */
  readonly analyticsEngineDatasets: Record<string, { dataset: string }>
}

/** The bindings of the top level or of one env, in the shape Miniflare takes. Unknown kinds are ignored here. */
export function workerBindings(config: TomlTable, envId?: string): WorkerBindings {
  const scope = envId === undefined ? config : ((config.env as TomlTable | undefined)?.[envId] as TomlTable | undefined)
  if (!isTable(scope)) throw new TypeError(`wrangler.toml: no [env.${envId}]`)
  const vars: Record<string, string> = {}
  for (const [k, v] of Object.entries(isTable(scope.vars) ? scope.vars : {})) {
    vars[k] = typeof v === 'string' ? v : JSON.stringify(v)
  }
  const sqlite = new Set(
    (Array.isArray(scope.migrations) ? scope.migrations : [])
      .filter(isTable)
      .flatMap((m) => (Array.isArray(m.new_sqlite_classes) ? m.new_sqlite_classes.map(String) : [])),
  )
  const durableObjects: WorkerBindings['durableObjects'] = {}
  const doBindings = isTable(scope.durable_objects) ? scope.durable_objects.bindings : undefined
  for (const b of Array.isArray(doBindings) ? doBindings.filter(isTable) : []) {
    const className = String(b.class_name)
    durableObjects[String(b.name)] = { className, useSQLite: sqlite.has(className) }
  }
  const ratelimits: WorkerBindings['ratelimits'] = {}
  for (const r of Array.isArray(scope.ratelimits) ? scope.ratelimits.filter(isTable) : []) {
    const simple = isTable(r.simple) ? r.simple : {}
    ratelimits[String(r.name)] = {
      simple: { limit: Number(simple.limit), period: Number(simple.period) === 10 ? 10 : 60 },
    }
  }
  const kv = Array.isArray(scope.kv_namespaces) ? scope.kv_namespaces.filter(isTable) : []
  const ae = Array.isArray(scope.analytics_engine_datasets) ? scope.analytics_engine_datasets.filter(isTable) : []
  const analyticsEngineDatasets = Object.fromEntries(ae.map((d) => [String(d.binding), { dataset: String(d.dataset) }]))
  return { vars, durableObjects, ratelimits, kvNamespaces: kv.map((k) => String(k.binding)), analyticsEngineDatasets }
}
