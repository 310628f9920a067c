// Figures for the limit simulation (limit-sim.ts): how far each design strays from an exact limiter on the same
// request stream, how fast a burst is cut off, how loaded the busiest object is and how many refusals the
// limiter causes itself. Over-admission is measured on a true trailing window, not the limiter's approximation.
import type { SimParams } from './limit-sim.ts'

export type Design = 'today' | 'leases'

export interface Outcome {
  readonly at: number
  readonly exactAllowed: boolean
  result: 'admitted' | 'refused' | 'unavailable'
  latencyMs: number
}

export interface SimRun {
  /** Requests that waited for an object round trip, as a share of all. */
  readonly syncRequestShare: number
  readonly outcomes: readonly Outcome[]
  readonly peakObjectEventsPerSecond: number
  readonly objectEvents: number
  readonly objects: number
}

const BUCKET_MS = 100 // resolution of the trailing-window count

const pct = (x: number) => Math.round(x * 10_000) / 100
const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return Math.round((s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0) * 10) / 10
}

/** The most any trailing window of the policy's length held, above the limit, as a share of the limit. */
function peakOverLimit(p: SimParams, times: readonly number[]): number {
  const buckets = new Map<number, number>()
  for (const t of times) buckets.set(Math.floor(t / BUCKET_MS), (buckets.get(Math.floor(t / BUCKET_MS)) ?? 0) + 1)
  const span = (p.windowSeconds * 1000) / BUCKET_MS
  const last = Math.max(0, ...buckets.keys())
  let sum = 0
  let peak = 0
  for (let b = 0; b <= last; b++) {
    sum += (buckets.get(b) ?? 0) - (buckets.get(b - span) ?? 0)
    peak = Math.max(peak, sum)
  }
  return Math.max(0, peak - p.limit) / p.limit
}

export function measureExact(p: SimParams, run: SimRun): Record<string, number> {
  const admitted = run.outcomes.filter((o) => o.exactAllowed)
  return {
    requests: run.outcomes.length,
    admitted: admitted.length,
    over_admission_pct: pct(
      peakOverLimit(
        p,
        admitted.map((o) => o.at),
      ),
    ),
  }
}

export function measure(p: SimParams, run: SimRun): Record<string, number> {
  const o = run.outcomes
  const admitted = o.filter((x) => x.result === 'admitted')
  const exactAdmitted = o.filter((x) => x.exactAllowed).length
  const firstExactRefusal = o.find((x) => !x.exactAllowed)?.at
  const firstRefusal = o.find((x) => x.result === 'refused' && x.at >= (firstExactRefusal ?? 0))?.at
  const unavailable = o.filter((x) => x.result === 'unavailable').length
  const unavailableFitting = o.filter((x) => x.result === 'unavailable' && x.exactAllowed).length
  const falseRefusals = o.filter((x) => x.result === 'refused' && x.exactAllowed).length
  return {
    admitted: admitted.length,
    admitted_vs_exact_pct: pct(admitted.length / Math.max(1, exactAdmitted)),
    over_admission_pct: pct(
      peakOverLimit(
        p,
        admitted.map((x) => x.at),
      ),
    ),
    // -1: the design never refused with a limit code after the exact limiter started to
    cutoff_ms:
      firstRefusal === undefined || firstExactRefusal === undefined ? -1 : Math.round(firstRefusal - firstExactRefusal),
    limiter_unavailable: unavailable,
    false_refusals: falseRefusals,
    // refusals an exact limiter would not have made: unavailable or 429 although the request fitted
    limiter_caused_refusal_pct: pct((unavailableFitting + falseRefusals) / o.length),
    stage_p50_ms: quantile(
      o.map((x) => x.latencyMs),
      0.5,
    ),
    stage_p99_ms: quantile(
      o.map((x) => x.latencyMs),
      0.99,
    ),
    sync_request_pct: pct(run.syncRequestShare),
    objects: run.objects,
    busiest_object_peak_events_per_s: run.peakObjectEventsPerSecond,
    object_events_per_request: Math.round((run.objectEvents / o.length) * 1000) / 1000,
  }
}

/** The side-by-side table `npm run bench` prints. */
export function render(p: SimParams, result: Record<string, number>): string {
  const simKeys = Object.keys(result).filter((k) => k.startsWith('sim_'))
  const keys = [...new Set(simKeys.map((k) => k.replace(/^sim_(today|lease|exact)_/, '')))]
  const cell = (design: string, k: string) => String(result[`sim_${design}_${k}`] ?? '')
  const rows = keys.map((k) => [k, cell('exact', k), cell('today', k), cell('lease', k)])
  const head = ['figure', 'exact (0 ms, ∞ capacity)', 'today (1 object, exact)', `leases (${p.shards} shards)`]
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`
  const params =
    `${p.rttMs.length} colos × ${p.isolatesPerColo} isolates, RTT ${Math.min(...p.rttMs)}–${Math.max(...p.rttMs)} ms, ` +
    `limit ${p.limit}/${p.windowSeconds} s, load ${p.phases.map((x) => `${x[2]}/s`).join(' → ')}, ` +
    `object ${p.objectCapacity} events/s, overAdmission ${p.overAdmission}`
  return [params, line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line), ''].join('\n')
}
