import { describe, expect, it } from 'vitest'
import { screenPolicySchema } from '../screen/policy-schema.ts'
import { mcpPolicySchema } from './policy-schema.ts'
import { mcpScreen } from './screen.ts'

describe('mcpScreen', () => {
  const mcp = mcpPolicySchema.parse({ upstream: { url: 'http://127.0.0.1:1/mcp', audience: 'mcp' } })

  it('derives per (screen, mcp) pair: one mcp policy under two screen policies gets two screens', () => {
    const strict = screenPolicySchema.parse({ categories: { injection: { threshold: 0.5 } } })
    const lax = screenPolicySchema.parse({ categories: { injection: { threshold: 0.99 } } })
    const a = mcpScreen(strict, mcp, 'results')
    const b = mcpScreen(lax, mcp, 'results')
    expect(a.policy.categories.injection.threshold).toBe(0.5)
    expect(b.policy.categories.injection.threshold).toBe(0.99)
    expect(mcpScreen(strict, mcp, 'results')).toBe(a) // still built once per pair
  })
})
