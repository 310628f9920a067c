// Turns a tenant's limits policy and one request into the list of checks to run, and the outcomes back into
// LimitItems for headers and the context token. Pure: no store, no clock.
import type { LimitCheck, LimitOutcome } from './backend.ts'
import type { LimitPolicy } from './policy-schema.ts'
import type { LimitItem } from './types.ts'

export interface LimitIdentity {
  readonly tenantId: string
  readonly subject: string
  readonly ip: string | null
}

export interface PlannedCheck extends LimitCheck {
  readonly name: string
  readonly kind: LimitItem['kind']
  readonly scope: LimitItem['scope']
}

/** One Durable Object per partition keeps all windows of one identity in one round trip. */
function partitionOf(id: LimitIdentity, scope: LimitItem['scope']): string {
  if (scope === 'subject') return `${id.tenantId}/subject/${id.subject}`
  if (scope === 'ip') return `${id.tenantId}/ip/${id.ip ?? ''}`
  return `${id.tenantId}/tenant`
}

/** Request checks cost 1; token checks cost the reservation and are skipped when it is 0 (e.g. GET /v1/models). */
export function planChecks(policy: LimitPolicy, id: LimitIdentity, reservedTokens: number): PlannedCheck[] {
  const checks: PlannedCheck[] = []
  const add = (kind: LimitItem['kind'], scope: LimitItem['scope'], cost: number) => {
    const windows = kind === 'requests' ? policy.requests[scope] : scope === 'ip' ? [] : policy.tokens[scope]
    const partition = partitionOf(id, scope)
    for (const w of windows) {
      checks.push({
        name: `${kind}-${scope}-${w.windowSeconds}s`,
        kind,
        scope,
        key: `${partition}/${kind}/${w.windowSeconds}`,
        partition,
        limit: w.limit,
        windowSeconds: w.windowSeconds,
        cost,
        ...(scope === 'tenant' && policy.tenantShards > 1 ? { shards: policy.tenantShards } : {}),
      })
    }
  }
  if (id.ip !== null) add('requests', 'ip', 1)
  add('requests', 'subject', 1)
  add('requests', 'tenant', 1)
  if (reservedTokens > 0) {
    add('tokens', 'subject', reservedTokens)
    add('tokens', 'tenant', reservedTokens)
  }
  return checks
}

export function toItems(
  checks: readonly PlannedCheck[],
  outcomes: readonly LimitOutcome[],
  nowMs: number,
): LimitItem[] {
  return checks.map((check, i) => {
    const outcome = outcomes[i]
    return {
      name: check.name,
      kind: check.kind,
      scope: check.scope,
      limit: check.limit,
      remaining: outcome?.remaining ?? 0,
      windowSeconds: check.windowSeconds,
      resetSeconds: outcome ? Math.max(0, Math.ceil((outcome.resetAtMs - nowMs) / 1000)) : check.windowSeconds,
    }
  })
}

export type LimitRefusal = 'limit.ip' | 'limit.requests' | 'limit.tokens'

/** Which code a refusal carries: the per-IP limit first, then request rates, then token budgets. */
export function refusalCode(checks: readonly PlannedCheck[], outcomes: readonly LimitOutcome[]): LimitRefusal | null {
  let code: LimitRefusal | null = null
  const rank = { 'limit.ip': 0, 'limit.requests': 1, 'limit.tokens': 2 } as const
  checks.forEach((check, i) => {
    if (outcomes[i]?.allowed !== false) return
    const c: LimitRefusal =
      check.scope === 'ip' ? 'limit.ip' : check.kind === 'tokens' ? 'limit.tokens' : 'limit.requests'
    if (code === null || rank[c] < rank[code]) code = c
  })
  return code
}
