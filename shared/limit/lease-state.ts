// One isolate's view of one limit key: its lease (if any), home shard, observed rate and what the object last
// said. Pure updates from an object's answer; the lease book (lease.ts) decides when to ask.
import type { LimitCheck, LimitOutcome } from './backend.ts'
import { type Lease, type LeaseState, observeRate } from './lease-policy.ts'
import { type LeaseReturns, windowIndex } from './lease-returns.ts'
import { shardCheck, shardCount } from './shard.ts'

export function newLeaseState(home: number): LeaseState {
  return {
    home,
    lease: null,
    rate: 0,
    remaining: Number.POSITIVE_INFINITY,
    failedAtMs: Number.NEGATIVE_INFINITY,
    inflight: null,
    starvedUntilMs: Number.NEGATIVE_INFINITY,
    blocked: new Map(),
  }
}

/** A lease is spendable until it expires, and only in the fixed window that counted its units. */
export const live = (lease: Lease | null, nowMs: number): lease is Lease =>
  lease !== null && nowMs < lease.expiresAtMs && windowIndex(nowMs, lease.check.windowSeconds) === lease.index

/** The shard refused at least this cost recently (the refusal memory). */
export function isBlocked(state: LeaseState, shard: number, cost: number, nowMs: number): boolean {
  const b = state.blocked.get(shard)
  return b !== undefined && nowMs < b.untilMs && cost >= b.cost
}

export interface Answer {
  readonly state: LeaseState
  readonly base: LimitCheck
  readonly shard: number
  readonly out: LimitOutcome
  readonly nowMs: number
  readonly ttlMs: number
  readonly refusalMemoryMs: number
  readonly returns: LeaseReturns
}

/** Applies an object's answer for one shard: a refusal is remembered, a grant extends or replaces the lease. */
export function absorbAnswer({ state, base, shard, out, nowMs: t, ttlMs, refusalMemoryMs, returns }: Answer): void {
  state.remaining = out.remaining
  if (!out.allowed) {
    state.blocked.set(shard, { untilMs: Math.min(t + refusalMemoryMs, out.resetAtMs), cost: base.cost })
    return
  }
  state.blocked.delete(shard)
  const granted = out.granted ?? 0
  const lease = state.lease
  const expiresAtMs = Math.min(t + ttlMs, out.resetAtMs)
  observeRate(state, lease, t)
  if (live(lease, t) && lease.shard === shard) {
    Object.assign(lease, { expiresAtMs, grantedAtMs: t, spent: 0 })
    lease.left += granted
    if (granted > 0) lease.lastGrant = granted
    return
  }
  returns.giveBack(lease, t)
  state.home = shard // demand moves to where capacity is: this is how the shards rebalance
  if (granted === 0) {
    state.lease = null
    return
  }
  const check = shardCheck(base, shardCount(base), shard)
  const index = windowIndex(t, base.windowSeconds)
  const fresh = { left: granted, expiresAtMs, resetAtMs: out.resetAtMs, grantedAtMs: t, spent: 0 }
  state.lease = { check, shard, index, ...fresh, lastGrant: granted, renewing: false }
}
