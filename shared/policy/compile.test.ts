// The policy compiler's contract with authors: every broken policy is reported as `file:line field: message`,
// the merge rules hold, unknown fields are errors, and the hash depends on the effective policy only.
import { describe, expect, it } from 'vitest'
import { checkTenantSet, compilePolicy, mergePolicy, PolicyError, type PolicySource } from './compile.ts'

const BASE: PolicySource = {
  path: 'policies/_base.yaml',
  text: ['mode: enforce', 'ingress:', '  maxBodyBytes: 1048576', 'authorize:', '  defaultMaxTokens: 1024', ''].join(
    '\n',
  ),
}

// Line numbers in the table below refer to this text (line 1 = `tenant: acme`).
const GOOD = [
  'tenant: acme', // 1
  'version: 3', // 2
  'hosts: [api.acme.test]', // 3
  'upstream:', // 4
  '  url: https://models.acme.test', // 5
  '  audience: acme-models', // 6
  'auth:', // 7
  '  issuers:', // 8
  '    - issuer: https://login.acme.test', // 9
  '      audience: portcullis', // 10
  '      jwksUrl: https://login.acme.test/jwks.json', // 11
  'scopes:', // 12
  '  chat:', // 13
  '    endpoints: [chat]', // 14
  "    models: ['*']", // 15
  '    maxTokens: 2048', // 16
  '',
].join('\n')

const tenant = (text: string): PolicySource => ({ path: 'policies/acme/policy.yaml', text })
const compile = (text: string, base: PolicySource | null = BASE) => compilePolicy(base, tenant(text), 'acme')
const problemsOf = (fn: () => unknown): readonly string[] => {
  try {
    fn()
  } catch (err) {
    if (err instanceof PolicyError) return err.problems
    throw err
  }
  throw new Error('expected a PolicyError')
}

const limits = (line: string) => `${GOOD}limits:\n  tokens:\n    subject:\n      - ${line}\n`

describe('schema errors name the file, the line and the field', () => {
  const table: [name: string, text: string, expected: string][] = [
    [
      'negative token budget',
      limits('{ limit: -5, windowSeconds: 60 }'),
      'policies/acme/policy.yaml:20 limits.tokens.subject[0].limit: must be a positive integer',
    ],
    [
      'fractional token budget',
      limits('{ limit: 1.5, windowSeconds: 60 }'),
      'policies/acme/policy.yaml:20 limits.tokens.subject[0].limit: must be an integer',
    ],
    [
      'string where a number belongs',
      limits('{ limit: lots, windowSeconds: 60 }'),
      'policies/acme/policy.yaml:20 limits.tokens.subject[0].limit: must be an integer',
    ],
    [
      'window longer than a week',
      limits('{ limit: 5, windowSeconds: 9999999 }'),
      'policies/acme/policy.yaml:20 limits.tokens.subject[0].windowSeconds: must be ≤ 604800',
    ],
    [
      'typo at the top level',
      `${GOOD}limitz: {}\n`,
      'policies/acme/policy.yaml:17 limitz: unknown field (did you mean "limits"?)',
    ],
    [
      'typo inside a scope',
      GOOD.replace('    maxTokens: 2048', '    maxToken: 2048'),
      'policies/acme/policy.yaml:16 scopes.chat.maxToken: unknown field (did you mean "maxTokens"?)',
    ],
    [
      'unknown field with no near match',
      `${GOOD}ingress:\n  firewall: true\n`,
      'policies/acme/policy.yaml:18 ingress.firewall: unknown field',
    ],
    ['bad enum', `${GOOD}mode: audit\n`, 'policies/acme/policy.yaml:17 mode: must be one of enforce, shadow'],
    [
      'bad hostname',
      GOOD.replace('[api.acme.test]', '[Api Acme]'),
      'policies/acme/policy.yaml:3 hosts[0]: must be a hostname',
    ],
    [
      'non-http upstream',
      GOOD.replace('https://models.acme.test', 'ftp://models.acme.test'),
      'policies/acme/policy.yaml:5 upstream.url: must be an http(s) URL or ${VAR:-http(s)://default}',
    ],
    [
      'missing upstream audience',
      GOOD.replace('  audience: acme-models\n', ''),
      'policies/acme/policy.yaml:4 upstream.audience: is required',
    ],
    [
      'no issuers',
      GOOD.replace(/ {2}issuers:[\s\S]*?scopes:/, '  issuers: []\nscopes:'),
      'policies/acme/policy.yaml:8 auth.issuers: must have at least 1 item',
    ],
    [
      'both jwks and jwksUrl',
      GOOD.replace('      jwksUrl:', '      jwks: { keys: [{ kty: EC }] }\n      jwksUrl:'),
      'policies/acme/policy.yaml:9 auth.issuers[0]: exactly one of jwksUrl or jwks is required',
    ],
    [
      'audience of the wrong type',
      GOOD.replace('      audience: portcullis', '      audience: { a: 1 }'),
      'policies/acme/policy.yaml:10 auth.issuers[0].audience: must be a string or a list',
    ],
    [
      'boolean as a string',
      `${GOOD}limits:\n  enabled: "yes"\n`,
      'policies/acme/policy.yaml:18 limits.enabled: must be a boolean (true or false)',
    ],
    [
      'duplicate key',
      `${GOOD}version: 4\n`,
      'policies/acme/policy.yaml:17 version: duplicate field (each field may appear once per mapping)',
    ],
    [
      'tenant id differs from the folder',
      GOOD.replace('tenant: acme', 'tenant: acme-corp'),
      'policies/acme/policy.yaml:1 tenant: must equal the folder name "acme"',
    ],
    ['not a mapping', '- a\n- b\n', 'policies/acme/policy.yaml:1 the policy must be a YAML mapping'],
    [
      'explicit null removes a required field',
      GOOD.replace('  url: https://models.acme.test', '  url: null'),
      'policies/acme/policy.yaml:5 upstream.url: is required',
    ],
  ]
  it.each(table)('%s', (_name, text, expected) => {
    expect(problemsOf(() => compile(text))).toEqual([expected])
  })

  it('reports every problem at once, in both files', () => {
    const base = { path: 'policies/_base.yaml', text: 'ingress:\n  maxBodyBytes: 0\n' }
    const problems = problemsOf(() => compile(`${GOOD}mode: audit\n`, base))
    expect(problems).toEqual([
      'policies/acme/policy.yaml:17 mode: must be one of enforce, shadow',
      'policies/_base.yaml:2 ingress.maxBodyBytes: must be a positive integer',
    ])
  })

  it('names a YAML syntax error with its line', () => {
    const [problem] = problemsOf(() => compile(`${GOOD}extra: [\n`))
    expect(problem).toMatch(/^policies\/acme\/policy\.yaml:1[78] YAML syntax error: /)
  })

  it('refuses two tenants on one host', () => {
    const a = compile(GOOD)
    const b = compilePolicy(BASE, { path: 'policies/beta/policy.yaml', text: GOOD.replace('acme', 'beta') }, 'beta')
    expect(problemsOf(() => checkTenantSet([a, b]))).toEqual([
      'policies/beta/policy.yaml:1 hosts: "api.acme.test" is already served by tenant "acme"',
    ])
  })
})

describe('merge rules: maps merge, lists replace, explicit null removes', () => {
  const table: [name: string, base: unknown, override: unknown, merged: unknown][] = [
    ['maps merge key by key', { a: { x: 1, y: 2 } }, { a: { y: 3, z: 4 } }, { a: { x: 1, y: 3, z: 4 } }],
    ['lists replace whole', { l: [1, 2, 3] }, { l: [9] }, { l: [9] }],
    ['an empty list replaces too', { l: [1] }, { l: [] }, { l: [] }],
    ['null removes the key', { a: { x: 1, y: 2 } }, { a: { x: null } }, { a: { y: 2 } }],
    ['null is dropped where the base has no such key', { a: 1 }, { b: { x: null, y: 2 } }, { a: 1, b: { y: 2 } }],
    ['a scalar replaces a map', { a: { x: 1 } }, { a: 5 }, { a: 5 }],
    ['untouched keys are inherited', { a: 1, b: 2 }, { c: 3 }, { a: 1, b: 2, c: 3 }],
  ]
  it.each(table)('%s', (_name, base, override, merged) => {
    const b = structuredClone(base)
    expect(mergePolicy(b as never, override as never)).toEqual(merged)
    expect(b).toEqual(base) // inputs are never mutated
  })

  it('applies the base defaults and lets the tenant override them', () => {
    const inherited = compile(GOOD)
    expect(inherited.policy.ingress.maxBodyBytes).toBe(1_048_576)
    const overridden = compile(`${GOOD}ingress:\n  maxBodyBytes: 2048\n`)
    expect(overridden.policy.ingress.maxBodyBytes).toBe(2048)
    expect(overridden.policy.ingress.contentTypes).toEqual(['application/json'])
  })

  it('null in the tenant restores the schema default of a base value', () => {
    const c = compile(`${GOOD}authorize:\n  defaultMaxTokens: null\n`, {
      path: 'policies/_base.yaml',
      text: 'authorize:\n  defaultMaxTokens: 7\n',
    })
    expect(c.policy.authorize.defaultMaxTokens).toBe(1024)
  })
})

describe('identity of a compiled policy', () => {
  it('hashes the effective policy, not the YAML layout', () => {
    const a = compile(GOOD)
    const reordered = compile(`# a comment\n${GOOD.split('\n').slice(1).join('\n')}tenant: acme\n`)
    expect(reordered.sha256).toBe(a.sha256)
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(a.version).toBe('3')
  })

  it('changes the hash when a rule changes', () => {
    expect(compile(GOOD.replace('maxTokens: 2048', 'maxTokens: 2049')).sha256).not.toBe(compile(GOOD).sha256)
  })
})
