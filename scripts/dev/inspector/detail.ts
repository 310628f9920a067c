// One request as the inspector shows it: the stage-by-stage trace (the stages `npm run explain` walks, with the
// deciding stage, its time and outcome), the screen's rules, score and spans, the limit windows, the decoded
// Txn-Token, and — only when the recording proxy saw the body (--inspect-prompts) — the caller texts with the
// spans marked. Pure: data in, plain JSON out; the page renders it as text (never as HTML).
import type { CompiledPolicy } from '../../../shared/policy/schema.ts'
import { STAGES, type Stage, screenComparison, stageOfCode } from '../../policy/explain.ts'
import type { InspectedRecord } from './store.ts'
import { outcomeOf } from './store.ts'

// explain's stage names → the trace stage's timing names.
const TIMING_OF: Record<Stage, string> = {
  ingress: 'ingress',
  authenticate: 'auth',
  authorize: 'authz',
  limit: 'limit',
  screen: 'screen',
  sign: 'sign',
  forward: 'upstream',
}

export interface TraceRow {
  readonly stage: Stage
  readonly action: 'pass' | 'REFUSE' | 'not reached'
  readonly ms: number | null
  readonly outcome: string
}

export interface Segment {
  readonly text: string
  /** The detector that marked this part, or null for unmarked text. */
  readonly detection: string | null
}

export interface Detail {
  readonly seq: number
  readonly decision: InspectedRecord['decision']
  readonly trace: TraceRow[]
  readonly claims: Record<string, unknown> | null
  readonly texts: { path: string; segments: Segment[] }[] | null
}

function outcomeText(stage: Stage, r: InspectedRecord): string {
  const d = r.decision
  switch (stage) {
    case 'authenticate':
      return d.sub === null ? 'no caller' : `sub ${d.sub}`
    case 'authorize':
      return d.grant
        ? `model ${d.grant.model}, max_tokens ${d.grant.maxTokens}${d.grant.clamped ? ' (clamped)' : ''}`
        : ''
    case 'limit':
      return d.limit
        ? `${d.limit.backend}, reserved ${d.limit.reservedTokens} tokens${d.limit.refused.length > 0 ? `, refused by ${d.limit.refused.map((w) => w.name).join(', ')}` : ''}`
        : ''
    case 'screen':
      return d.screen
        ? `${d.screen.verdict}${d.screen.enforced ? '' : ' (not enforced)'}, score ${d.screen.score.toFixed(3)}, rules ${d.screen.rules.join(', ') || '—'}`
        : ''
    case 'sign':
      return r.claims ? `Txn-Token verdict ${String(r.claims.verdict)}` : ''
    case 'forward':
      return d.upstream
        ? `${d['http.response.status_code']} in ${d.upstream.latencyMs} ms, first byte ${d.upstream.ttfbMs ?? '—'} ms, ${d.upstream.streamed ? 'streamed' : 'whole'}, body ${d.upstream.body}`
        : ''
    default:
      return d.endpoint ? `endpoint ${d.endpoint}` : ''
  }
}

/** `tenant`: the policy in force, when known, for the screen's score-vs-threshold line (as explain prints it). */
export function traceRows(r: InspectedRecord, tenant: CompiledPolicy | null = null): TraceRow[] {
  const code = outcomeOf(r)
  const refusedAt = code === 'ok' || code === 'upstream.stream_interrupted' ? null : stageOfCode(code)
  const stages = r.decision.stages as Record<string, number | undefined>
  let reached = true
  return STAGES.map((stage) => {
    const ms = stages[TIMING_OF[stage]] ?? null
    const action = !reached || ms === null ? 'not reached' : refusedAt === stage ? 'REFUSE' : 'pass'
    if (action === 'REFUSE') reached = false
    const base = action === 'REFUSE' ? code : action === 'pass' ? outcomeText(stage, r) : ''
    const compared =
      stage === 'screen' && action !== 'not reached' && tenant ? screenComparison(tenant, r.decision as never) : null
    return { stage, action, ms, outcome: compared ? `${base}; ${compared}` : base }
  })
}

/** The value at a span path like "messages.0.content" in the recorded body, if it is a string. */
function textAt(body: unknown, path: string): string | null {
  let v: unknown = body
  for (const part of path.split('.')) {
    if (typeof v !== 'object' || v === null) return null
    v = (v as Record<string, unknown>)[part]
  }
  return typeof v === 'string' ? v : null
}

/** Splits each screened text into marked and unmarked segments (overlapping spans: the first one wins). */
export function markedTexts(r: InspectedRecord): Detail['texts'] {
  if (r.prompt === null || r.prompt === undefined) return null
  const spans = r.decision.screen?.spans ?? []
  const paths = new Set(spans.map((s) => s.path).filter((p): p is string => p !== undefined))
  const messages = (r.prompt as { messages?: unknown }).messages
  if (Array.isArray(messages)) for (let i = 0; i < messages.length; i++) paths.add(`messages.${i}.content`)
  const out: { path: string; segments: Segment[] }[] = []
  for (const path of paths) {
    const text = textAt(r.prompt, path)
    if (text === null) continue
    const own = spans.filter((s) => s.path === path).sort((a, b) => a.start - b.start)
    const segments: Segment[] = []
    let at = 0
    for (const s of own) {
      const start = Math.max(s.start, at)
      const end = Math.min(s.end, text.length)
      if (end <= start) continue
      if (start > at) segments.push({ text: text.slice(at, start), detection: null })
      segments.push({ text: text.slice(start, end), detection: s.detection })
      at = end
    }
    if (at < text.length) segments.push({ text: text.slice(at), detection: null })
    out.push({ path, segments })
  }
  return out
}

export function detailOf(r: InspectedRecord, tenants: readonly CompiledPolicy[] = []): Detail {
  const tenant = tenants.find((t) => t.id === r.decision.tenant && t.sha256 === r.decision.policySha256) ?? null
  return { seq: r.seq, decision: r.decision, trace: traceRows(r, tenant), claims: r.claims, texts: markedTexts(r) }
}
