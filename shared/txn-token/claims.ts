// The context token's claims: a pure function from the edge's decisions to a stable, documented claim set
// (README.md in this folder is the reference). Names follow draft-ietf-oauth-transaction-tokens (txn, scope,
// tctx, rctx, req_wl); what a mesh must match (tenant, verdict, scope) is a top-level string. Never prompt text.
import type { LimitDecision } from '../limit/types.ts'
import type { ScreenDecision } from '../screen/types.ts'

/** JWS `typ` of a Transaction Token (draft-ietf-oauth-transaction-tokens §4.1.1). */
export const TXN_TOKEN_TYP = 'txntoken+jwt'
/** HTTP header carrying the token (draft-ietf-oauth-transaction-tokens §7.1). */
export const TXN_TOKEN_HEADER = 'Txn-Token'
/** Default requesting-workload name; a deployment may override it (SignStageOptions.workload). */
export const DEFAULT_WORKLOAD = 'portcullis-gateway'

/** Top-level claims a mesh policy matches on; the Kubernetes manifests are generated from these names. */
export const MESH_CLAIMS = { tenant: 'tenant', verdict: 'verdict', scope: 'scope' } as const

/** forwarded clean; forwarded but flagged; forwarded with redactions; would have been refused (shadow mode);
 * block is never signed by a healthy gateway and no generated mesh policy accepts it. */
export type Verdict = 'allow' | 'flag' | 'redact' | 'shadow_block' | 'block'
export const VERDICTS: readonly Verdict[] = ['allow', 'flag', 'redact', 'shadow_block', 'block']
/** Verdicts a model tier accepts for a tenant: shadow-mode tenants forward would-be refusals on purpose. */
export function acceptedVerdicts(mode: 'enforce' | 'shadow'): Verdict[] {
  return mode === 'shadow' ? ['allow', 'flag', 'redact', 'shadow_block'] : ['allow', 'flag', 'redact']
}

export interface TxnRequestBinding {
  readonly method: string
  /** Normalised path as forwarded, without query. */
  readonly path: string
  /** RFC 9530 Content-Digest of the exact forwarded bytes, identical to the header: `sha-256=:…:`. */
  readonly digest: string
}

export interface TxnTokenClaims {
  readonly iss: string
  readonly aud: string
  readonly iat: number
  readonly exp: number
  readonly jti: string
  readonly txn: string
  readonly sub: string
  readonly scope: string
  readonly tenant: string
  readonly verdict: Verdict
  readonly req: TxnRequestBinding
  readonly rctx: {
    readonly req_wl: string
    readonly colo: string | null
    readonly authn: 'bearer' | 'cf-access'
    /** Present only with `clientIp: plain`. */
    readonly req_ip?: string
    /** Present only with `clientIp: hash`: base64url HMAC-SHA256(IP_HASH_KEY, ip). */
    readonly req_ip_hash?: string
    readonly country: string | null
    readonly asn: number | null
  }
  readonly tctx: {
    readonly policy: { readonly id: string; readonly version: string; readonly sha256: string }
    readonly mode: 'enforce' | 'shadow'
    readonly model: string | null
    readonly max_tokens: number | null
    readonly max_tokens_clamped: boolean
    readonly screen: {
      readonly verdict: ScreenDecision['verdict']
      readonly enforced: boolean
      readonly score: number
      readonly categories: readonly string[]
      readonly rules: readonly string[]
      readonly redactions: Readonly<Record<string, number>>
    } | null
    readonly limit: {
      readonly checked: boolean
      readonly backend: LimitDecision['backend']
      readonly remaining_requests: number | null
      readonly remaining_tokens: number | null
      readonly reserved_tokens: number
    } | null
    readonly shadowed: readonly string[]
    readonly trace_id: string | null
  }
}

export interface ClaimsInput {
  readonly issuer: string
  readonly audience: string
  readonly nowSeconds: number
  readonly lifetimeSeconds: number
  readonly requestId: string
  readonly traceparent: string | null
  readonly policy: { readonly id: string; readonly version: string; readonly sha256: string }
  readonly mode: 'enforce' | 'shadow'
  readonly caller: { readonly sub: string; readonly scopes: readonly string[]; readonly method: 'bearer' | 'cf-access' }
  readonly workload: { readonly name: string; readonly colo: string | null }
  /** Already reduced per policy: the plain IP, its keyed hash, or nothing. */
  readonly clientIp: { readonly form: 'plain' | 'hash'; readonly value: string } | null
  readonly country: string | null
  readonly asn: number | null
  readonly grant?: { readonly model: string | null; readonly maxTokens: number | null; readonly clamped: boolean }
  readonly limit?: LimitDecision
  readonly screen?: ScreenDecision
  readonly shadowed: readonly string[]
  readonly request: TxnRequestBinding
}

export function buildContextClaims(input: ClaimsInput): TxnTokenClaims {
  const iat = Math.floor(input.nowSeconds)
  const ip =
    input.clientIp === null
      ? {}
      : input.clientIp.form === 'plain'
        ? { req_ip: input.clientIp.value }
        : { req_ip_hash: input.clientIp.value }
  return {
    iss: input.issuer,
    aud: input.audience,
    iat,
    exp: iat + input.lifetimeSeconds,
    jti: input.requestId,
    txn: input.requestId,
    sub: input.caller.sub,
    // RFC 8693 §4.2: space-delimited; Istio splits it into a list for `request.auth.claims[scope]`.
    scope: [...input.caller.scopes].sort().join(' '),
    tenant: input.policy.id,
    verdict: overallVerdict(input),
    req: { method: input.request.method.toUpperCase(), path: input.request.path, digest: input.request.digest },
    rctx: {
      req_wl: input.workload.name,
      colo: input.workload.colo,
      authn: input.caller.method,
      ...ip,
      country: input.country,
      asn: input.asn,
    },
    tctx: {
      policy: { id: input.policy.id, version: input.policy.version, sha256: input.policy.sha256 },
      mode: input.mode,
      model: input.grant?.model ?? null,
      max_tokens: input.grant?.maxTokens ?? null,
      max_tokens_clamped: input.grant?.clamped ?? false,
      screen: input.screen ? screenClaims(input.screen) : null,
      limit: input.limit ? limitClaims(input.limit) : null,
      shadowed: [...input.shadowed],
      trace_id: traceIdOf(input.traceparent),
    },
  }
}

/** One word for the whole request, most severe first, so a mesh can match it as a plain string. */
export function overallVerdict(input: Pick<ClaimsInput, 'screen' | 'shadowed'>): Verdict {
  const screen = input.screen
  if (screen?.verdict === 'block') return screen.enforced ? 'block' : 'shadow_block'
  if (input.shadowed.length > 0) return 'shadow_block'
  if (screen?.verdict === 'redact' && screen.enforced) return 'redact'
  if (screen && screen.verdict !== 'allow') return 'flag'
  return 'allow'
}

/** The trace id of a W3C traceparent (`00-<32 hex>-<16 hex>-<2 hex>`), or null when malformed. */
export function traceIdOf(traceparent: string | null): string | null {
  const m = traceparent ? /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(traceparent) : null
  return m?.[1] ?? null
}

function screenClaims(s: ScreenDecision): NonNullable<TxnTokenClaims['tctx']['screen']> {
  // Spans are deliberately left out: offsets into the prompt say more about it than a verifier needs.
  return {
    verdict: s.verdict,
    enforced: s.enforced,
    score: Math.round(s.score * 1000) / 1000,
    categories: [...s.categories],
    rules: [...s.rules],
    redactions: { ...s.redactions },
  }
}

function limitClaims(l: LimitDecision): NonNullable<TxnTokenClaims['tctx']['limit']> {
  return {
    checked: l.checked,
    backend: l.backend,
    remaining_requests: minRemaining(l, 'requests'),
    remaining_tokens: minRemaining(l, 'tokens'),
    reserved_tokens: l.reservedTokens,
  }
}

function minRemaining(l: LimitDecision, kind: 'requests' | 'tokens'): number | null {
  const values = l.items.filter((i) => i.kind === kind).map((i) => i.remaining)
  return values.length === 0 ? null : Math.min(...values)
}
