// Sliding-window counter math shared by the Durable Object limiter and the contract tests. It is the same
// approximation @upstash/ratelimit's slidingWindow script uses (two fixed windows, the previous one weighted by
// how much of it still overlaps), so both backends give the same answers for the same clock.

/** Counters for one key: `current` counts units in fixed window number `index` (floor(now / windowMs)). */
export interface WindowCounters {
  readonly index: number
  readonly current: number
  readonly previous: number
}

export interface WindowOutcome {
  readonly counters: WindowCounters
  readonly allowed: boolean
  /** Units left after this call, never negative. */
  readonly remaining: number
  /** When the current fixed window ends (epoch ms): the earliest time the count can drop to the previous-only share. */
  readonly resetAtMs: number
  /** Lease units counted on top of the cost. */
  readonly granted: number
}

/** Moves counters to the window containing `nowMs`: the old current becomes previous if adjacent, else both clear. */
export function rollWindow(counters: WindowCounters | undefined, nowMs: number, windowMs: number): WindowCounters {
  const index = Math.floor(nowMs / windowMs)
  if (counters === undefined || counters.index < index - 1) return { index, current: 0, previous: 0 }
  if (counters.index === index - 1) return { index, current: 0, previous: counters.current }
  return counters
}

/** Units counted against the limit at `nowMs`: the previous window's overlapping share (floored) plus the current. */
export function usedUnits(counters: WindowCounters, nowMs: number, windowMs: number): number {
  const inCurrent = (nowMs % windowMs) / windowMs
  return Math.floor((1 - inCurrent) * counters.previous) + counters.current
}

/**
 * Admits `cost` units only if they fit (used + cost <= limit); a refused call counts nothing. For cost 1 this is
 * exactly @upstash/ratelimit's check; for weights it is stricter than the library, whose script counts a refused
 * overshoot — the Upstash backend runs its own script for weighted checks (upstash.ts).
 * `extra` lease units are then counted as far as they fit under `ceiling` (>= limit): the lease layer's bounded
 * overshoot lives here, in the object, so no number of isolates can push the count past `ceiling`.
 */
export function consumeWindow(
  prior: WindowCounters | undefined,
  limit: number,
  windowMs: number,
  cost: number,
  nowMs: number,
  lease: { extra: number; ceiling: number } = { extra: 0, ceiling: limit },
): WindowOutcome {
  const counters = rollWindow(prior, nowMs, windowMs)
  const used = usedUnits(counters, nowMs, windowMs)
  const resetAtMs = (counters.index + 1) * windowMs
  if (cost > 0 && used + cost > limit) return { counters, allowed: false, remaining: 0, resetAtMs, granted: 0 }
  const room = Math.max(limit, lease.ceiling) - used - cost
  const granted = Math.max(0, Math.min(Math.floor(lease.extra), room))
  const next = { ...counters, current: counters.current + cost + granted }
  return { counters: next, allowed: true, remaining: Math.max(0, limit - (used + cost + granted)), resetAtMs, granted }
}

/** Adds `delta` (negative = refund, positive = charge after the fact) to the current window, without a check. */
export function adjustWindow(
  prior: WindowCounters | undefined,
  windowMs: number,
  delta: number,
  nowMs: number,
): WindowCounters {
  const counters = rollWindow(prior, nowMs, windowMs)
  return { ...counters, current: counters.current + delta }
}

/** True when counters can be forgotten: both windows are over. */
export function isExpired(counters: WindowCounters, nowMs: number, windowMs: number): boolean {
  return counters.index < Math.floor(nowMs / windowMs) - 1
}
