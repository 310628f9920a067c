// Request level: find every piece of caller-controlled text in an OpenAI request (chat messages of every role incl.
// tool results and client system prompts, text parts, tool-call arguments, tool descriptions, completion prompts,
// embedding inputs), scan each, and turn the per-category scores into the policy's verdict and a redacted body.
import { CATEGORIES, type CompiledScreen, type Role, scanText, type TextResult } from './engine.ts'
import type { ScreenAction } from './policy-schema.ts'
import type { DetectionSpan, ScreenCategory, ScreenDecision } from './types.ts'

export type Endpoint = 'chat' | 'completions' | 'embeddings' | 'models'
export type JsonObject = { [key: string]: unknown }
type Path = readonly (string | number)[]

export interface CallerText {
  readonly path: Path
  readonly role: Role
  readonly text: string
}

const ROLES = new Set<string>(['system', 'developer', 'user', 'assistant', 'tool'])
const roleOf = (v: unknown): Role =>
  typeof v === 'string' && ROLES.has(v) ? (v as Role) : v === 'function' ? 'tool' : 'user'
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Every caller-controlled string the screen must see, with where it lives in the body. */
export function callerTexts(endpoint: Endpoint, json: JsonObject): CallerText[] {
  const out: CallerText[] = []
  const str = (path: Path, role: Role, v: unknown): void => {
    if (typeof v === 'string' && v.length > 0) out.push({ path, role, text: v })
  }
  if (endpoint === 'chat') {
    const messages = Array.isArray(json.messages) ? json.messages : []
    messages.forEach((m, i) => {
      if (!isObject(m)) return
      const role = roleOf(m.role)
      if (typeof m.content === 'string') str(['messages', i, 'content'], role, m.content)
      else if (Array.isArray(m.content))
        m.content.forEach((part, k) => {
          if (isObject(part)) str(['messages', i, 'content', k, 'text'], role, part.text)
        })
      if (Array.isArray(m.tool_calls))
        m.tool_calls.forEach((call, k) => {
          if (isObject(call) && isObject(call.function))
            str(['messages', i, 'tool_calls', k, 'function', 'arguments'], role, call.function.arguments)
        })
      if (isObject(m.function_call)) str(['messages', i, 'function_call', 'arguments'], role, m.function_call.arguments)
    })
    const tools = Array.isArray(json.tools) ? json.tools : []
    tools.forEach((t, k) => {
      if (isObject(t) && isObject(t.function))
        str(['tools', k, 'function', 'description'], 'developer', t.function.description)
    })
  } else if (endpoint === 'completions' || endpoint === 'embeddings') {
    const key = endpoint === 'completions' ? 'prompt' : 'input'
    const v = json[key]
    if (typeof v === 'string') str([key], 'user', v)
    else if (Array.isArray(v))
      v.forEach((s, k) => {
        str([key, k], 'user', s)
      })
    if (endpoint === 'completions') str(['suffix'], 'user', json.suffix)
  }
  return out
}

const SEVERITY: Record<ScreenAction, number> = { off: 0, shadow: 1, flag: 2, redact: 3, block: 4 }
const ATTACK: readonly ScreenCategory[] = ['injection', 'jailbreak', 'extraction', 'exfiltration']
/** Categories scored from the phrase rules: a block there needs the score without the demoted (noisy) rules too. */
const PHRASE_SCORED: ReadonlySet<ScreenCategory> = new Set(['injection', 'jailbreak', 'extraction'])

export interface ScanOutcome {
  readonly decision: ScreenDecision
  /** The body with redactions applied, or null when nothing was redacted. */
  readonly redacted: JsonObject | null
  /** Category whose block decided the verdict (error code screen.<category>), if any. */
  readonly blockCategory: ScreenCategory | null
  /** Categories that fired under a shadow action (recorded, not enforced). */
  readonly shadowed: readonly ScreenCategory[]
}

/** Scans a request body and applies the policy. Never includes raw text in the decision. */
export function scanRequest(compiled: CompiledScreen, endpoint: Endpoint, json: JsonObject): ScanOutcome {
  const texts = callerTexts(endpoint, json)
  const results = texts.map((t) => scanText(compiled, t.text, t.role))
  return decide(compiled, texts, results, json)
}

export function decide(
  compiled: CompiledScreen,
  texts: readonly CallerText[],
  results: readonly TextResult[],
  json: JsonObject | null,
): ScanOutcome {
  const policy = compiled.policy
  const scores = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<ScreenCategory, number>
  const actions = new Map<ScreenCategory, ScreenAction>()
  const raise = (c: ScreenCategory, a: ScreenAction): void => {
    if (SEVERITY[a] > SEVERITY[actions.get(c) ?? 'off']) actions.set(c, a)
  }
  const rules = new Set<string>()
  const spans: DetectionSpan[] = []
  results.forEach((r, i) => {
    for (const c of CATEGORIES) scores[c] = Math.max(scores[c], r.scores[c])
    for (const id of r.rules) rules.add(id)
    for (const s of r.spans) if (spans.length < 64) spans.push({ ...s, path: texts[i]!.path.join('.') })
    for (const k of r.tenantHits) {
      const rule = policy.rules[k]!
      scores[rule.category] = Math.max(scores[rule.category], 1)
      raise(rule.category, rule.shadow ? 'shadow' : rule.action)
    }
  })
  // Block only when sure: a score that reaches the threshold only through rules that fire on > 0.5% of some benign
  // source (rule-audit.ts) is flagged, so the cluster's heavier detectors decide.
  const sure = results.reduce((m, r) => Math.max(m, r.sureScore), 0)
  for (const c of CATEGORIES) {
    const spec = policy.categories[c]
    if (c === 'tenant_rule' || spec.action === 'off') continue
    if (scores[c] >= spec.threshold)
      raise(c, spec.action === 'block' && PHRASE_SCORED.has(c) && sure < spec.threshold ? 'flag' : spec.action)
    else if (spec.flag != null && scores[c] >= spec.flag && SEVERITY[spec.action] > SEVERITY.flag) raise(c, 'flag')
  }
  let top: ScreenAction = 'off'
  let blockCategory: ScreenCategory | null = null
  const shadowed: ScreenCategory[] = []
  for (const c of CATEGORIES) {
    const a = actions.get(c)
    if (a === undefined) continue
    if (a === 'shadow') shadowed.push(c)
    if (SEVERITY[a] > SEVERITY[top]) top = a
    if (a === 'block' && (blockCategory === null || scores[c] > scores[blockCategory])) blockCategory = c
  }
  const { redacted, redactions } =
    top === 'redact' ? redact(compiled, texts, results, actions, json) : { redacted: null, redactions: {} }
  const enforcedVerdict = top === 'block' ? 'block' : top === 'redact' ? 'redact' : top === 'flag' ? 'flag' : 'allow'
  const onlyShadow = enforcedVerdict === 'allow' && shadowed.length > 0
  const decision: ScreenDecision = {
    verdict: onlyShadow ? 'block' : enforcedVerdict,
    enforced: !onlyShadow,
    score: Math.max(...CATEGORIES.map((c) => scores[c])),
    attackScore: Math.max(...ATTACK.map((c) => scores[c])),
    categories: CATEGORIES.filter((c) => actions.has(c)),
    rules: [...rules].sort(),
    redactions,
    spans,
    shadowed,
    texts: texts.length,
  }
  return { decision, redacted, blockCategory, shadowed }
}

const PLACEHOLDER: Record<string, string> = { ip: 'IP_ADDRESS' }

/** Replaces redact-action spans with typed placeholders ([EMAIL_1]); equal values share a placeholder. */
function redact(
  compiled: CompiledScreen,
  texts: readonly CallerText[],
  results: readonly TextResult[],
  actions: ReadonlyMap<ScreenCategory, ScreenAction>,
  json: JsonObject | null,
): { redacted: JsonObject | null; redactions: Record<string, number> } {
  if (json === null) return { redacted: null, redactions: {} }
  const body = structuredClone(json)
  const counters: Record<string, number> = {}
  const redactions: Record<string, number> = {}
  const seen = new Map<string, string>()
  results.forEach((r, i) => {
    const text = texts[i]!.text
    const targets: { start: number; end: number; type: string }[] = []
    for (const f of r.findings) {
      const cat: ScreenCategory = f.type in PLACEHOLDER || compiled.pii.has(f.type) ? 'pii' : 'secret'
      if (actions.get(cat) === 'redact')
        targets.push({
          start: f.start,
          end: f.end,
          type: cat === 'secret' ? 'SECRET' : (PLACEHOLDER[f.type] ?? f.type.toUpperCase()),
        })
    }
    for (const c of ['injection', 'jailbreak', 'extraction', 'exfiltration', 'smuggling', 'tenant_rule'] as const)
      if (actions.get(c) === 'redact' && r.scores[c] >= compiled.policy.categories[c].threshold)
        targets.push({ start: 0, end: text.length, type: c.toUpperCase() })
    if (targets.length === 0) return
    targets.sort((a, b) => a.start - b.start || b.end - a.end)
    let out = ''
    let at = 0
    for (const t of targets) {
      if (t.start < at) continue
      const value = `${t.type}\u0000${text.slice(t.start, t.end)}`
      let ph = seen.get(value)
      if (ph === undefined) {
        counters[t.type] = (counters[t.type] ?? 0) + 1
        ph = `[${t.type}_${counters[t.type]}]`
        seen.set(value, ph)
      }
      redactions[t.type] = (redactions[t.type] ?? 0) + 1
      out += text.slice(at, t.start) + ph
      at = t.end
    }
    setAt(body, texts[i]!.path, out + text.slice(at))
  })
  return { redacted: body, redactions }
}

function setAt(root: JsonObject, path: Path, value: string): void {
  let node: unknown = root
  for (let k = 0; k < path.length - 1; k++) node = (node as Record<string | number, unknown>)[path[k]!]
  ;(node as Record<string | number, unknown>)[path[path.length - 1]!] = value
}
