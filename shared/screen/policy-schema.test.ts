import { describe, expect, it } from 'vitest'
import { DEFAULT_ATTACK_FLAG, DEFAULT_ATTACK_THRESHOLD, screenPolicySchema } from './policy-schema.ts'
import { checkLinearRegex } from './regex-safety.ts'

describe('tenant regex linearity check', () => {
  it.each([
    ['project\\s?nightjar', true],
    ['\\bACME-\\d{4,8}\\b', true],
    ['(?:foo|bar)baz', true],
    ['[a-z]{1,40}@corp\\.example', true],
    ['(a+)+$', false],
    ['(a|aa)*b', false],
    ['.*secret', false],
    ['\\w+@\\w+', false],
    ['a{2,}', false],
    ['(a{1,10}){1,10}', false],
    ['(foo|bar){1,5}', false],
    ['(\\w)\\1', false],
    ['(?=x)y', false],
    ['[a-z]{1,200}[0-9]{1,200}x{1,200}', false],
    ['(', false],
  ])('%s → linear=%s', (src, ok) => {
    expect(checkLinearRegex(src).ok).toBe(ok)
  })

  it('rejects a super-linear tenant pattern at policy build time with a message', () => {
    const r = screenPolicySchema.safeParse({ rules: [{ id: 'bad', patterns: ['(a+)+b'] }] })
    expect(r.success).toBe(false)
    expect(JSON.stringify(r.error?.issues)).toContain('super-linear')
  })

  it('gives a tenant that says nothing a good screen', () => {
    const p = screenPolicySchema.parse({})
    expect(p.enabled).toBe(true)
    expect(p.categories.injection.action).toBe('block')
    expect(p.categories.pii.action).toBe('redact')
    expect(p.categories.secret.action).toBe('block')
    expect(p.roles.tool).toBe(1)
  })

  it('blocks the phrase-scored categories at the calibrated threshold and flags from the trained flag default', () => {
    const p = screenPolicySchema.parse({})
    for (const c of ['injection', 'jailbreak', 'extraction'] as const) {
      expect(p.categories[c].threshold).toBe(DEFAULT_ATTACK_THRESHOLD)
      expect(p.categories[c].flag).toBe(DEFAULT_ATTACK_FLAG)
    }
    expect(DEFAULT_ATTACK_FLAG).toBeGreaterThan(0)
    expect(DEFAULT_ATTACK_FLAG).toBeLessThan(DEFAULT_ATTACK_THRESHOLD)
    expect(p.categories.exfiltration.threshold).toBe(0.9)
    const t = screenPolicySchema.parse({ categories: { jailbreak: { threshold: 0.95 } } })
    expect(t.categories.jailbreak.threshold).toBe(0.95)
    expect(t.categories.jailbreak.action).toBe('block')
  })
})
