// policy:check as part of the suite: every committed fixture replays through the real gateway in workerd, a
// changed rule turns into a failing fixture with a field-level diff, and a broken fixture file is reported.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../build-policies.ts'
import { compareOutcome, jsonDiff, runPolicyCheck } from './check.ts'
import { type Fixture, fixtureSchema } from './fixtures.ts'
import type { ReplayEnvelope } from './replay.ts'

describe('policy:check over the committed policies', () => {
  it('validates every policy and replays every fixture without a mismatch', async () => {
    const report = await runPolicyCheck()
    expect(report.text).toContain('policy:check passed')
    expect(report.ok).toBe(true)
    const tenants = new Set(report.results.map((r) => r.fixture.tenant))
    expect([...tenants].sort()).toEqual(report.policies.map((p) => p.id).sort())
    expect(report.results.filter((r) => r.fixture.kind === 'DENY').length).toBeGreaterThan(0)
    expect(report.results.every((r) => r.diff.length === 0)).toBe(true)
  }, 120_000)
})

describe('a changed rule fails its fixture with a readable diff', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-policy-check-'))
    await cp(join(REPO_ROOT, 'policies'), join(dir, 'policies'), { recursive: true })
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('lowers the chat ceiling and names exactly what changed', async () => {
    const file = join(dir, 'policies', 'default', 'policy.yaml')
    const text = await readFile(file, 'utf8')
    expect(text).toContain('maxTokens: 4096')
    await writeFile(file, text.replace('maxTokens: 4096', 'maxTokens: 2048'))
    const report = await runPolicyCheck({ root: join(dir, 'policies'), tenants: ['default'] })
    expect(report.ok).toBe(false)
    const failed = report.results.filter((r) => r.diff.length > 0)
    expect(failed.map((r) => r.fixture.path)).toEqual(['default/ALLOW/clamp-max-tokens.json'])
    expect(failed[0]?.diff).toEqual([
      'forwardedBody.max_tokens: expected 4096, got 2048',
      'decision.grant.maxTokens: expected 4096, got 2048',
    ])
    expect(report.text).toContain('FAIL default/ALLOW/clamp-max-tokens.json')
    expect(report.text).toContain('policy:check FAILED')
  }, 120_000)

  it('reports a fixture with an unknown field instead of replaying it', async () => {
    const file = join(dir, 'policies', 'default', 'DENY', 'no-token.json')
    const fixture = JSON.parse(await readFile(file, 'utf8')) as Record<string, Record<string, unknown>>
    await writeFile(file, JSON.stringify({ ...fixture, expect: { ...fixture.expect, stauts: 401 } }))
    const report = await runPolicyCheck({ root: join(dir, 'policies'), tenants: ['default'] })
    expect(report.ok).toBe(false)
    expect(report.problems).toEqual(['default/DENY/no-token.json expect: unknown field "stauts"'])
  })

  it('reports a broken policy with file, line and field', async () => {
    const file = join(dir, 'policies', 'acme', 'policy.yaml')
    const text = await readFile(file, 'utf8')
    const line = text.split('\n').indexOf('mode: enforce') + 1
    expect(line).toBeGreaterThan(0)
    await writeFile(file, text.replace('mode: enforce', 'mode: audit'))
    const report = await runPolicyCheck({ root: join(dir, 'policies') })
    expect(report.ok).toBe(false)
    expect(report.problems).toHaveLength(1)
    expect(report.problems[0]).toMatch(
      new RegExp(`policies/acme/policy\\.yaml:${line} mode: must be one of enforce, shadow$`),
    )
  })
})

describe('compareOutcome', () => {
  const fixture = (expect: Record<string, unknown>): Fixture =>
    fixtureSchema.parse({ description: 'd', request: { path: '/v1/models', claims: null }, expect })
  const envelope = (over: Partial<ReplayEnvelope>): ReplayEnvelope => ({
    status: 200,
    headers: {},
    body: '{}',
    decision: { tenant: 'default', shadowed: [], grant: { maxTokens: 10 } },
    forwarded: { method: 'POST', url: 'http://up/v1/chat/completions', headers: {}, body: '{"a":1,"b":[1,2]}' },
    ...over,
  })
  const table: [string, Record<string, unknown>, Partial<ReplayEnvelope>, string[]][] = [
    ['match', { status: 200, forwardedBody: { a: 1, b: [1, 2] } }, {}, []],
    ['status', { status: 201 }, {}, ['status: expected 201, got 200']],
    [
      'code missing',
      { status: 403, code: 'authz.model_forbidden' },
      { status: 403, forwarded: null },
      ['code: expected authz.model_forbidden, got (none)'],
    ],
    [
      'refusal forwarded',
      { status: 403, code: 'authz.model_forbidden' },
      { status: 403, headers: { 'x-portcullis-code': 'authz.model_forbidden' } },
      ['forwarded: a refused request reached the model tier'],
    ],
    [
      'body leaf and extra key',
      { status: 200, forwardedBody: { a: 2, b: [1] } },
      {},
      ['forwardedBody.a: expected 2, got 1', 'forwardedBody.b[1]: expected (absent), got 2'],
    ],
    [
      'nothing forwarded',
      { status: 200, forwardedBody: {} },
      { forwarded: null },
      ['forwardedBody: nothing was forwarded'],
    ],
    ['decision subset ok', { status: 200, decision: { grant: { maxTokens: 10 } } }, {}, []],
    [
      'decision differs',
      { status: 200, decision: { shadowed: ['authz.model_forbidden'] } },
      {},
      ['decision.shadowed[0]: expected "authz.model_forbidden", got (absent)'],
    ],
  ]
  it.each(table)('%s', (_name, expected, actual, diff) => {
    expect(compareOutcome(fixture(expected), envelope(actual))).toEqual(diff)
  })

  it('jsonDiff compares both sides unless asked for a subset', () => {
    expect(jsonDiff({ a: 1 }, { a: 1, b: 2 }, 'x')).toEqual(['x.b: expected (absent), got 2'])
    expect(jsonDiff({ a: 1 }, { a: 1, b: 2 }, 'x', true)).toEqual([])
  })
})
