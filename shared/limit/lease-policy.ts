// How big a lease is and when it is renewed, from the policy's allowed over-admission. One lease is at most the
// over-admission share of its shard's limit, so the overshoot the object allows (the ceiling) covers one parked
// lease; a limit too small for a two-request lease is checked exactly, as before leases existed.
import type { LimitCheck } from './backend.ts'
import { shardCount } from './shard.ts'

/** An idle isolate's lease goes back to the others within this long; a busy one renews about once per TTL (a
 * lease covers RATE_HEADROOM × TTL of its rate and is renewed at half, or with a quarter of its life left), so
 * at 5 requests per second on a key that is one round trip per ~40 requests. Clipped to the counting window. */
export const LEASE_TTL_MS = 10_000
/** Renew once less than this share of the lease's life is left, even if units remain. */
const RENEW_AT_LIFE_SHARE = 0.25
/** A lease smaller than two requests' cost saves no round trip. */
const MIN_LEASE_REQUESTS = 2
/** The first lease of a key, before this isolate has seen its rate. */
const COLD_LEASE_REQUESTS = 8
/** Renew in the background once less than this share of the last grant is left. */
const RENEW_AT_SHARE = 0.5
/** A lease covers this many times the isolate's observed rate over the TTL. */
const RATE_HEADROOM = 2
/** Rates are measured over at least this long, so two requests in the same millisecond are not "infinite". */
const MIN_RATE_SPAN_MS = 50

export interface Lease {
  /** The check as its shard's object counts it (shard key, partition and share of the limit). */
  readonly check: LimitCheck
  readonly shard: number
  /** Fixed-window number the units were counted in: they are only spent and returned within it. */
  readonly index: number
  left: number
  expiresAtMs: number
  resetAtMs: number
  grantedAtMs: number
  lastGrant: number
  spent: number
  renewing: boolean
}

export interface LeaseState {
  /** The shard this isolate asks first; it moves to whichever shard last had capacity. */
  home: number
  lease: Lease | null
  /** Units per second this isolate spent on the key, smoothed over renewals (0: not seen yet). */
  rate: number
  /** The object's remaining capacity (this shard) as of its last answer. */
  remaining: number
  /** The object granted less than half a renewal asked for: it is at its ceiling; renew no sooner than this. */
  starvedUntilMs: number
  failedAtMs: number
  /** A request-path call that will bring this key a lease: later requests wait for it instead of calling too. */
  inflight: Promise<unknown> | null
  /** Shards that refused an exact check recently, and the smallest cost they refused. */
  readonly blocked: Map<number, { untilMs: number; cost: number }>
}

/** The count lease units may fill an object's window up to: the limit plus the allowed over-admission. */
export function ceilingOf(limit: number, overAdmission: number): number {
  return limit + Math.floor(limit * overAdmission)
}

/** The largest lease for this check on one shard; 0 means the check is exact (no lease, no refusal memory). */
export function leaseCap(check: LimitCheck, overAdmission: number): number {
  const cap = Math.floor(Math.floor(check.limit / shardCount(check)) * overAdmission)
  return cap >= MIN_LEASE_REQUESTS * check.cost && check.cost > 0 ? cap : 0
}

/** Lease units to ask for: the observed rate over a TTL with headroom, at most one cap. Near the limit the object
 * grants less (only what fits under the ceiling) and the requests past the lease are exact checks. */
export function desiredLease(state: LeaseState, check: LimitCheck, overAdmission: number, ttlMs: number): number {
  const cap = leaseCap(check, overAdmission)
  if (cap === 0) return 0
  const want =
    state.rate > 0 ? Math.ceil((state.rate * ttlMs * RATE_HEADROOM) / 1000) : check.cost * COLD_LEASE_REQUESTS
  return Math.min(cap, Math.max(want, check.cost * MIN_LEASE_REQUESTS))
}

/** Renew before the lease runs out of units or of life, unless the object recently had (almost) nothing to
 * grant. A renewal with nothing more to ask for still extends the life. `eager`: another key of the same object
 * is being renewed anyway, so this one joins that round trip (it costs no call, and keeps the keys in step). */
export function shouldRenew(
  state: LeaseState,
  lease: Lease,
  check: LimitCheck,
  overAdmission: number,
  ttlMs: number,
  nowMs: number,
  eager = false,
): boolean {
  if (leaseCap(check, overAdmission) === 0 || nowMs < state.starvedUntilMs) return false
  if (eager) return true
  const ending = lease.expiresAtMs - nowMs < ttlMs * RENEW_AT_LIFE_SHARE && lease.expiresAtMs < lease.resetAtMs
  return ending || lease.left < Math.max(check.cost, lease.lastGrant * RENEW_AT_SHARE)
}

/** Folds the spend since the last grant into the smoothed rate. */
export function observeRate(state: LeaseState, lease: Lease | null, nowMs: number): void {
  if (lease === null || lease.spent === 0) return
  const observed = (lease.spent * 1000) / Math.max(MIN_RATE_SPAN_MS, nowMs - lease.grantedAtMs)
  state.rate = state.rate > 0 ? (state.rate + observed) / 2 : observed
}
