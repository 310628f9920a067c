// Policy compiler: YAML text → validated effective policy, with errors that name the file, line and field.
// Pure (no filesystem): scripts/build-policies.ts reads the files and writes the generated module.
// Merge rules (documented in the README): maps merge, lists replace, an explicit `null` removes the key.
import { createHash } from 'node:crypto'
import { type Document, LineCounter, parseDocument } from 'yaml'
import { canonicalJson } from '../json/canonical.ts'
import { describeIssue } from './describe-issue.ts'
import { type CompiledPolicy, type Policy, policySchema } from './schema.ts'

export interface PolicySource {
  /** Repo-relative path, used in error messages. */
  readonly path: string
  readonly text: string
}

export class PolicyError extends TypeError {
  override readonly name = 'PolicyError'
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'))
  }
}

type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain }

interface ParsedSource {
  readonly source: PolicySource
  readonly doc: Document
  readonly lines: LineCounter
  readonly value: Plain
}

function parseSource(source: PolicySource, problems: string[]): ParsedSource | null {
  const lines = new LineCounter()
  const doc = parseDocument(source.text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false })
  for (const err of doc.errors) {
    const line = lines.linePos(err.pos[0]).line
    problems.push(`${source.path}:${line} ${yamlProblem(source.text, err)}`)
  }
  if (doc.errors.length > 0) return null
  const value = doc.toJS({ maxAliasCount: 0 }) as Plain
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push(`${source.path}:1 the policy must be a YAML mapping`)
    return null
  }
  return { source, doc, lines, value }
}

/** A YAML syntax error as one sentence; a duplicate key names the key (it would silently shadow the first). */
function yamlProblem(text: string, err: { code: string; message: string; pos: [number, number] }): string {
  if (err.code === 'DUPLICATE_KEY') {
    const key = /^[^:\n]*/.exec(text.slice(err.pos[0]))?.[0].trim() ?? ''
    return `${key}: duplicate field (each field may appear once per mapping)`
  }
  return `YAML syntax error: ${err.message.split('\n')[0]}`
}

/** Maps merge recursively, lists and scalars replace, explicit null deletes. Never mutates its inputs. */
export function mergePolicy(base: Plain, override: Plain): Plain {
  if (!isMap(base) || !isMap(override)) return override
  const out: { [key: string]: Plain } = { ...base }
  for (const [key, value] of Object.entries(override)) {
    if (value === null) delete out[key]
    else out[key] = key in out ? mergePolicy(out[key] as Plain, value) : withoutNulls(value)
  }
  return out
}

/** A null means "remove" even where the base has nothing to remove, so it never reaches the schema as a value. */
function withoutNulls(value: Plain): Plain {
  if (!isMap(value)) return value
  const out: { [key: string]: Plain } = {}
  for (const [key, v] of Object.entries(value)) if (v !== null) out[key] = withoutNulls(v)
  return out
}

function isMap(v: Plain | undefined): v is { [key: string]: Plain } {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Line of the deepest key (or list item) on `path` that exists in this document (null if not even the first). */
function lineOf(parsed: ParsedSource, path: readonly PropertyKey[]): number | null {
  for (let depth = path.length; depth > 0; depth--) {
    const parent =
      depth === 1 ? parsed.doc.contents : parsed.doc.getIn(path.slice(0, depth - 1) as (string | number)[], true)
    const start = keyStart(parent, path[depth - 1])
    if (start !== null) return parsed.lines.linePos(start).line
  }
  return null
}

/** Where the key `key` (or item `key` of a list) of a YAML collection node starts. */
function keyStart(collection: unknown, key: PropertyKey | undefined): number | null {
  if (!isMap(collection as Plain) || !Array.isArray((collection as { items?: unknown }).items)) return null
  const items = (collection as { items: unknown[] }).items
  const node = typeof key === 'number' ? items[key] : items.find((p) => isPair(p) && scalarValue(p.key) === key)
  const target = isPair(node) ? node.key : node
  const range = (target as { range?: unknown } | undefined)?.range
  return Array.isArray(range) && typeof range[0] === 'number' ? range[0] : null
}

const isPair = (v: unknown): v is { key: unknown; value: unknown } =>
  typeof v === 'object' && v !== null && 'key' in v && 'value' in v
const scalarValue = (v: unknown): unknown => (typeof v === 'object' && v !== null && 'value' in v ? v.value : v)

function fieldName(path: readonly PropertyKey[]): string {
  let out = ''
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`
  return out || '(root)'
}

/**
 * Compile one tenant: merge `_base` under it, validate, hash. Throws PolicyError listing every problem as
 * `file:line field: message`; a problem in an inherited value is reported against the base file.
 */
export function compilePolicy(base: PolicySource | null, tenant: PolicySource, expectedId?: string): CompiledPolicy {
  const problems: string[] = []
  const parsedBase = base ? parseSource(base, problems) : null
  const parsedTenant = parseSource(tenant, problems)
  if (problems.length > 0 || !parsedTenant) throw new PolicyError(problems)
  const merged = parsedBase ? mergePolicy(parsedBase.value, parsedTenant.value) : parsedTenant.value
  const result = policySchema.safeParse(merged, { reportInput: true })
  if (!result.success) {
    for (const issue of result.error.issues) {
      const { path, message } = describeIssue(issue)
      const inTenant = lineOf(parsedTenant, path)
      const inBase = parsedBase ? lineOf(parsedBase, path) : null
      // Report against the file that set the deepest part of the path; the tenant wins ties.
      const useBase =
        parsedBase !== null &&
        inBase !== null &&
        (inTenant === null || depthIn(parsedBase, path) > depthIn(parsedTenant, path))
      const where = useBase ? `${parsedBase.source.path}:${inBase}` : `${tenant.path}:${inTenant ?? 1}`
      problems.push(`${where} ${fieldName(path)}: ${message}`)
    }
    throw new PolicyError(problems)
  }
  const policy: Policy = result.data
  if (expectedId !== undefined && policy.tenant !== expectedId) {
    throw new PolicyError([
      `${tenant.path}:${lineOf(parsedTenant, ['tenant']) ?? 1} tenant: must equal the folder name "${expectedId}"`,
    ])
  }
  const sha256 = createHash('sha256').update(canonicalJson(policy)).digest('hex')
  return { id: policy.tenant, version: policy.version, sha256, source: tenant.path, policy }
}

function depthIn(parsed: ParsedSource, path: readonly PropertyKey[]): number {
  for (let depth = path.length; depth > 0; depth--) {
    if (parsed.doc.hasIn(path.slice(0, depth) as (string | number)[])) return depth
  }
  return 0
}

/** Cross-tenant checks: ids and hostnames are unique across the deployment. */
export function checkTenantSet(compiled: readonly CompiledPolicy[]): void {
  const problems: string[] = []
  const hosts = new Map<string, string>()
  for (const c of compiled) {
    for (const host of c.policy.hosts) {
      const other = hosts.get(host)
      if (other !== undefined) problems.push(`${c.source}:1 hosts: "${host}" is already served by tenant "${other}"`)
      hosts.set(host, c.id)
    }
  }
  if (problems.length > 0) throw new PolicyError(problems)
}
