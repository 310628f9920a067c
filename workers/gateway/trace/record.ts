// The decision-log record: one JSON object per request, built from what the stages put in `c.var`. Attribute
// names follow the OpenTelemetry semantic conventions where one exists (HTTP, error.type, GenAI, the draft GenAI
// security/guardrail attributes); the rest is Portcullis's own, nested by stage. Only validated identifiers,
// codes and numbers: never caller text, tokens or secrets. The schema is docs/telemetry.md, checked by a test.
import type { Context } from 'hono'
import { ERRORS, type ErrorCode, isErrorCode } from '../../../shared/errors.ts'
import type { LimitItem } from '../../../shared/limit/types.ts'
import type { Endpoint } from '../../../shared/policy/schema.ts'
import type { DetectionSpan } from '../../../shared/screen/types.ts'
import type { AppEnv, Grant } from '../env.ts'
import { roundMs, stageDurations, type Telemetry, type TimedStage } from './timing.ts'

export type LogLevel = 'info' | 'warn' | 'error'

/** How the response body ended, as far as the trace stage saw it. */
export type BodyOutcome = 'completed' | 'broken' | 'cancelled' | 'not_streamed'

// OpenTelemetry GenAI `gen_ai.operation.name` values for the endpoints that have one; /v1/models has none.
const OPERATION: Record<Endpoint, string | null> = {
  chat: 'chat',
  completions: 'text_completion',
  embeddings: 'embeddings',
  models: null,
}
const MAX_LOGGED_SPANS = 32 // bounds the line: a prompt full of e-mail addresses must not make a 1 MB log line
const MAX_LOGGED_RULES = 32

export interface DecisionRecord {
  readonly level: LogLevel
  readonly msg: 'request'
  readonly requestId: string
  readonly clientRequestId: string | null
  readonly traceId: string
  readonly spanId: string
  readonly tenant: string | null
  readonly policyVersion: string | null
  readonly policySha256: string | null
  readonly endpoint: Endpoint | null
  readonly sub: string | null
  readonly 'http.request.method': string
  readonly 'http.response.status_code': number
  readonly 'error.type': ErrorCode | null
  readonly 'gen_ai.operation.name': string | null
  readonly 'gen_ai.request.model': string | null
  readonly 'gen_ai.request.max_tokens': number | null
  readonly 'gen_ai.usage.input_tokens': number | null
  readonly 'gen_ai.usage.output_tokens': number | null
  readonly 'gen_ai.security.action.type': string | null
  readonly 'gen_ai.security.risk.score': number | null
  readonly 'gen_ai.security.policy.rule.id': readonly string[]
  readonly grant: Grant | null
  readonly limit: {
    readonly checked: boolean
    readonly backend: string
    readonly reservedTokens: number
    readonly estimatedPromptTokens: number | null
    /** The windows that refused this request (limit.requests / limit.tokens), with their state. */
    readonly refused: readonly LimitItem[]
  } | null
  readonly screen: {
    readonly verdict: string
    readonly enforced: boolean
    readonly score: number
    readonly categories: readonly string[]
    readonly rules: readonly string[]
    readonly spans: readonly Omit<DetectionSpan, 'detection_type'>[]
  } | null
  /** The response guard's verdict on the answer: codes, counts, rule ids and offsets into the answer, no text. */
  readonly response: {
    readonly verdict: string
    readonly enforced: boolean
    readonly code: string | null
    readonly categories: readonly string[]
    readonly rules: readonly string[]
    readonly redactions: Readonly<Record<string, number>>
    readonly restored: number
    readonly heldMax: number
    readonly spans: readonly { choice: number; field: string; start: number; end: number; detection: string }[]
  } | null
  readonly shadowed: readonly string[]
  readonly stages: Partial<Record<TimedStage, number>>
  readonly upstream: {
    readonly latencyMs: number
    readonly ttfbMs: number | null
    readonly streamed: boolean
    readonly body: BodyOutcome
  } | null
  readonly promptHmac: string | null
  readonly ms: number
}

export function levelFor(status: number, code: ErrorCode | null): LogLevel {
  const effective = code === null ? status : ERRORS[code].status
  if (effective >= 500) return 'error'
  return code !== null || effective >= 400 ? 'warn' : 'info'
}

function outcomeCode(c: Context<AppEnv>, t: Telemetry): ErrorCode | null {
  if (t.interrupted) return 'upstream.stream_interrupted'
  const header = c.res.headers.get('x-portcullis-code')
  return isErrorCode(header) ? header : null
}

export interface RecordInputs {
  readonly requestId: string
  readonly traceId: string
  readonly spanId: string
  readonly promptHmac: string | null
  readonly body: BodyOutcome
  readonly now: number
}

export function decisionRecord(c: Context<AppEnv>, t: Telemetry, r: RecordInputs): DecisionRecord {
  const d = c.get('decisions')
  const tenant = c.get('tenant')
  const route = c.get('route')
  const request = c.get('request')
  const code = outcomeCode(c, t)
  const status = c.res.status
  const screen = d.screen
  const up = t.stages.upstream
  const refusedNames = new Set(d.limit?.refused ?? [])
  return {
    level: levelFor(status, code),
    msg: 'request',
    requestId: r.requestId,
    clientRequestId: t.clientRequestId,
    traceId: r.traceId,
    spanId: r.spanId,
    tenant: tenant?.compiled.id ?? null,
    policyVersion: tenant?.compiled.version ?? null,
    policySha256: tenant?.compiled.sha256 ?? null,
    endpoint: route?.endpoint ?? null,
    sub: c.get('caller')?.sub ?? null,
    'http.request.method':
      route?.method ?? (c.req.method === 'GET' ? 'GET' : c.req.method === 'POST' ? 'POST' : '_OTHER'),
    'http.response.status_code': status,
    'error.type': code,
    'gen_ai.operation.name': route ? OPERATION[route.endpoint] : null,
    'gen_ai.request.model': d.grant?.model ?? request?.model ?? null,
    'gen_ai.request.max_tokens': d.grant?.maxTokens ?? null,
    'gen_ai.usage.input_tokens': d.usage?.promptTokens ?? null,
    'gen_ai.usage.output_tokens': d.usage?.completionTokens ?? null,
    'gen_ai.security.action.type': screen ? screen.verdict : null,
    'gen_ai.security.risk.score': screen ? screen.score : null,
    'gen_ai.security.policy.rule.id': screen ? screen.rules.slice(0, MAX_LOGGED_RULES) : [],
    grant: d.grant ?? null,
    limit: d.limit
      ? {
          checked: d.limit.checked,
          backend: d.limit.backend,
          reservedTokens: d.limit.reservedTokens,
          estimatedPromptTokens: d.limit.estimatedPromptTokens ?? null,
          refused: d.limit.items.filter((i) => refusedNames.has(i.name)),
        }
      : null,
    screen: screen
      ? {
          verdict: screen.verdict,
          enforced: screen.enforced,
          score: screen.score,
          categories: screen.categories,
          rules: screen.rules.slice(0, MAX_LOGGED_RULES),
          spans: screen.spans.slice(0, MAX_LOGGED_SPANS).map((s) => ({
            start: s.start,
            end: s.end,
            detection: s.detection,
            score: s.score,
            ...(s.path === undefined ? {} : { path: s.path }),
          })),
        }
      : null,
    response: d.response
      ? {
          verdict: d.response.verdict,
          enforced: d.response.enforced,
          code: d.response.code,
          categories: d.response.categories,
          rules: d.response.rules.slice(0, MAX_LOGGED_RULES),
          redactions: d.response.redactions,
          restored: d.response.restored,
          heldMax: d.response.heldMax,
          spans: d.response.spans.slice(0, MAX_LOGGED_SPANS).map((s) => ({
            choice: s.choice,
            field: s.field,
            start: s.start,
            end: s.end,
            detection: s.detection,
          })),
        }
      : null,
    shadowed: d.shadowed,
    stages: stageDurations(t),
    upstream: up
      ? {
          latencyMs: roundMs(up.dur),
          ttfbMs: t.firstByteAt === null ? null : roundMs(t.firstByteAt - up.start),
          streamed: request?.stream === true,
          body: r.body,
        }
      : null,
    promptHmac: r.promptHmac,
    ms: roundMs(r.now - t.started),
  }
}
