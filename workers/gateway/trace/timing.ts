// Per-stage timings for the decision log and `Server-Timing`. A stage wrapped in `timed(name, …)` counts from
// entering it until it hands on (calls next) or answers: the time it took to decide. Work done after the
// downstream returns (usage reconciliation) is not counted, as it would mostly be upstream time. Trade-off to
// know: in production Workers the clock only advances on I/O, so CPU-only stages read 0 there; the numbers are
// exact locally and for the I/O-bound stages (JWKS, limiter, upstream) everywhere.
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../env.ts'

/** Every timed stage, in request order; the Server-Timing metric names and the log's `stages` keys. */
export const TIMED_STAGES = ['ingress', 'ipshield', 'auth', 'authz', 'limit', 'screen', 'sign', 'upstream'] as const
export type TimedStage = (typeof TIMED_STAGES)[number]

export interface StageTiming {
  /** Clock reading when the stage started (ms, the trace clock). */
  readonly start: number
  /** ms until it handed on or answered; 0 while it runs. */
  dur: number
}

/** What the trace stage keeps per request for telemetry; stages only touch it through `timed`. */
export interface Telemetry {
  readonly clock: () => number
  readonly started: number
  readonly stages: Partial<Record<TimedStage, StageTiming>>
  /** The client's own x-request-id when well-formed: recorded beside ours, never used as ours. */
  readonly clientRequestId: string | null
  /** Clock reading when the first response byte passed the trace stage, if the body was streamed through it. */
  firstByteAt: number | null
  /** The upstream stream broke mid-way and the client got the upstream.stream_interrupted event. */
  interrupted: boolean
}

const round = (ms: number) => Math.round(ms * 100) / 100 // 10 µs resolution is below any clock we get

/** Wraps one stage (middleware or the final handler) so its decision time lands in `telemetry.stages`. */
export function timed(name: TimedStage, stage: MiddlewareHandler<AppEnv>): MiddlewareHandler<AppEnv> {
  return async function timedStage(c, next) {
    const t = c.get('telemetry') as Telemetry | undefined
    if (t === undefined) return stage(c, next) // mounted without the trace stage (unit tests of one stage)
    const entry: StageTiming = { start: t.clock(), dur: 0 }
    t.stages[name] = entry
    let handedOn = false
    try {
      return await stage(c, async () => {
        entry.dur = t.clock() - entry.start
        handedOn = true
        await next()
      })
    } finally {
      if (!handedOn) entry.dur = t.clock() - entry.start
    }
  }
}

/** Stage durations in ms, rounded, in request order; stages that did not run are absent. */
export function stageDurations(t: Telemetry): Partial<Record<TimedStage, number>> {
  const out: Partial<Record<TimedStage, number>> = {}
  for (const name of TIMED_STAGES) {
    const s = t.stages[name]
    if (s !== undefined) out[name] = round(s.dur)
  }
  return out
}

/** W3C Server Timing: names and durations only — never a score, a threshold or a limit. */
export function serverTiming(t: Telemetry, now: number): string {
  const parts = Object.entries(stageDurations(t)).map(([name, dur]) => `${name};dur=${dur}`)
  parts.push(`total;dur=${round(now - t.started)}`)
  return parts.join(', ')
}

export { round as roundMs }
