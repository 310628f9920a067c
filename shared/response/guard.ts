// One answer's guard state: the compiled policy, the request's pseudonyms and fingerprints, one sliding window per
// (choice, field), and the decision being recorded. A window holds back only the tail `holdFrom` names; every
// other char goes out at once, rewritten where a hit says so. Runtime-neutral: the SSE and JSON adapters feed it.
import { type CompiledResponse, type Hit, mayMatch, scanWindow } from './detect.ts'
import { holdFrom, MAX_HOLD_CHARS } from './hold.ts'
import { EchoTracker } from './leak.ts'
import {
  ACTION_SEVERITY,
  MAX_RECORDED_SPANS,
  RESPONSE_CATEGORIES,
  type ResponseAction,
  type ResponseCategory,
  type ResponseDecision,
} from './types.ts'

const NO_HITS: readonly Hit[] = []
const CONTEXT_CHARS = 16 // emitted text kept before a window, so detectors see the boundary a match starts after

export interface RequestMemory {
  /** Placeholder → original value, for this request only. */
  readonly pseudonyms: ReadonlyMap<string, string>
  /** Shingle fingerprints of the request's system/developer text. */
  readonly fingerprints: ReadonlySet<number>
}

export interface Block {
  readonly category: ResponseCategory
  readonly code: (typeof RESPONSE_CATEGORIES)[ResponseCategory]['code']
}

export interface PushOutcome {
  /** Text to send now in place of the delta (may be empty while a match is still possible). */
  readonly text: string
  readonly block: Block | null
}

export class AnswerGuard {
  private readonly windows = new Map<string, TextWindow>()
  private last: TextWindow | null = null
  private readonly enforce: boolean

  constructor(
    readonly compiled: CompiledResponse,
    readonly memory: RequestMemory,
    readonly decision: ResponseDecision,
    opts: { readonly shadowMode: boolean },
  ) {
    this.enforce = !opts.shadowMode
  }

  /** The window of one field (`content`, `refusal`, `tool_calls.0.arguments`, `text`) of one choice. */
  window(choice: number, field: string): TextWindow {
    const last = this.last
    if (last !== null && last.choice === choice && last.field === field) return last // the common case: one choice
    const key = `${choice}\u0000${field}`
    let w = this.windows.get(key)
    if (w === undefined) {
      w = new TextWindow(this, choice, field)
      this.windows.set(key, w)
    }
    this.last = w
    return w
  }

  /** Windows still holding text, for a flush when a choice or the stream ends. */
  pending(choice?: number): TextWindow[] {
    return [...this.windows.values()].filter((w) => w.heldChars > 0 && (choice === undefined || w.choice === choice))
  }

  /** The action a hit gets once policy mode is applied (shadow mode records everything, enforces nothing). */
  effective(hit: Hit): ResponseAction | 'restore' {
    if (hit.action === 'restore' || this.enforce) return hit.action
    return hit.action === 'off' ? 'off' : 'shadow'
  }

  /** Records a hit that reached the caller (or stopped the answer): counts, rule ids and offsets, never text. */
  record(hit: Hit, action: ResponseAction | 'restore', choice: number, field: string, at: number, length: number) {
    const d = this.decision
    if (action === 'restore') {
      d.restored++
      return
    }
    if (hit.category === 'restore' || action === 'off') return
    if (!d.categories.includes(hit.category)) d.categories.push(hit.category)
    if (!d.rules.includes(hit.detection)) d.rules.push(hit.detection)
    if (d.spans.length < MAX_RECORDED_SPANS)
      d.spans.push({ choice, field, start: at, end: at + length, detection: hit.detection, category: hit.category })
    if (action === 'shadow' || (!this.enforce && hit.action !== 'flag')) {
      if (!d.shadowed.includes(hit.category)) d.shadowed.push(hit.category)
      if (hit.action === 'block' && d.code === null) {
        d.code = RESPONSE_CATEGORIES[hit.category].code
        d.enforced = false
      }
      return
    }
    if (action === 'redact') {
      const type = RESPONSE_CATEGORIES[hit.category].placeholder
      d.redactions[type] = (d.redactions[type] ?? 0) + 1
    }
    const verdict = action === 'block' ? 'block' : action === 'redact' ? 'redact' : 'flag'
    if (ACTION_SEVERITY[verdict] > ACTION_SEVERITY[d.verdict === 'allow' ? 'off' : d.verdict]) d.verdict = verdict
    if (action === 'block') d.code = RESPONSE_CATEGORIES[hit.category].code
  }
}

export class TextWindow {
  private context = ''
  private held = ''
  private emitted = 0
  private readonly echo: EchoTracker

  constructor(
    private readonly guard: AnswerGuard,
    readonly choice: number,
    readonly field: string,
  ) {
    this.echo = new EchoTracker(guard.memory.fingerprints)
  }

  get heldChars(): number {
    return this.held.length
  }

  /** Feeds the next delta; `final` (the choice finished, the answer ended) releases everything held. */
  push(delta: string, final: boolean): PushOutcome {
    const g = this.guard
    const c = g.compiled
    const start = this.context.length
    const text = this.context + this.held + delta
    const restoring = g.memory.pseudonyms.size > 0
    let cut = final ? text.length : holdFrom(c, text, start, restoring)
    const hits = mayMatch(c, text, restoring)
      ? scanWindow(c, text, g.memory.pseudonyms).filter((h) => h.start >= start)
      : NO_HITS
    for (const h of hits) {
      if (g.effective(h) !== 'block') continue
      g.record(h, 'block', this.choice, this.field, this.emitted, 0)
      return { text: '', block: blockOf(h) }
    }
    for (const h of hits)
      if (h.end > cut) {
        if (h.start < cut && text.length - h.start <= MAX_HOLD_CHARS) cut = h.start
        break
      }
    let out = ''
    let at = start
    for (const h of hits) {
      if (h.end > cut) break
      const action = g.effective(h)
      const rewrite = action === 'redact' || action === 'restore'
      out += text.slice(at, h.start)
      const piece = rewrite ? h.replacement : text.slice(h.start, h.end)
      g.record(h, action, this.choice, this.field, this.emitted + out.length, piece.length)
      out += piece
      at = h.end
    }
    out += text.slice(at, cut)
    const leak = this.leakCheck(text.slice(start, cut), final)
    if (leak !== null) return leak
    this.held = text.slice(cut)
    this.context = text.slice(Math.max(0, cut - CONTEXT_CHARS), cut)
    this.emitted += out.length
    if (this.held.length > g.decision.heldMax) g.decision.heldMax = this.held.length
    return { text: out, block: null }
  }

  private leakCheck(released: string, final: boolean): PushOutcome | null {
    const g = this.guard
    const policy = g.compiled.policy.leak
    if (policy.action === 'off' || this.echo.feed(released, final) < policy.minChars) return null
    const hit: Hit = {
      start: 0,
      end: 0,
      category: 'leak',
      detection: 'system_prompt_echo',
      action: policy.action,
      replacement: '',
    }
    const action = g.effective(hit)
    if (g.decision.categories.includes('leak') && action !== 'block') return null // recorded once per answer
    g.record(hit, action, this.choice, this.field, this.emitted, 0)
    return action === 'block' ? { text: '', block: blockOf(hit) } : null
  }
}

function blockOf(hit: Hit): Block {
  const category = hit.category as ResponseCategory
  return { category, code: RESPONSE_CATEGORIES[category].code }
}
