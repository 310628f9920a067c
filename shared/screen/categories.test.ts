import { describe, expect, it } from 'vitest'
import { ERRORS, isErrorCode } from '../errors.ts'
import { SCREEN_CATEGORIES } from './categories.ts'
import { CATEGORIES } from './engine.ts'
import { screenPolicySchema, tenantRuleSchema } from './policy-schema.ts'

describe('screen categories, declared once', () => {
  const defaults = screenPolicySchema.parse({})
  it.each(SCREEN_CATEGORIES)('%s: engine list, policy defaults, rule enum and a 403 error code', (category) => {
    expect(CATEGORIES).toContain(category)
    expect(defaults.categories[category]).toBeDefined()
    expect(tenantRuleSchema.safeParse({ id: 'r', category, phrases: ['ab'] }).success).toBe(true)
    const code = `screen.${category}`
    expect(isErrorCode(code)).toBe(true)
    expect(ERRORS[code as keyof typeof ERRORS].status).toBe(403)
  })

  it('no screen error code without a category (besides screen.unavailable)', () => {
    const codes = Object.keys(ERRORS).filter((c) => c.startsWith('screen.') && c !== 'screen.unavailable')
    expect(codes.sort()).toEqual(SCREEN_CATEGORIES.map((c) => `screen.${c}`).sort())
  })
})
