// The inspector's memory: the last decisions the local gateway logged, joined with what the dev model tier
// verified (the decoded Txn-Token, by request id) and — only with --inspect-prompts — the prompt the recording
// proxy saw (by the client request id the gateway logged). Fed by tailing the processes' output lines, so the
// gateway needs no dev-only code path. Bounded: a ring of the most recent records.
import { ERRORS, isErrorCode } from '../../../shared/errors.ts'
import type { DecisionLogLine } from '../../../workers/gateway/trace/log-schema.ts'

export const MAX_RECORDS = 500 // a developer's recent history; older decisions drop off
const MAX_PENDING_JOINS = 200 // claims / prompts that arrived before their decision line

export interface InspectedRecord {
  /** Arrival order, the page's row key. */
  readonly seq: number
  readonly receivedAt: number
  readonly decision: DecisionLogLine
  claims: Record<string, unknown> | null
  prompt: unknown
}

export interface Filters {
  readonly tenant?: string
  readonly subject?: string
  readonly code?: string
  readonly verdict?: string
}

type Listener = (record: InspectedRecord) => void
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function parseLine(line: string): Record<string, unknown> | null {
  const start = line.indexOf('{') // wrangler prefixes nothing today, but tolerate a log prefix
  if (start < 0) return null
  try {
    const v: unknown = JSON.parse(line.slice(start))
    return isObject(v) ? v : null
  } catch {
    return null
  }
}

/** The row's outcome: its code, or "ok". */
export const outcomeOf = (r: InspectedRecord) => r.decision['error.type'] ?? 'ok'

export function matches(r: InspectedRecord, f: Filters): boolean {
  const d = r.decision
  if (f.tenant && d.tenant !== f.tenant) return false
  if (f.subject && d.sub !== f.subject) return false
  if (f.code && outcomeOf(r) !== f.code) return false
  if (f.verdict && (d['gen_ai.security.action.type'] ?? '') !== f.verdict) return false
  return true
}

export class InspectorStore {
  private readonly records: InspectedRecord[] = []
  private readonly listeners = new Set<Listener>()
  private readonly claimsById = new Map<string, Record<string, unknown>>()
  private readonly promptsByClientId = new Map<string, unknown>()
  private seq = 0

  constructor(private readonly now: () => number = Date.now) {}

  /** A line from the gateway's output: decision lines become records, anything else is ignored. */
  gatewayLine(line: string): InspectedRecord | null {
    const v = parseLine(line)
    if (v?.msg !== 'request' || typeof v.requestId !== 'string') return null
    const decision = v as unknown as DecisionLogLine
    const record: InspectedRecord = {
      seq: ++this.seq,
      receivedAt: this.now(),
      decision,
      claims: this.take(this.claimsById, decision.requestId) as Record<string, unknown> | null,
      prompt: decision.clientRequestId === null ? null : this.take(this.promptsByClientId, decision.clientRequestId),
    }
    this.records.push(record)
    if (this.records.length > MAX_RECORDS) this.records.shift()
    for (const l of this.listeners) l(record)
    return record
  }

  /** A line from the dev model tier: the Txn-Token it verified for one of our request ids. */
  modelLine(line: string): void {
    const v = parseLine(line)
    if (v?.msg !== 'dev-model.edge' || typeof v.requestId !== 'string' || !isObject(v.claims)) return
    const known = this.records.find((r) => r.decision.requestId === v.requestId)
    if (known) known.claims = v.claims
    else this.remember(this.claimsById, v.requestId, v.claims)
  }

  /** The recording proxy saw this body under a client request id (--inspect-prompts only). */
  promptSeen(clientRequestId: string, body: unknown): void {
    this.remember(this.promptsByClientId, clientRequestId, body)
  }

  list(filters: Filters = {}): InspectedRecord[] {
    return this.records.filter((r) => matches(r, filters))
  }

  get(seq: number): InspectedRecord | null {
    return this.records.find((r) => r.seq === seq) ?? null
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Distinct filter values seen so far, for the page's drop-downs. */
  facets(): { tenant: string[]; subject: string[]; code: string[]; verdict: string[] } {
    const set = (f: (r: InspectedRecord) => string | null) =>
      [...new Set(this.records.map(f).filter((v): v is string => v !== null && v !== ''))].sort()
    return {
      tenant: set((r) => r.decision.tenant),
      subject: set((r) => r.decision.sub),
      code: set(outcomeOf),
      verdict: set((r) => r.decision['gen_ai.security.action.type']),
    }
  }

  private take(map: Map<string, unknown>, key: string): unknown {
    const v = map.get(key) ?? null
    map.delete(key)
    return v
  }

  private remember(map: Map<string, unknown>, key: string, value: unknown): void {
    map.set(key, value)
    if (map.size > MAX_PENDING_JOINS) map.delete(map.keys().next().value as string)
  }
}

/** Whether a code is a refusal the client saw (for the refusals chart): every stable code is. */
export const isRefusal = (code: string) => isErrorCode(code) && ERRORS[code].status >= 400
