// Per-tool call limits (`mcp.tools.rateLimits`) through the tenant's limiter backend — the same store, timeout and
// failMode as the OpenAI path's limit stage, one partition per caller. A call is counted once it passed every other
// check; when two rules match and one refuses, the other keeps the count (no refund: a stricter, simpler bound).
import type { LimiterBackend } from '../../../shared/limit/backend.ts'
import { withTimeout } from '../../../shared/limit/backend.ts'
import type { LimitPolicy } from '../../../shared/limit/policy-schema.ts'
import type { McpErrorCode } from '../../../shared/mcp/errors.ts'
import type { McpPolicy } from '../../../shared/mcp/policy-schema.ts'
import { matchesToolPattern } from '../../../shared/mcp/scopes.ts'

export interface ToolLimiter {
  /** null when the call may go ahead, else the refusal. */
  admit(tool: string): Promise<McpErrorCode | null>
}

export function toolLimiter(opts: {
  readonly tenant: string
  readonly subject: string
  readonly mcp: McpPolicy
  readonly limits: LimitPolicy
  /** The backend from the Worker's bindings, or null when they are missing. */
  readonly backend: () => LimiterBackend | null
}): ToolLimiter {
  return {
    async admit(tool) {
      if (!opts.limits.enabled) return null
      const rules = opts.mcp.tools.rateLimits.filter((r) => r.tools.some((p) => matchesToolPattern(p, tool)))
      if (rules.length === 0) return null
      const partition = `${opts.tenant}/mcp/${opts.subject}`
      const checks = rules.map((r) => ({
        key: `${partition}/tool/${tool}/${r.windowSeconds}`,
        partition,
        limit: r.limit,
        windowSeconds: r.windowSeconds,
        cost: 1,
      }))
      const backend = opts.backend()
      try {
        if (backend === null) throw new Error('no limiter binding')
        const outcomes = await withTimeout(backend.consume(checks), opts.limits.timeoutMs)
        return outcomes.every((o) => o.allowed) ? null : 'mcp.rate_limited'
      } catch {
        return opts.limits.failMode === 'open' ? null : 'mcp.limit_unavailable'
      }
    },
  }
}
