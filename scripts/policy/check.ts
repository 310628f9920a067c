// `policy:check` as a function: validate every policy, then replay every fixture through the real gateway in
// workerd and report each mismatch as a field-by-field diff (expected vs actual). Pure comparison logic lives
// here (compareOutcome) so its messages are tested without starting workerd.
import { readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { PolicyError } from '../../shared/policy/compile.ts'
import type { CompiledPolicy } from '../../shared/policy/schema.ts'
import { compilePolicies, REPO_ROOT } from '../build-policies.ts'
import { type Fixture, type LoadedFixture, loadFixtures } from './fixtures.ts'
import { type ReplayEnvelope, startReplayGateway } from './replay.ts'

export interface FixtureResult {
  readonly fixture: LoadedFixture
  /** Empty when the outcome matched. */
  readonly diff: readonly string[]
}

export interface CheckReport {
  readonly ok: boolean
  readonly policies: readonly CompiledPolicy[]
  readonly results: readonly FixtureResult[]
  /** Policy or fixture problems found before replay (file:line field: message). */
  readonly problems: readonly string[]
  readonly text: string
}

const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v))

/** Leaf-by-leaf differences: `at: expected X, got Y`. Arrays compare by index, objects by key (both sides). */
export function jsonDiff(expected: unknown, actual: unknown, at: string, subset = false): string[] {
  const bothObjects = typeof expected === 'object' && expected !== null && typeof actual === 'object' && actual !== null
  if (bothObjects && Array.isArray(expected) === Array.isArray(actual)) {
    if (Array.isArray(expected) && Array.isArray(actual)) {
      const out: string[] = []
      for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
        out.push(...jsonDiff(expected[i], actual[i], `${at}[${i}]`))
      }
      return out
    }
    const e = expected as Record<string, unknown>
    const a = actual as Record<string, unknown>
    const keys = subset ? Object.keys(e) : [...new Set([...Object.keys(e), ...Object.keys(a)])]
    return keys.flatMap((k) => jsonDiff(e[k], a[k], `${at}.${k}`, subset))
  }
  return JSON.stringify(expected) === JSON.stringify(actual)
    ? []
    : [`${at}: expected ${show(expected)}, got ${show(actual)}`]
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** Everything that differs between a fixture's expectation and what the gateway did. */
export function compareOutcome(f: Fixture, actual: ReplayEnvelope): string[] {
  const diff: string[] = []
  const code = actual.headers['x-portcullis-code'] ?? null
  if (actual.status !== f.expect.status) diff.push(`status: expected ${f.expect.status}, got ${actual.status}`)
  if ((f.expect.code ?? null) !== code)
    diff.push(`code: expected ${f.expect.code ?? '(none)'}, got ${code ?? '(none)'}`)
  if (f.expect.status >= 400 && actual.forwarded !== null)
    diff.push('forwarded: a refused request reached the model tier')
  if (f.expect.forwardedBody !== undefined) {
    if (actual.forwarded === null) diff.push('forwardedBody: nothing was forwarded')
    else diff.push(...jsonDiff(f.expect.forwardedBody, parseJson(actual.forwarded.body), 'forwardedBody'))
  }
  if (f.expect.decision !== undefined) {
    if (actual.decision === null) diff.push('decision: no decision-log line was written')
    else diff.push(...jsonDiff(f.expect.decision, actual.decision, 'decision', true))
  }
  return diff
}

export interface CheckOptions {
  /** policies/ folder (default: the repo's). */
  readonly root?: string
  /** wrangler.toml whose top-level bindings the replay Worker gets (default: the repo's). */
  readonly wranglerPath?: string
  /** Only these tenants' fixtures. */
  readonly tenants?: readonly string[]
}

export async function runPolicyCheck(opts: CheckOptions = {}): Promise<CheckReport> {
  const root = opts.root ?? join(REPO_ROOT, 'policies')
  const wranglerPath = opts.wranglerPath ?? join(REPO_ROOT, 'wrangler.toml')
  const lines: string[] = []
  const fail = (problems: string[]): CheckReport => ({
    ok: false,
    policies: [],
    results: [],
    problems,
    text: [...problems, `policy:check failed: ${problems.length} problem(s)`].join('\n'),
  })
  let policies: CompiledPolicy[]
  try {
    policies = await compilePolicies(root)
  } catch (err) {
    if (err instanceof PolicyError) return fail([...err.problems])
    throw err
  }
  for (const p of policies) lines.push(`policy ${p.id} v${p.version} sha256:${p.sha256.slice(0, 16)}… ok`)
  const ids = policies.map((p) => p.id).filter((id) => !opts.tenants || opts.tenants.includes(id))
  let fixtures: LoadedFixture[]
  try {
    fixtures = await loadFixtures(root, ids, root.startsWith(REPO_ROOT) ? REPO_ROOT : root)
  } catch (err) {
    if (err instanceof TypeError) return fail([err.message])
    throw err
  }
  const gateway = await startReplayGateway(policies, await readFile(wranglerPath, 'utf8'))
  const results: FixtureResult[] = []
  try {
    for (const fx of fixtures) {
      const actual = await gateway.send(fx.tenant, fx.fixture.request)
      const diff = compareOutcome(fx.fixture, actual)
      results.push({ fixture: fx, diff })
      if (diff.length === 0) lines.push(`  ok   ${fx.path}`)
      else lines.push(`  FAIL ${fx.path} — ${fx.fixture.description}`, ...diff.map((d) => `         ${d}`))
    }
  } finally {
    await gateway.stop()
  }
  const failed = results.filter((r) => r.diff.length > 0).length
  const missing = ids.filter((id) => !fixtures.some((f) => f.tenant === id))
  for (const id of missing)
    lines.push(`  FAIL ${relative(REPO_ROOT, join(root, id))}: no fixtures (add ALLOW/ and DENY/)`)
  const ok = failed === 0 && missing.length === 0
  lines.push(
    `${ok ? 'policy:check passed' : 'policy:check FAILED'}: ${results.length - failed}/${results.length} fixtures`,
  )
  return { ok, policies, results, problems: [], text: lines.join('\n') }
}
