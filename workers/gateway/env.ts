// Types shared by every gateway stage: the Worker's bindings and the per-request state the stages hand on.
// Stages read what earlier stages set and add their own; the sign stage turns `decisions` into claims.

import type { LimitDecision } from '../../shared/limit/types.ts'
import type { TokenUsage } from '../../shared/limit/usage.ts'
import type { ValidRequest } from '../../shared/openai/validate.ts'
import type { CompiledPolicy, Endpoint, Policy } from '../../shared/policy/schema.ts'
import type { RequestBody } from '../../shared/request/model.ts'
import type { ResponseDecision } from '../../shared/response/types.ts'
import type { ScreenDecision } from '../../shared/screen/types.ts'
import type { Telemetry } from './trace/timing.ts'

export interface Env {
  /** Pins the deployment to one tenant (per-tenant wrangler env); absent = pick the tenant by Host. */
  readonly TENANT?: string
  /** Overrides the default tenant's upstream (e.g. a local vLLM). */
  readonly UPSTREAM_URL?: string
  /** Context-token signing keys: a JSON array of private JWKs (secret). */
  readonly TXN_SIGNING_KEYS?: string
  /** Public keys published but not (or no longer) used for signing: a JSON array of public JWKs. */
  readonly TXN_PUBLISHED_KEYS?: string
  /** `iss` of the context token: this edge deployment. */
  readonly TXN_ISSUER?: string
  /** Keyed hash secret for client IPs in the context token. */
  readonly IP_HASH_KEY?: string
  /** Deployment-wide override of every policy's `limits.backend` ("durable-object" | "upstash"). */
  readonly LIMIT_BACKEND?: string
  readonly UPSTASH_REDIS_REST_URL?: string
  readonly UPSTASH_REDIS_REST_TOKEN?: string
  /** Durable Object limiter (embedded default). */
  readonly LIMITER?: DurableObjectNamespace
  /** Native Workers rate-limit binding, the optional per-IP shield. */
  readonly IP_SHIELD?: RateLimit
  /** HMAC key for the prompt fingerprint and subject hash in telemetry (secret); absent = no prompt fingerprint. */
  readonly LOG_HMAC_KEY?: string
  /** Workers Analytics Engine dataset: one data point per request (workers/gateway/trace/analytics.ts). */
  readonly DECISIONS?: AnalyticsEngineDataset
  /** Any other Worker var, read by `${VAR}` references in policies and by `credentialSecret`. */
  readonly [name: string]: unknown
}

/** A tenant's policy with its `${VAR}` references bound for this isolate. */
export interface ActiveTenant {
  readonly compiled: CompiledPolicy
  readonly policy: Policy
  readonly upstreamUrl: string
}

export interface Caller {
  readonly sub: string
  readonly issuer: string
  readonly scopes: readonly string[]
  readonly method: 'bearer' | 'cf-access'
  readonly tokenId: string | null
}

export interface RouteInfo {
  readonly endpoint: Endpoint
  readonly method: string
  /** Normalised path as forwarded, e.g. /v1/chat/completions. */
  readonly path: string
}

export interface ClientContext {
  readonly ip: string | null
  readonly country: string | null
  readonly asn: number | null
  readonly colo: string | null
}

export interface Grant {
  readonly model: string | null
  readonly maxTokens: number | null
  readonly clamped: boolean
}

/** Every stage's outcome, for the context token and the decision log. */
export interface Decisions {
  grant?: Grant
  limit?: LimitDecision
  screen?: ScreenDecision
  /** The model's reported usage, read by the limit stage's reconciliation (absent when it was not read). */
  usage?: TokenUsage
  /** What the response stage found in the answer (live while a stream flows; `done` when it ended). */
  response?: ResponseDecision
  /** Codes that would have refused the request but were not enforced (shadow mode). */
  readonly shadowed: string[]
}

export type JsonObject = { [key: string]: unknown }

/** The request model (shared/request/model.ts): the parsed view, named patches, and the sealed bytes that are
 * digested and forwarded. */
export type OutboundBody = RequestBody

export interface AppVariables {
  requestId: string
  traceparent: string
  tenant: ActiveTenant
  route: RouteInfo
  client: ClientContext
  body: OutboundBody
  /** What ingress learned from the validated body: model, requested max tokens, streaming flags. */
  request: ValidRequest
  caller: Caller
  decisions: Decisions
  /** Timings and ids for the decision log and Server-Timing (trace stage). */
  telemetry: Telemetry
  /** Request PII sent upstream as placeholders: placeholder → value, request memory only (never logged). */
  pseudonyms: { readonly mapping: ReadonlyMap<string, string>; readonly counts: Readonly<Record<string, number>> }
  /** Extra headers the sign stage adds to the upstream request (Txn-Token, Content-Digest). */
  upstreamHeaders: Record<string, string>
}

export type AppEnv = { Bindings: Env; Variables: AppVariables }
