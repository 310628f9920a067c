// What an isolate owes its objects: unspent lease units to give back and settlements its leases could not
// absorb. Returns are batched (they only free capacity, so a short delay costs nothing but a little headroom);
// a return that misses the window that counted it is dropped, because a refund into a later window would free
// capacity that window never held.
import type { LimitAdjustment, LimiterBackend } from './backend.ts'
import type { Lease } from './lease-policy.ts'

/** Flushed at this many queued returns, or when the oldest is this old. */
const FLUSH_BATCH = 32
const FLUSH_AFTER_MS = 200

interface Pending {
  readonly adjustment: LimitAdjustment
  readonly index: number
  readonly atMs: number
}

export const windowIndex = (nowMs: number, windowSeconds: number) => Math.floor(nowMs / (windowSeconds * 1000))
export const partitionCount = (items: readonly { partition: string }[]) => new Set(items.map((c) => c.partition)).size

export interface LeaseReturns {
  readonly size: number
  /** Queues an adjustment counted in fixed window `index`; two for the same key and window add up. */
  queue(adjustment: LimitAdjustment, index: number, nowMs: number): void
  /** Queues the lease's unspent units (if its window is still current) and empties it. */
  giveBack(lease: Lease | null, nowMs: number): void
  /** Sends what is due (everything when `force`); resolves to the number of object calls made. */
  flush(inner: LimiterBackend, nowMs: number, force: boolean): Promise<number>
}

export function createLeaseReturns(): LeaseReturns {
  const pending = new Map<string, Pending>()
  const returns: LeaseReturns = {
    get size() {
      return pending.size
    },
    queue(adjustment, index, nowMs) {
      const prior = pending.get(adjustment.key)
      const delta = (prior?.index === index ? prior.adjustment.delta : 0) + adjustment.delta
      pending.set(adjustment.key, { adjustment: { ...adjustment, delta }, index, atMs: prior?.atMs ?? nowMs })
    },
    giveBack(lease, nowMs) {
      if (lease === null || lease.left <= 0) return
      if (windowIndex(nowMs, lease.check.windowSeconds) === lease.index) {
        const { key, partition, windowSeconds } = lease.check
        returns.queue({ key, partition, windowSeconds, delta: -lease.left }, lease.index, nowMs)
      }
      lease.left = 0
    },
    async flush(inner, nowMs, force) {
      let oldest = Number.POSITIVE_INFINITY
      for (const p of pending.values()) oldest = Math.min(oldest, p.atMs)
      if (pending.size === 0 || (!force && pending.size < FLUSH_BATCH && nowMs - oldest < FLUSH_AFTER_MS)) return 0
      const batch = [...pending.values()]
        // A return that missed its window is dropped; a charge still counts (conservative) in the current one.
        .filter((p) => p.adjustment.delta > 0 || windowIndex(nowMs, p.adjustment.windowSeconds) === p.index)
        .map((p) => p.adjustment)
      pending.clear()
      if (batch.length === 0) return 0
      await inner.adjust(batch)
      return partitionCount(batch)
    },
  }
  return returns
}
