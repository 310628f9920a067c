// What comes back from the MCP server, message by message (one JSON answer, a JSON batch, or one SSE event): a
// tools/list answer loses every tool the caller may not see or whose definition fails review; tool, resource and
// prompt results are screened for injection aimed at the agent (block → the result is replaced by a JSON-RPC
// error; flag → passed on and counted). Messages the edge did not ask for pass unchanged, except list_changed,
// which makes the edge forget the tenant's reviewed definitions.
import { hasDuplicateKeys } from '../../../shared/json/strict-parse.ts'
import { mcpError } from '../../../shared/mcp/errors.ts'
import type { AnswerKind } from '../../../shared/mcp/methods.ts'
import type { McpPolicy } from '../../../shared/mcp/policy-schema.ts'
import { toolAllowed } from '../../../shared/mcp/scopes.ts'
import { mcpScreen, resultTexts, screenTexts } from '../../../shared/mcp/screen.ts'
import type { ScreenPolicy } from '../../../shared/screen/policy-schema.ts'
import type { JsonObject } from '../env.ts'
import type { DefinitionCache, ToolReview } from './definitions.ts'
import { reviewTool } from './definitions.ts'

export interface PendingAnswer {
  readonly answer: AnswerKind
  /** A tools/list without a cursor: its answer starts the tenant's list afresh. */
  readonly firstPage: boolean
}

export interface AnswerStats {
  toolsHidden: number
  resultsBlocked: number
  resultsFlagged: number
  readonly flags: Set<string>
}

export interface AnswerContext {
  readonly tenant: string
  readonly mcp: McpPolicy
  readonly screen: ScreenPolicy
  readonly callerPatterns: readonly string[]
  readonly cache: DefinitionCache
  readonly now: () => number
  /** false in shadow mode: refusals are counted, not applied. */
  readonly enforce: boolean
  readonly pending: ReadonlyMap<string, PendingAnswer>
  readonly stats: AnswerStats
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)

export function newStats(): AnswerStats {
  return { toolsHidden: 0, resultsBlocked: 0, resultsFlagged: 0, flags: new Set() }
}

/** Review a tools/list answer's tools; the caller sees only what is allowed and passed review. */
export async function filterToolList(ctx: AnswerContext, result: JsonObject, firstPage: boolean): Promise<JsonObject> {
  const tools = Array.isArray(result.tools) ? result.tools : []
  const reviews = await Promise.all(tools.map((t) => reviewTool(t, ctx.mcp, ctx.screen)))
  const reviewed = reviews.filter((r): r is ToolReview => r !== null)
  ctx.cache.record(ctx.tenant, reviewed, ctx.now(), firstPage)
  const visible = tools.filter((_, i) => {
    const r = reviews[i]
    if (r === null || r === undefined || !toolAllowed(r.name, ctx.mcp.tools.allow, ctx.callerPatterns)) return false
    for (const f of r.flags) ctx.stats.flags.add(f)
    if (r.refusal !== null) {
      ctx.stats.flags.add(r.refusal)
      if (ctx.enforce) return false
    }
    return true
  })
  ctx.stats.toolsHidden += tools.length - visible.length
  return { ...result, tools: visible }
}

/** One server→client JSON-RPC message, rewritten; a message that is not JSON-RPC at all is refused. */
export async function rewriteServerMessage(ctx: AnswerContext, msg: unknown): Promise<unknown> {
  if (!isObject(msg) || msg.jsonrpc !== '2.0') return mcpError('mcp.upstream_bad_response', null)
  if (msg.method === 'notifications/tools/list_changed') ctx.cache.invalidate(ctx.tenant)
  const id = msg.id
  if ((typeof id !== 'string' && typeof id !== 'number') || !('result' in msg)) return msg
  const pending = ctx.pending.get(String(id))
  if (!pending || !isObject(msg.result)) return msg
  if (pending.answer === 'tool_list')
    return { ...msg, result: await filterToolList(ctx, msg.result, pending.firstPage) }
  if (pending.answer === 'pass' || ctx.mcp.screen.results === 'off') return msg
  const outcome = screenTexts(mcpScreen(ctx.screen, ctx.mcp, 'results'), resultTexts(pending.answer, msg), msg)
  if (outcome === null) {
    ctx.stats.flags.add('mcp.screen_unavailable')
    return ctx.screen.failMode === 'open' ? msg : mcpError('mcp.screen_unavailable', id)
  }
  const verdict = outcome.decision.verdict
  if (verdict === 'block' && outcome.decision.enforced && ctx.enforce) {
    ctx.stats.resultsBlocked++
    return mcpError('mcp.result_blocked', id)
  }
  if (verdict !== 'allow') ctx.stats.resultsFlagged++
  return msg
}

/** One JSON text from the server (a message or a batch), rewritten message by message. */
export async function rewriteServerData(ctx: AnswerContext, text: string): Promise<unknown> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return mcpError('mcp.upstream_bad_response', null)
  }
  // Two readings of one answer (duplicate keys) would let a server show the edge one result and the agent another.
  if (hasDuplicateKeys(text)) return mcpError('mcp.upstream_bad_response', null)
  if (!Array.isArray(value)) return rewriteServerMessage(ctx, value)
  const out: unknown[] = []
  for (const m of value) out.push(await rewriteServerMessage(ctx, m))
  return out
}
