// Splits a tenant-wide window over N objects so one tenant's traffic is not serialised through one Durable
// Object. Each shard owns an equal share of the limit (the remainder goes to the first shards), so the shares add
// up to the limit exactly; the lease layer moves an isolate's demand to another shard when its own is spent.
import type { LimitCheck } from './backend.ts'

/** Shards actually used: never more than the limit (a shard with a share of 0 could admit nothing). */
export function shardCount(check: Pick<LimitCheck, 'limit' | 'shards'>): number {
  return Math.max(1, Math.min(Math.floor(check.shards ?? 1), check.limit))
}

/** This shard's part of the limit. */
export function shardLimit(limit: number, shards: number, shard: number): number {
  return Math.floor(limit / shards) + (shard < limit % shards ? 1 : 0)
}

/** The check as shard `shard` of `shards` sees it: its own key, partition (object) and share of the limit. */
export function shardCheck(check: LimitCheck, shards: number, shard: number): LimitCheck {
  if (shards <= 1) return check
  return {
    key: `${check.key}#${shard}`,
    partition: `${check.partition}#${shard}`,
    limit: shardLimit(check.limit, shards, shard),
    windowSeconds: check.windowSeconds,
    cost: check.cost,
  }
}
