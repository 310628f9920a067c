// What the client sends, message by message, before anything is forwarded: a tools/call must name a tool the
// tenant and the caller's scopes allow, whose current definition passed review (pin, description screen), and whose
// arguments pass screening (block, or redact in place). Refused requests are answered by the edge and removed from
// the forwarded body; everything else is forwarded, and its id remembered so the answer can be filtered or screened.
import type { ToolPinState } from '../../../shared/mcp/claims.ts'
import { type JsonRpcErrorMessage, type McpErrorCode, mcpError } from '../../../shared/mcp/errors.ts'
import type { ClientMessage } from '../../../shared/mcp/jsonrpc.ts'
import type { McpPolicy } from '../../../shared/mcp/policy-schema.ts'
import { toolAllowed } from '../../../shared/mcp/scopes.ts'
import { argumentTexts, mcpScreen, screenTexts } from '../../../shared/mcp/screen.ts'
import type { ScreenPolicy } from '../../../shared/screen/policy-schema.ts'
import type { ScreenDecision } from '../../../shared/screen/types.ts'
import type { JsonObject } from '../env.ts'
import type { ToolReview } from './definitions.ts'
import type { PendingAnswer } from './responses.ts'

export interface RequestContext {
  readonly mcp: McpPolicy
  readonly screen: ScreenPolicy
  readonly callerPatterns: readonly string[]
  /** false in shadow mode: refusals are recorded, not applied. */
  readonly enforce: boolean
  /** Counts a call against `mcp.tools.rateLimits`; the refusal, or null to go ahead. */
  readonly admitTool: (name: string) => Promise<McpErrorCode | null>
  /** The reviewed current definition of `name`, refreshing the tenant's list from the server when stale. */
  readonly definitionOf: (name: string) => Promise<ToolReview | null>
}

export interface PreparedBody {
  /** Messages to forward, possibly rewritten (redacted arguments). */
  readonly forward: readonly JsonObject[]
  /** The edge's own answers for refused requests. */
  readonly answers: readonly JsonRpcErrorMessage[]
  readonly pending: ReadonlyMap<string, PendingAnswer>
  readonly tools: readonly { readonly name: string; readonly pin: ToolPinState }[]
  /** The most severe argument-screen decision of the body, for the context token; null when nothing was screened. */
  readonly screen: ScreenDecision | null
  /** Codes the edge refused or would have refused (shadow), for the decision log. */
  readonly codes: readonly McpErrorCode[]
  readonly changed: boolean
}

const SEVERITY: Record<ScreenDecision['verdict'], number> = { allow: 0, flag: 1, redact: 2, block: 3 }

export async function prepareBody(ctx: RequestContext, messages: readonly ClientMessage[]): Promise<PreparedBody> {
  const forward: JsonObject[] = []
  const answers: JsonRpcErrorMessage[] = []
  const pending = new Map<string, PendingAnswer>()
  const tools: { name: string; pin: ToolPinState }[] = []
  const codes: McpErrorCode[] = []
  let screen: ScreenDecision | null = null
  let changed = false

  for (const m of messages) {
    if (m.kind !== 'request') {
      forward.push(m.raw)
      continue
    }
    let raw = m.raw
    if (m.method === 'tools/call') {
      const checked = await checkToolCall(ctx, m.params, raw)
      if (checked.screen && (screen === null || SEVERITY[checked.screen.verdict] > SEVERITY[screen.verdict]))
        screen = checked.screen
      if (checked.refusal !== null) {
        codes.push(checked.refusal)
        if (ctx.enforce) {
          answers.push(mcpError(checked.refusal, m.id))
          changed = true
          continue
        }
      }
      if (checked.tool) tools.push(checked.tool)
      if (checked.rewritten) {
        raw = checked.rewritten
        changed = true
      }
    }
    pending.set(String(m.id), { answer: m.answer, firstPage: m.params.cursor === undefined })
    forward.push(raw)
  }
  return { forward, answers, pending, tools, screen, codes, changed }
}

interface CallCheck {
  readonly refusal: McpErrorCode | null
  readonly tool: { name: string; pin: ToolPinState } | null
  readonly screen: ScreenDecision | null
  readonly rewritten: JsonObject | null
}

async function checkToolCall(ctx: RequestContext, params: JsonObject, raw: JsonObject): Promise<CallCheck> {
  const refuse = (refusal: McpErrorCode): CallCheck => ({ refusal, tool: null, screen: null, rewritten: null })
  const name = params.name
  if (typeof name !== 'string' || name === '') return refuse('mcp.invalid_params')
  if (params.arguments !== undefined && (typeof params.arguments !== 'object' || params.arguments === null))
    return refuse('mcp.invalid_params')
  if (!toolAllowed(name, ctx.mcp.tools.allow, ctx.callerPatterns)) return refuse('mcp.tool_forbidden')
  const review = await ctx.definitionOf(name)
  if (review === null) return refuse('mcp.tool_unknown')
  if (review.refusal !== null) return refuse(review.refusal)
  const tool = { name, pin: review.pinState }
  const outcome = screenTexts(mcpScreen(ctx.screen, ctx.mcp, 'arguments'), argumentTexts(raw), raw)
  if (outcome === null)
    return ctx.screen.failMode === 'open'
      ? { refusal: null, tool, screen: null, rewritten: null }
      : { refusal: 'mcp.screen_unavailable', tool, screen: null, rewritten: null }
  const d = outcome.decision
  if (d.verdict === 'block' && d.enforced) return { refusal: 'mcp.arguments_blocked', tool, screen: d, rewritten: null }
  const rewritten = d.verdict === 'redact' && d.enforced && ctx.enforce ? outcome.redacted : null
  const limited = await ctx.admitTool(name)
  return { refusal: limited, tool, screen: d, rewritten }
}
