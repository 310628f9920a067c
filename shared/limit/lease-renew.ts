// Background lease renewal: which leases need one now, and one round trip per object that renews them all.
// Renewals never sit on a request's path; their failure only stops new leases (the local lease is still spent).
import {
  type LimitCheck,
  type LimiterBackend,
  LimiterUnavailableError,
  type LimitOutcome,
  type WaitUntil,
  withTimeout,
} from './backend.ts'
import { ceilingOf, desiredLease, type Lease, type LeaseState, shouldRenew } from './lease-policy.ts'
import { live } from './lease-state.ts'

export interface Renewal {
  readonly state: LeaseState
  readonly base: LimitCheck
  readonly lease: Lease
  readonly ask: LimitCheck
}

export interface RenewalPlan {
  readonly state: LeaseState
  readonly base: LimitCheck
  readonly nowMs: number
  /** Another key of the same object is being renewed: join that round trip. */
  readonly eager: boolean
  readonly overAdmission: number
  readonly ttlMs: number
  readonly downBackoffMs: number
}

/** The renewal a lease needs now, if any (and marks it as renewing). */
export function planRenewal({
  state,
  base,
  nowMs: t,
  eager,
  overAdmission,
  ttlMs,
  downBackoffMs,
}: RenewalPlan): Renewal | null {
  const lease = state.lease
  if (!live(lease, t) || lease.renewing || t - state.failedAtMs < downBackoffMs) return null
  if (!shouldRenew(state, lease, base, overAdmission, ttlMs, t, eager)) return null
  const extra = Math.max(0, desiredLease(state, base, overAdmission, ttlMs) - lease.left)
  lease.renewing = true
  const ask = { ...lease.check, cost: 0, extra, ceiling: ceilingOf(lease.check.limit, overAdmission) }
  return { state, base, lease, ask }
}

export interface RenewalDeps {
  readonly inner: LimiterBackend
  readonly ctx: WaitUntil | undefined
  readonly now: () => number
  readonly absorb: (state: LeaseState, base: LimitCheck, shard: number, out: LimitOutcome, t: number) => void
  readonly renewTimeoutMs: number
  /** How long a key whose renewal was mostly refused (the object is at its ceiling) waits before the next. */
  readonly starveMs: number
}

/** One round trip renews every key of one object. An answer that arrives after the timeout is still absorbed:
 * its units were counted, and dropping them would park leases no isolate holds. Never rejects. */
export function sendRenewals(group: readonly Renewal[], deps: RenewalDeps): Promise<void> {
  const landed = deps.inner
    .consume(
      group.map((r) => r.ask),
      deps.ctx,
    )
    .then((outs) => {
      group.forEach((r, j) => {
        const out = outs[j]
        if (out === undefined) throw new LimiterUnavailableError('transport')
        const t = deps.now()
        deps.absorb(r.state, { ...r.base, cost: 0 }, r.lease.shard, out, t)
        const short = (out.granted ?? 0) * 2 < (r.ask.extra ?? 0)
        if (short) r.state.starvedUntilMs = Math.min(t + deps.starveMs, out.resetAtMs)
      })
    })
  return withTimeout(landed, deps.renewTimeoutMs)
    .catch(() => {
      for (const r of group) r.state.failedAtMs = deps.now()
    })
    .finally(() => {
      for (const r of group) r.lease.renewing = false
    })
}
