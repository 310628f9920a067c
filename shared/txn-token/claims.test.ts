import { describe, expect, it } from 'vitest'
import type { ScreenDecision } from '../screen/types.ts'
import { acceptedVerdicts, buildContextClaims, overallVerdict, traceIdOf, type Verdict } from './claims.ts'
import { claimsInput } from './testing.ts'

const screen = (verdict: ScreenDecision['verdict'], enforced = true): ScreenDecision => ({
  verdict,
  enforced,
  score: 0.91234,
  categories: ['pii'],
  rules: ['pii.email'],
  redactions: verdict === 'redact' ? { EMAIL: 2 } : {},
  spans: [{ start: 10, end: 27, detection: 'email', detection_type: 'pii', score: 0.9 }],
})

describe('context token claims', () => {
  const verdicts: [string, Parameters<typeof overallVerdict>[0], Verdict][] = [
    ['nothing fired', { shadowed: [] }, 'allow'],
    ['screen allow', { screen: screen('allow'), shadowed: [] }, 'allow'],
    ['screen flag', { screen: screen('flag'), shadowed: [] }, 'flag'],
    ['screen redact', { screen: screen('redact'), shadowed: [] }, 'redact'],
    ['redact only recorded', { screen: screen('redact', false), shadowed: [] }, 'flag'],
    ['shadowed limit', { screen: screen('allow'), shadowed: ['limit.requests'] }, 'shadow_block'],
    ['shadow block', { screen: screen('block', false), shadowed: ['screen.pii'] }, 'shadow_block'],
    ['enforced block (never signed by a healthy gateway)', { screen: screen('block'), shadowed: [] }, 'block'],
  ]
  it.each(verdicts)('verdict: %s → %s', (_n, input, expected) => {
    expect(overallVerdict(input)).toBe(expected)
  })

  it('only enforce-mode-safe verdicts are accepted for enforce tenants', () => {
    expect(acceptedVerdicts('enforce')).toEqual(['allow', 'flag', 'redact'])
    expect(acceptedVerdicts('shadow')).toContain('shadow_block')
    for (const mode of ['enforce', 'shadow'] as const) expect(acceptedVerdicts(mode)).not.toContain('block')
  })

  it('builds the documented claim set, with no span offsets and no prompt text', () => {
    const c = buildContextClaims(
      claimsInput({
        screen: screen('redact'),
        grant: { model: 'llama-3-8b', maxTokens: 512, clamped: true },
        limit: {
          checked: true,
          backend: 'durable-object',
          reservedTokens: 700,
          items: [
            {
              name: 'r1',
              kind: 'requests',
              scope: 'subject',
              limit: 60,
              remaining: 59,
              windowSeconds: 60,
              resetSeconds: 1,
            },
            {
              name: 'r2',
              kind: 'requests',
              scope: 'tenant',
              limit: 600,
              remaining: 7,
              windowSeconds: 60,
              resetSeconds: 1,
            },
            {
              name: 't1',
              kind: 'tokens',
              scope: 'subject',
              limit: 1e5,
              remaining: 9e4,
              windowSeconds: 60,
              resetSeconds: 1,
            },
          ],
        },
      }),
    )
    expect(c).toMatchObject({
      iat: 1_767_225_600,
      exp: 1_767_225_660,
      jti: 'req-0001',
      txn: 'req-0001',
      scope: 'chat:write embed',
      tenant: 'acme',
      verdict: 'redact',
      rctx: { req_wl: 'portcullis-gateway', colo: 'FRA', authn: 'bearer', req_ip_hash: 'h'.repeat(43), country: 'DE' },
      tctx: {
        policy: { id: 'acme', version: '7' },
        model: 'llama-3-8b',
        max_tokens: 512,
        max_tokens_clamped: true,
        screen: { verdict: 'redact', score: 0.912, redactions: { EMAIL: 2 }, rules: ['pii.email'] },
        limit: { remaining_requests: 7, remaining_tokens: 9e4, reserved_tokens: 700 },
        trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
      },
    })
    expect(JSON.stringify(c)).not.toContain('spans')
    expect(c.rctx).not.toHaveProperty('req_ip')
  })

  it('client IP: plain, hashed or omitted per policy', () => {
    expect(buildContextClaims(claimsInput({ clientIp: { form: 'plain', value: '192.0.2.1' } })).rctx).toMatchObject({
      req_ip: '192.0.2.1',
    })
    const omitted = buildContextClaims(claimsInput({ clientIp: null })).rctx
    expect(omitted).not.toHaveProperty('req_ip')
    expect(omitted).not.toHaveProperty('req_ip_hash')
  })

  it('parses only well-formed traceparents', () => {
    expect(traceIdOf('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    )
    for (const bad of [null, '', 'garbage', '00-XYZ-00f067aa0ba902b7-01']) expect(traceIdOf(bad)).toBeNull()
  })
})
