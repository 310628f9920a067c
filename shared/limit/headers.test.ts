import { describe, expect, it } from 'vitest'
import { formatRateLimit, formatRateLimitPolicy, rateLimitHeaders, retryAfterSeconds } from './headers.ts'
import type { LimitItem } from './types.ts'

const item = (over: Partial<LimitItem>): LimitItem => ({
  name: 'tokens-subject-60s',
  kind: 'tokens',
  scope: 'subject',
  limit: 100_000,
  remaining: 99_000,
  windowSeconds: 60,
  resetSeconds: 42,
  ...over,
})

describe('RateLimit fields (draft-ietf-httpapi-ratelimit-headers-09)', () => {
  it('formats one list member per limit', () => {
    const items = [
      item({}),
      item({
        name: 'requests-subject-86400s',
        kind: 'requests',
        limit: 1000,
        remaining: 3,
        windowSeconds: 86_400,
        resetSeconds: 100,
      }),
    ]
    expect(formatRateLimitPolicy(items)).toBe(
      '"tokens-subject-60s";q=100000;w=60, "requests-subject-86400s";q=1000;w=86400',
    )
    expect(formatRateLimit(items)).toBe('"tokens-subject-60s";r=99000;t=42, "requests-subject-86400s";r=3;t=100')
  })

  it('never emits negative numbers or unescaped names', () => {
    expect(formatRateLimit([item({ remaining: -5, resetSeconds: -1, name: 'a"b' })])).toBe('"a-b";r=0;t=0')
  })

  it('sends no fields when nothing is limited', () => {
    expect(rateLimitHeaders([])).toEqual({})
  })

  it('Retry-After is the latest reset among refused limits, at least 1 s', () => {
    expect(retryAfterSeconds([item({ resetSeconds: 3 }), item({ resetSeconds: 17 })])).toBe(17)
    expect(retryAfterSeconds([item({ resetSeconds: 0 })])).toBe(1)
  })
})
