// One Workers Analytics Engine data point per request (the DECISIONS binding): what an operator aggregates —
// refusals by code, added latency, tokens — queryable with SQL for months, at no cost to the request (the write is
// fire-and-forget). The column layout is this file's two `as const` tables; docs/telemetry.md documents them and a
// test checks the doc against them. Trade-off: AE samples at high volume, so queries weight by _sample_interval.
import type { DecisionRecord } from './record.ts'
import { TIMED_STAGES } from './timing.ts'

/** blob1…blobN, in order. Strings, each at most a validated identifier or a code. */
export const AE_BLOBS = ['tenant', 'subject_hash', 'model', 'endpoint', 'outcome', 'screen_verdict'] as const

const EDGE_STAGES = TIMED_STAGES.filter((s) => s !== 'upstream')

/** double1…doubleN, in order. Numbers; ms are milliseconds, absent values are 0 (see the doc for which). */
export const AE_DOUBLES = [
  'status',
  'input_tokens',
  'output_tokens',
  'added_ms',
  'upstream_ms',
  'ttfb_ms',
  'screen_score',
  'total_ms',
  ...EDGE_STAGES.map((s) => `${s}_ms` as const),
] as const

export type AeBlob = (typeof AE_BLOBS)[number]
export type AeDouble = (typeof AE_DOUBLES)[number]

/** The sampling key: AE samples fairly per index, so one busy tenant cannot crowd the others out. */
export const AE_INDEX = 'tenant'

/** The outcome blob for a request that was not refused. */
export const OUTCOME_OK = 'ok'

/** Added latency: what the edge stages spent deciding, upstream excluded. */
export function addedMs(record: DecisionRecord): number {
  let sum = 0
  for (const s of EDGE_STAGES) sum += record.stages[s] ?? 0
  return Math.round(sum * 100) / 100
}

export function analyticsPoint(record: DecisionRecord, subjectHash: string | null): AnalyticsEngineDataPoint {
  const blobs: Record<AeBlob, string> = {
    tenant: record.tenant ?? '',
    subject_hash: subjectHash ?? '',
    model: record['gen_ai.request.model'] ?? '',
    endpoint: record.endpoint ?? '',
    outcome: record['error.type'] ?? OUTCOME_OK,
    screen_verdict: record['gen_ai.security.action.type'] ?? '',
  }
  const stageDoubles = Object.fromEntries(EDGE_STAGES.map((s) => [`${s}_ms`, record.stages[s] ?? 0]))
  const doubles = {
    status: record['http.response.status_code'],
    input_tokens: record['gen_ai.usage.input_tokens'] ?? 0,
    output_tokens: record['gen_ai.usage.output_tokens'] ?? 0,
    added_ms: addedMs(record),
    upstream_ms: record.upstream?.latencyMs ?? 0,
    ttfb_ms: record.upstream?.ttfbMs ?? 0,
    screen_score: record['gen_ai.security.risk.score'] ?? 0,
    total_ms: record.ms,
    ...stageDoubles,
  } as Record<AeDouble, number>
  return {
    indexes: [blobs[AE_INDEX]],
    blobs: AE_BLOBS.map((b) => blobs[b]),
    doubles: AE_DOUBLES.map((d) => doubles[d]),
  }
}
