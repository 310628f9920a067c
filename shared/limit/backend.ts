// One interface for every limiter store. Each check is independent and atomic per key; the caller (the
// limit stage) compensates across keys by refunding what was admitted when any other check refused.
// A backend never decides failMode: it throws LimiterUnavailableError and the stage applies the policy.

export interface LimitCheck {
  /** Storage key, unique per tenant, scope, identity, kind and window (see keys.ts). */
  readonly key: string
  /** Checks with the same partition are served together (one Durable Object, one round trip). */
  readonly partition: string
  readonly limit: number
  readonly windowSeconds: number
  /** Units to admit: 1 for a request, the reservation for a token budget. */
  readonly cost: number
  /**
   * Lease units wanted on top of `cost` (lease.ts): granted in part or not at all, never refusing the check.
   * `cost` must fit under `limit`; `cost + extra` may fill the count up to `ceiling` (limit + allowed overshoot).
   */
  readonly extra?: number
  readonly ceiling?: number
  /** Tenant-wide windows only: how many objects the lease layer splits this window over. Stores ignore it. */
  readonly shards?: number
}

export interface LimitOutcome {
  readonly allowed: boolean
  readonly limit: number
  /** Units left after this check (0 when refused). */
  readonly remaining: number
  /** Epoch ms when the current window ends. */
  readonly resetAtMs: number
  /** Answered from the isolate's ephemeral cache of blocked keys, without a store round trip. */
  readonly cached?: boolean
  /** Lease units counted on top of `cost` (0 or absent when none were asked for or none fitted). */
  readonly granted?: number
}

export interface LimitAdjustment {
  readonly key: string
  readonly partition: string
  readonly windowSeconds: number
  /** Negative: refund (unused reservation, compensation). Positive: charge usage beyond the reservation. */
  readonly delta: number
  /** As on the check it settles: the lease layer routes a sharded window's adjustment to one of its shards. */
  readonly shards?: number
}

/** Where background work (ephemeral-cache analytics, refunds) is handed to keep the isolate alive. */
export interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void
}

export interface LimiterBackend {
  readonly name: 'durable-object' | 'upstash'
  consume(checks: readonly LimitCheck[], ctx?: WaitUntil): Promise<LimitOutcome[]>
  adjust(adjustments: readonly LimitAdjustment[], ctx?: WaitUntil): Promise<void>
}

export type UnavailableReason = 'timeout' | 'transport' | 'misconfigured'

/** The store could not answer; the policy's failMode decides what happens to the request. */
export class LimiterUnavailableError extends Error {
  override readonly name = 'LimiterUnavailableError'
  constructor(
    readonly reason: UnavailableReason,
    options?: { cause?: unknown },
  ) {
    super(`limiter unavailable: ${reason}`, options)
  }
}

/** Rejects with LimiterUnavailableError('timeout') when `promise` takes longer than `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LimiterUnavailableError('timeout')), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
