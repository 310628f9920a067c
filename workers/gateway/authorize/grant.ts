// Scope evaluation, pure: which of the caller's scopes allow this endpoint and model, and the max_tokens ceiling
// that follows (the most generous ceiling among the scopes that allow the request).
import type { Endpoint, Policy, UNSCREENED_INPUTS } from '../../../shared/policy/schema.ts'

export type UnscreenedInput = (typeof UNSCREENED_INPUTS)[number]
export type GrantResult =
  | { ok: true; ceiling: number | null; unscreened: ReadonlySet<UnscreenedInput> }
  | { ok: false; reason: 'endpoint_forbidden' | 'model_forbidden' }

export function evaluateScopes(
  scopes: readonly string[],
  grants: Policy['scopes'],
  endpoint: Endpoint,
  model: string | null,
): GrantResult {
  const forEndpoint = scopes.flatMap((s) => {
    const g = Object.hasOwn(grants, s) ? grants[s] : undefined
    return g?.endpoints.includes(endpoint) ? [g] : []
  })
  if (forEndpoint.length === 0) return { ok: false, reason: 'endpoint_forbidden' }
  const forModel =
    model === null ? forEndpoint : forEndpoint.filter((g) => g.models.includes('*') || g.models.includes(model))
  if (forModel.length === 0) return { ok: false, reason: 'model_forbidden' }
  let ceiling: number | null = 0
  const unscreened = new Set<UnscreenedInput>()
  for (const g of forModel) {
    for (const u of g.allowUnscreened ?? []) unscreened.add(u)
    if (ceiling !== null) ceiling = g.maxTokens === undefined ? null : Math.max(ceiling, g.maxTokens)
  }
  return { ok: true, ceiling, unscreened }
}

/** The max_tokens to forward: the caller's value, the tenant default when absent, never above the ceiling. */
export function effectiveMaxTokens(
  requested: number | null,
  ceiling: number | null,
  defaultMaxTokens: number,
  mode: 'clamp' | 'reject',
): { ok: true; value: number; clamped: boolean } | { ok: false } {
  const wanted = requested ?? defaultMaxTokens
  if (ceiling === null || wanted <= ceiling) return { ok: true, value: wanted, clamped: false }
  if (mode === 'reject' && requested !== null) return { ok: false }
  return { ok: true, value: ceiling, clamped: requested !== null }
}
