// In-process backend over the same window math: for unit tests of the stage and as the reference the contract
// tests compare the real backends against. Not for production: every isolate would count alone.
import type { LimitAdjustment, LimitCheck, LimiterBackend, LimitOutcome } from './backend.ts'
import { adjustWindow, consumeWindow, type WindowCounters } from './window.ts'

export interface MemoryBackend extends LimiterBackend {
  /** Current raw counters, for assertions. */
  readonly counters: ReadonlyMap<string, WindowCounters>
}

export function createMemoryBackend(
  options: { now?: () => number; name?: LimiterBackend['name'] } = {},
): MemoryBackend {
  const now = options.now ?? Date.now
  const counters = new Map<string, WindowCounters>()
  return {
    name: options.name ?? 'durable-object',
    counters,
    async consume(checks: readonly LimitCheck[]): Promise<LimitOutcome[]> {
      const t = now()
      return checks.map((check) => {
        const lease = { extra: check.extra ?? 0, ceiling: check.ceiling ?? check.limit }
        const out = consumeWindow(
          counters.get(check.key),
          check.limit,
          check.windowSeconds * 1000,
          check.cost,
          t,
          lease,
        )
        counters.set(check.key, out.counters)
        return {
          allowed: out.allowed,
          limit: check.limit,
          remaining: out.remaining,
          resetAtMs: out.resetAtMs,
          granted: out.granted,
        }
      })
    },
    async adjust(adjustments: readonly LimitAdjustment[]): Promise<void> {
      const t = now()
      for (const a of adjustments)
        counters.set(a.key, adjustWindow(counters.get(a.key), a.windowSeconds * 1000, a.delta, t))
    },
  }
}
