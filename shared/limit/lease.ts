// Quota leases above the LimiterBackend interface (the idea of Google's Doorman): an isolate takes a slice of a
// window's capacity from the owning object, admits against it locally with no round trip, renews in the
// background before it runs low and gives back what it did not use. Leased units are counted by the object when
// granted, so leases never push a window past its ceiling (limit × (1 + overAdmission)) however many isolates
// hold them; the price is capacity parked in leases (lease-policy.ts says how big they get and when they stop).
import {
  type LimitAdjustment,
  type LimitCheck,
  type LimiterBackend,
  LimiterUnavailableError,
  type LimitOutcome,
  type WaitUntil,
} from './backend.ts'
import { ceilingOf, desiredLease, LEASE_TTL_MS, type LeaseState, leaseCap } from './lease-policy.ts'
import { planRenewal, type Renewal, sendRenewals } from './lease-renew.ts'
import { createLeaseReturns, partitionCount, windowIndex } from './lease-returns.ts'
import { absorbAnswer, isBlocked, live, newLeaseState } from './lease-state.ts'
import { shardCheck, shardCount } from './shard.ts'

/** After an object failed (unreachable, overloaded), a leased key does not ask it again for this long: no new
 * leases, and checks the lease cannot cover fail closed at once, which sheds load from an overloaded object. */
const DOWN_BACKOFF_MS = 500
/** Shards one request may try: its home and one more. More would make a refusal cost many serial round trips;
 * the isolate moves its home to the shard that admitted, so demand still drifts to where capacity is. */
const MAX_SHARD_TRIES = 2
/** An exact refusal on a leased key is remembered this long (or to the window's end), so a flood of refused
 * requests does not become a flood of object calls: the Upstash ephemeral cache's role, bounded in time. */
const REFUSAL_MEMORY_MS = 250
/** Leased keys tracked per isolate (subjects are unbounded); the least recently used is dropped and returned. */
const MAX_KEYS = 4_096
/** Expired leases looked at per request (least recently used first), so the sweep costs O(1). */
const SWEEP_PER_CALL = 8

export interface LeaseBookOptions {
  readonly now?: () => number
  /** Picks an isolate's home shard; seeded in tests. */
  readonly random?: () => number
  readonly ttlMs?: number
  /** How long a background renewal may take before it counts as failed. */
  readonly renewTimeoutMs?: number
}

export interface LeaseStats {
  /** consume() calls, i.e. requests seen by the limit stage. */
  requests: number
  /** Requests that waited for at least one object round trip. */
  syncRequests: number
  /** Object round trips of any kind (one per partition per call): sync, renewals, returns. */
  objectCalls: number
  /** Checks answered from a lease or from the refusal memory, without a round trip. */
  localChecks: number
}

export interface LeaseBook {
  readonly stats: LeaseStats
  /** A backend that leases from `inner` for checks whose policy allows `overAdmission` (0: exact checks only). */
  limiter(inner: LimiterBackend, overAdmission: number): LimiterBackend
  /** Gives every unspent lease back now (tests; a graceful drain). */
  release(inner: LimiterBackend): Promise<void>
}

export function createLeaseBook(options: LeaseBookOptions = {}): LeaseBook {
  const now = options.now ?? Date.now
  const random = options.random ?? Math.random
  const ttlMs = options.ttlMs ?? LEASE_TTL_MS
  const renewTimeoutMs = options.renewTimeoutMs ?? 500
  const states = new Map<string, LeaseState>()
  const returns = createLeaseReturns()
  const stats: LeaseStats = { requests: 0, syncRequests: 0, objectCalls: 0, localChecks: 0 }

  const stateFor = (check: LimitCheck, t: number): LeaseState => {
    let state = states.get(check.key)
    if (state !== undefined) states.delete(check.key) // re-inserted below: Map order is least recently used first
    state ??= newLeaseState(Math.floor(random() * shardCount(check)))
    states.set(check.key, state)
    if (states.size > MAX_KEYS) {
      const [oldKey, old] = states.entries().next().value as [string, LeaseState]
      states.delete(oldKey)
      returns.giveBack(old.lease, t)
    }
    return state
  }

  const flush = async (inner: LimiterBackend, force: boolean) => {
    stats.objectCalls += await returns.flush(inner, now(), force)
  }

  // Jittered (0.5–1.5 ×), so isolates refused together do not all come back to the object in the same instant.
  const memoryMs = () => REFUSAL_MEMORY_MS * (0.5 + random())
  const absorb = (state: LeaseState, base: LimitCheck, shard: number, out: LimitOutcome, t: number) =>
    absorbAnswer({ state, base, shard, out, nowMs: t, ttlMs, refusalMemoryMs: memoryMs(), returns })

  return {
    stats,
    async release(inner) {
      const t = now()
      for (const state of states.values()) returns.giveBack(state.lease, t)
      await flush(inner, true)
    },
    limiter(inner, overAdmission) {
      /** Spends from the lease or answers from the refusal memory; null when the object must be asked. */
      const local = (state: LeaseState, check: LimitCheck, t: number): LimitOutcome | null => {
        const lease = state.lease
        const n = shardCount(check)
        if (live(lease, t) && lease.left >= check.cost) {
          lease.left -= check.cost
          lease.spent += check.cost
          const remaining = Math.min(check.limit, (state.remaining + lease.left) * n)
          return { allowed: true, limit: check.limit, remaining, resetAtMs: lease.resetAtMs }
        }
        for (let s = 0; s < n; s++) if (!isBlocked(state, s, check.cost, t)) return null
        const resetAtMs = Math.max(...[...state.blocked.values()].map((b) => b.untilMs))
        return { allowed: false, limit: check.limit, remaining: 0, resetAtMs, cached: true }
      }

      /** The shard to ask next: the home shard first, then the others not known to be spent. */
      const nextShard = (state: LeaseState, check: LimitCheck, tried: Set<number>, t: number): number | null => {
        const n = shardCount(check)
        const memory = leaseCap(check, overAdmission) > 0
        for (let i = 0; i < n; i++) {
          const s = (state.home + i) % n
          if (!tried.has(s) && !(memory && isBlocked(state, s, check.cost, t))) return s
        }
        return null
      }

      const renewal = (state: LeaseState, base: LimitCheck, t: number, eager = false) =>
        planRenewal({ state, base, nowMs: t, eager, overAdmission, ttlMs, downBackoffMs: DOWN_BACKOFF_MS })
      const renew = (group: readonly Renewal[], ctx: WaitUntil | undefined) => {
        stats.objectCalls += 1
        const task = sendRenewals(group, { inner, ctx, now, absorb, renewTimeoutMs, starveMs: REFUSAL_MEMORY_MS })
        ctx?.waitUntil(task) // started either way: without a context the renewal still runs
      }

      /** Asks the objects for the checks no lease covered: one round trip, more only to spill to other shards. */
      const askObjects = async (
        checks: readonly LimitCheck[],
        ask: { i: number; state: LeaseState; tried: Set<number> }[],
        outcomes: (LimitOutcome | undefined)[],
        ctx: WaitUntil | undefined,
        t: number,
      ) => {
        for (let round = ask; round.length > 0; ) {
          const sent = round.flatMap((a) => {
            const check = checks[a.i]!
            const leased = leaseCap(check, overAdmission) > 0
            if (leased && t - a.state.failedAtMs < DOWN_BACKOFF_MS) throw new LimiterUnavailableError('transport')
            const s = nextShard(a.state, check, a.tried, t)
            if (s === null) return []
            a.tried.add(s)
            const shard = shardCheck(check, shardCount(check), s)
            const extra = desiredLease(a.state, check, overAdmission, ttlMs)
            const ceiling = ceilingOf(shard.limit, overAdmission)
            return [{ a, s, send: extra > 0 ? { ...shard, extra, ceiling } : shard }]
          })
          if (sent.length === 0) return
          stats.objectCalls += partitionCount(sent.map((x) => x.send))
          const answers = await inner
            .consume(
              sent.map((x) => x.send),
              ctx,
            )
            .catch((error: unknown) => {
              for (const { a } of sent) a.state.failedAtMs = now()
              throw error
            })
          round = []
          sent.forEach(({ a, s }, j) => {
            const out = answers[j]
            if (out === undefined) throw new LimiterUnavailableError('transport')
            const check = checks[a.i]!
            absorb(a.state, check, s, out, t)
            const n = shardCount(check)
            outcomes[a.i] = { ...out, limit: check.limit, remaining: Math.min(check.limit, out.remaining * n) }
            if (!out.allowed && a.tried.size < Math.min(n, MAX_SHARD_TRIES)) round.push(a)
          })
        }
      }

      return {
        name: inner.name,
        async consume(checks, ctx) {
          const t = now()
          stats.requests += 1
          const outcomes: (LimitOutcome | undefined)[] = new Array(checks.length)
          const spent: { state: LeaseState; cost: number }[] = []
          const ask: { i: number; state: LeaseState; tried: Set<number> }[] = []
          const keyStates = checks.map((check) => stateFor(check, t))
          checks.forEach((check, i) => {
            const state = keyStates[i]!
            const answer = leaseCap(check, overAdmission) > 0 ? local(state, check, t) : null
            if (answer === null) {
              ask.push({ i, state, tried: new Set() })
            } else {
              stats.localChecks += 1
              outcomes[i] = answer
              if (answer.allowed) spent.push({ state, cost: check.cost })
            }
          })
          if (ask.length > 0) stats.syncRequests += 1
          try {
            // Single flight: a cold or exhausted key already being asked for waits for that answer and its lease.
            const waits = ask.map((a) => a.state.inflight).filter((w) => w !== null)
            if (waits.length > 0) {
              await Promise.allSettled(waits)
              for (let j = ask.length - 1; j >= 0; j--) {
                const a = ask[j]!
                const answer = local(a.state, checks[a.i]!, now())
                if (answer === null || !answer.allowed) continue
                outcomes[a.i] = answer
                spent.push({ state: a.state, cost: checks[a.i]!.cost })
                ask.splice(j, 1)
              }
            }
            const asking = askObjects(checks, ask, outcomes, ctx, t)
            for (const a of ask) if (leaseCap(checks[a.i]!, overAdmission) > 0) a.state.inflight = asking
            await asking.finally(() => {
              for (const a of ask) if (a.state.inflight === asking) a.state.inflight = null
            })
          } catch (error) {
            // Nothing is admitted for a request the object could not answer: the local part goes back to the lease.
            for (const { state, cost } of spent) if (state.lease !== null) state.lease.left += cost
            throw error
          }
          const renewals = new Map<string, Renewal[]>()
          checks.forEach((check, i) => {
            outcomes[i] ??= { allowed: false, limit: check.limit, remaining: 0, resetAtMs: t, cached: true }
            const r = outcomes[i].allowed ? renewal(keyStates[i]!, check, t) : null
            if (r !== null) renewals.set(r.ask.partition, [...(renewals.get(r.ask.partition) ?? []), r])
          })
          checks.forEach((check, i) => {
            const group = renewals.get(keyStates[i]?.lease?.check.partition ?? '')
            const r = group && outcomes[i]?.allowed ? renewal(keyStates[i]!, check, t, true) : null
            if (r !== null) group?.push(r)
          })
          for (const group of renewals.values()) renew(group, ctx)
          let swept = 0
          for (const state of states.values()) {
            if (++swept > SWEEP_PER_CALL) break
            if (!live(state.lease, t)) returns.giveBack(state.lease, t)
          }
          if (returns.size > 0) ctx?.waitUntil(flush(inner, false).catch(() => {}))
          return outcomes as LimitOutcome[]
        },
        async adjust(adjustments) {
          // Settled locally first: a refund tops up the live lease (its units are already counted in this window),
          // a charge is taken from it. What the lease cannot take goes to the object: returns in a batch, charges now.
          const t = now()
          let urgent = overAdmission === 0
          for (const a of adjustments) {
            const state = states.get(a.key)
            const lease = state?.lease ?? null
            if (state !== undefined && a.delta < 0) state.blocked.clear()
            if (live(lease, t)) {
              const take = a.delta < 0 ? a.delta : Math.min(a.delta, lease.left)
              lease.left -= take
              if (take === a.delta) continue
              const { key, partition } = lease.check
              returns.queue({ key, partition, windowSeconds: a.windowSeconds, delta: a.delta - take }, lease.index, t)
              urgent = true
              continue
            }
            returns.queue(onShard(a, state), windowIndex(t, a.windowSeconds), t)
            urgent = true // no lease to settle into: behave as the exact limiter does
          }
          // Awaited, not handed to ctx: the stage already runs adjust() in the background and logs its failures.
          await flush(inner, urgent)
        },
      }
    },
  }
}

/** An adjustment of a sharded window goes to a shard's key (the home shard), never to the unsharded key. */
function onShard(a: LimitAdjustment, state: LeaseState | undefined): LimitAdjustment {
  const shards = a.shards ?? 1
  if (shards <= 1) return a
  const s = Math.min(state?.home ?? 0, shards - 1)
  return { ...a, key: `${a.key}#${s}`, partition: `${a.partition}#${s}` }
}
