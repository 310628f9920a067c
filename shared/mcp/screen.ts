// Screening for MCP traffic with the tenant's own engine (shared/screen): the texts of a tools/call's arguments,
// of results coming back (tool content, resource text, structured content, prompt messages) and of tool
// descriptions. Each direction gets the tenant screen policy with the MCP section's actions laid over it, so
// thresholds, tenant rules and role weights stay the tenant's; only what a hit *does* differs per direction.
import { type CompiledScreen, compileScreen, type Role, scanText } from '../screen/engine.ts'
import type { ScreenAction, ScreenPolicy } from '../screen/policy-schema.ts'
import { type CallerText, decide, type JsonObject, type ScanOutcome } from '../screen/request.ts'
import type { ScreenCategory } from '../screen/types.ts'
import type { McpPolicy } from './policy-schema.ts'

export type ScreenDirection = 'arguments' | 'results' | 'descriptions'
type Path = readonly (string | number)[]

const ATTACKS: readonly ScreenCategory[] = ['injection', 'jailbreak', 'extraction', 'exfiltration', 'smuggling']
const MAX_TEXTS = 512 // per message: a result with more strings than this is screened on its first 512
const MIN_TEXT_CHARS = 2 // single characters carry no instruction

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The tenant screen with one direction's MCP actions laid over it; built once per (screen, mcp) policy pair per
 * isolate. Keyed on both: the result depends on the screen policy's thresholds and rules as much as on `mcp`. */
const derived = new WeakMap<ScreenPolicy, WeakMap<McpPolicy, Map<ScreenDirection, CompiledScreen>>>()
export function mcpScreen(screen: ScreenPolicy, mcp: McpPolicy, direction: ScreenDirection): CompiledScreen {
  let byMcp = derived.get(screen)
  if (!byMcp) {
    byMcp = new WeakMap()
    derived.set(screen, byMcp)
  }
  let byDirection = byMcp.get(mcp)
  if (!byDirection) {
    byDirection = new Map()
    byMcp.set(mcp, byDirection)
  }
  const hit = byDirection.get(direction)
  if (hit) return hit
  const actionFor = (c: ScreenCategory): ScreenAction => {
    if (direction === 'arguments') {
      if (c === 'secret') return mcp.screen.arguments.secret
      if (c === 'pii') return mcp.screen.arguments.pii
      if (ATTACKS.includes(c)) return mcp.screen.arguments.attack
      return screen.categories[c].action
    }
    // Results and descriptions: injection aimed at the agent. PII/credentials in results are the tool's
    // business (the agent asked for them); tenant rules keep their own action.
    if (c === 'secret' || c === 'pii') return 'off'
    if (ATTACKS.includes(c)) return direction === 'results' ? mcp.screen.results : mcp.screen.descriptions
    return screen.categories[c].action
  }
  const categories = Object.fromEntries(
    Object.entries(screen.categories).map(([c, spec]) => [c, { ...spec, action: actionFor(c as ScreenCategory) }]),
  ) as ScreenPolicy['categories']
  const compiled = compileScreen({ ...screen, categories })
  byDirection.set(direction, compiled)
  return compiled
}

/** Every string under `value` (depth is already bounded by the parser), with its path. */
function collectStrings(value: unknown, path: Path, role: Role, out: CallerText[]): void {
  if (out.length >= MAX_TEXTS) return
  if (typeof value === 'string') {
    if (value.length >= MIN_TEXT_CHARS) out.push({ path, role, text: value })
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      collectStrings(v, [...path, i], role, out)
    })
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) collectStrings(v, [...path, k], role, out)
  }
}

/** Content blocks of a tool result or prompt message: text, embedded resource text; never image/audio data. */
function contentTexts(blocks: unknown, path: Path, out: CallerText[]): void {
  if (!Array.isArray(blocks)) return
  blocks.forEach((b, i) => {
    if (!isObject(b)) return
    if (typeof b.text === 'string') out.push({ path: [...path, i, 'text'], role: 'tool', text: b.text })
    if (isObject(b.resource) && typeof b.resource.text === 'string')
      out.push({ path: [...path, i, 'resource', 'text'], role: 'tool', text: b.resource.text })
    if (typeof b.description === 'string')
      out.push({ path: [...path, i, 'description'], role: 'tool', text: b.description })
  })
}

/** Texts of a JSON-RPC answer `message` (paths rooted at the message) for the method it answers. */
export function resultTexts(kind: 'tool_result' | 'resource' | 'prompt', message: JsonObject): CallerText[] {
  const out: CallerText[] = []
  const result = message.result
  if (!isObject(result)) return out
  if (kind === 'tool_result') {
    contentTexts(result.content, ['result', 'content'], out)
    collectStrings(result.structuredContent, ['result', 'structuredContent'], 'tool', out)
  } else if (kind === 'resource' && Array.isArray(result.contents)) {
    result.contents.forEach((c, i) => {
      if (isObject(c) && typeof c.text === 'string')
        out.push({ path: ['result', 'contents', i, 'text'], role: 'tool', text: c.text })
    })
  } else if (kind === 'prompt') {
    if (typeof result.description === 'string')
      out.push({ path: ['result', 'description'], role: 'tool', text: result.description })
    if (Array.isArray(result.messages))
      result.messages.forEach((m, i) => {
        if (isObject(m)) contentTexts([m.content], ['result', 'messages', i, 'content'], out)
      })
  }
  return out.slice(0, MAX_TEXTS)
}

/** A tool's description and every description/title inside its input schema (where poisoning also hides). */
export function descriptionTexts(tool: JsonObject): CallerText[] {
  const out: CallerText[] = []
  if (typeof tool.description === 'string') out.push({ path: ['description'], role: 'tool', text: tool.description })
  const walk = (v: unknown, path: Path): void => {
    if (out.length >= MAX_TEXTS) return
    if (Array.isArray(v))
      v.forEach((x, i) => {
        walk(x, [...path, i])
      })
    else if (isObject(v))
      for (const [k, x] of Object.entries(v)) {
        if ((k === 'description' || k === 'title') && typeof x === 'string')
          out.push({ path: [...path, k], role: 'tool', text: x })
        else walk(x, [...path, k])
      }
  }
  walk(tool.inputSchema, ['inputSchema'])
  return out
}

/** tools/call arguments, paths rooted at the request message (so redaction rewrites the forwarded message). */
export function argumentTexts(message: JsonObject): CallerText[] {
  const out: CallerText[] = []
  const params = message.params
  if (isObject(params)) collectStrings(params.arguments, ['params', 'arguments'], 'user', out)
  return out
}

/** Scan texts and apply the compiled direction's actions; `root` is what redaction rewrites (a copy).
 * null when the engine threw: the caller refuses (`screen.failMode: closed`, the default) or passes unscreened. */
export function screenTexts(
  compiled: CompiledScreen,
  texts: readonly CallerText[],
  root: JsonObject,
): ScanOutcome | null {
  try {
    return decide(
      compiled,
      texts,
      texts.map((t) => scanText(compiled, t.text, t.role)),
      root,
    )
  } catch {
    return null
  }
}
