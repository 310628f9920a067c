// Tool definitions as the edge has seen them: each tool in a tools/list answer is reviewed once (pin compared,
// description screened unless it matches its pin — a pinned text was screened when it was approved) and the review
// is remembered per isolate for `definitionTtlSeconds`, so a tools/call is checked against what the server
// currently offers without a round trip on every call. Bounded; a list_changed notification drops a tenant's entries.

import type { McpContextClaims, ToolPinState } from '../../../shared/mcp/claims.ts'
import type { McpErrorCode } from '../../../shared/mcp/errors.ts'
import { comparePin, pinOf } from '../../../shared/mcp/pin.ts'
import type { McpPolicy } from '../../../shared/mcp/policy-schema.ts'
import { descriptionTexts, mcpScreen, screenTexts } from '../../../shared/mcp/screen.ts'
import type { ScreenPolicy } from '../../../shared/screen/policy-schema.ts'
import type { JsonObject } from '../env.ts'

export interface ToolReview {
  readonly name: string
  readonly pin: string
  readonly pinState: ToolPinState
  /** Why the tool is hidden and its calls refused, or null when it is offered. */
  readonly refusal: McpErrorCode | null
  /** Recorded, not enforced: a flagged pin mismatch or a flagged description. */
  readonly flags: readonly string[]
}

const MAX_TOOL_NAME_CHARS = 128

/** Review one tool entry of a tools/list answer; null when the entry is not a tool at all. */
export async function reviewTool(tool: unknown, mcp: McpPolicy, screen: ScreenPolicy): Promise<ToolReview | null> {
  if (typeof tool !== 'object' || tool === null || Array.isArray(tool)) return null
  const t = tool as JsonObject
  if (typeof t.name !== 'string' || t.name === '' || t.name.length > MAX_TOOL_NAME_CHARS) return null
  const description = typeof t.description === 'string' ? t.description : undefined
  const pin = await pinOf({ name: t.name, description, inputSchema: t.inputSchema })
  const compared = comparePin(mcp.tools.pins, t.name, pin)
  const flags: string[] = []
  let refusal: McpErrorCode | null = null
  let pinState: ToolPinState = compared === 'pinned' ? 'pinned' : 'unpinned'
  if (compared === 'mismatch') {
    if (mcp.tools.onPinMismatch === 'block') refusal = 'mcp.tool_pin_mismatch'
    else {
      pinState = 'mismatch_flagged'
      flags.push('mcp.tool_pin_mismatch')
    }
  } else if (compared === 'unpinned' && mcp.tools.unpinned === 'block') refusal = 'mcp.tool_unpinned'
  if (refusal === null && compared !== 'pinned' && mcp.screen.descriptions !== 'off') {
    const outcome = screenTexts(mcpScreen(screen, mcp, 'descriptions'), descriptionTexts(t), t)
    if (outcome === null) {
      if (screen.failMode === 'closed') refusal = 'mcp.screen_unavailable'
    } else if (outcome.decision.verdict === 'block' && outcome.decision.enforced) refusal = 'mcp.tool_poisoned'
    else if (outcome.decision.verdict !== 'allow') flags.push('mcp.tool_poisoned')
  }
  return { name: t.name, pin, pinState, refusal, flags }
}

const MAX_ENTRIES = 4096 // tools remembered per isolate across tenants; oldest dropped first

export interface DefinitionCache {
  get(tenant: string, name: string, nowMs: number, ttlSeconds: number): ToolReview | null
  /** Record a tools/list page; the first page (no cursor) replaces everything known for `tenant`. */
  record(tenant: string, reviews: readonly ToolReview[], nowMs: number, firstPage: boolean): void
  invalidate(tenant: string): void
  /** Whether `tenant` has a complete, fresh list (so a missing tool is really missing). */
  fresh(tenant: string, nowMs: number, ttlSeconds: number): boolean
}

export function createDefinitionCache(): DefinitionCache {
  const tools = new Map<string, ToolReview>()
  const listedAt = new Map<string, number>()
  const key = (tenant: string, name: string) => `${tenant}\n${name}`
  const isFresh = (tenant: string, nowMs: number, ttl: number) => {
    const at = listedAt.get(tenant)
    return at !== undefined && nowMs - at < ttl * 1000
  }
  const invalidate = (tenant: string) => {
    listedAt.delete(tenant)
    for (const k of tools.keys()) if (k.startsWith(`${tenant}\n`)) tools.delete(k)
  }
  return {
    get: (tenant, name, nowMs, ttl) => (isFresh(tenant, nowMs, ttl) ? (tools.get(key(tenant, name)) ?? null) : null),
    fresh: isFresh,
    invalidate,
    record(tenant, reviews, nowMs, firstPage) {
      if (firstPage) invalidate(tenant)
      for (const r of reviews) {
        if (tools.size >= MAX_ENTRIES) tools.delete(tools.keys().next().value as string)
        tools.set(key(tenant, r.name), r)
      }
      if (firstPage) listedAt.set(tenant, nowMs)
    },
  }
}

/** Context-token claims for tools called in one body. */
export function toolClaims(reviews: readonly ToolReview[]): McpContextClaims['tools'] {
  return reviews.map((r) => ({ name: r.name, pin: r.pinState }))
}
