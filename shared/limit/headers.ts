// RateLimit and RateLimit-Policy response fields in the syntax of draft-ietf-httpapi-ratelimit-headers-09
// (Structured Field Lists, RFC 9651): one item per active limit, `"name";q=<quota>;w=<window s>` in the policy
// field and `"name";r=<remaining>;t=<seconds until reset>` in the live field.
import type { LimitItem } from './types.ts'

/** Policy names are sf-strings: we only emit [a-z0-9-], which needs no escaping. */
const sfString = (name: string): string => `"${name.replace(/[^a-z0-9-]/g, '-')}"`

export function formatRateLimitPolicy(items: readonly Pick<LimitItem, 'name' | 'limit' | 'windowSeconds'>[]): string {
  return items.map((i) => `${sfString(i.name)};q=${i.limit};w=${i.windowSeconds}`).join(', ')
}

export function formatRateLimit(items: readonly Pick<LimitItem, 'name' | 'remaining' | 'resetSeconds'>[]): string {
  return items
    .map((i) => `${sfString(i.name)};r=${Math.max(0, i.remaining)};t=${Math.max(0, i.resetSeconds)}`)
    .join(', ')
}

/** Both fields, or none when there is nothing to advertise. */
export function rateLimitHeaders(items: readonly LimitItem[]): Record<string, string> {
  if (items.length === 0) return {}
  return { 'RateLimit-Policy': formatRateLimitPolicy(items), RateLimit: formatRateLimit(items) }
}

/** Retry-After (RFC 9110 §10.2.3) in whole seconds: the latest reset among the refused limits, at least 1. */
export function retryAfterSeconds(refused: readonly Pick<LimitItem, 'resetSeconds'>[]): number {
  return Math.max(1, ...refused.map((i) => i.resetSeconds))
}
