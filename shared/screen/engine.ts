// The screen engine: score texts against a compiled policy (compile.ts: automaton over built-in + tenant phrases,
// tenant regexes, model). One normalise pass, one automaton pass, one model pass over the view; decoders rescan encoded payloads
// under a depth and byte budget. Pure: no Workers or Node globals, so the Worker, CLI and bench share it.

import type { Role } from '../request/texts.ts'
import { SCREEN_CATEGORIES } from './categories.ts'
import { decodeChildren } from './children.ts'
import type { CompiledScreen } from './compile.ts'
import { findExfiltration, findTemplateTokens, smugglingScore } from './detectors.ts'
import { calibrate } from './model.ts'
import { normalize } from './normalize.ts'
import { scanPhrases } from './phrase-scan.ts'
import { type AttackCategory, discussionDiscount, RULES } from './phrases.ts'
import { type Finding, findPii } from './pii.ts'
import { TEMPLATE_AUDIT_INDEX } from './rule-audit.ts'
import { findSecrets } from './secrets.ts'
import type { DetectionSpan, ScreenCategory } from './types.ts'

export { type CompiledScreen, compileScreen } from './compile.ts'
export type { Role }

/** Every category, in the table's order (shared/screen/categories.ts). */
export const CATEGORIES: readonly ScreenCategory[] = SCREEN_CATEGORIES

export const TEMPLATE_LOGIT = 2.5 // a chat-template token in caller text is an injection attempt on its own
const SMUGGLING_LOGIT = 0 // hidden channels are reported as smuggling; the text is judged on what they hide
const MAX_SPANS = 64
const ROT13_MIN_CONCEPTS = 2 // distinct keyword concepts seen in rot13 before the text is decoded and rescanned
const MAX_PHRASE_LOGIT = 6 // phrase evidence saturates: more rules add nothing beyond this

export interface TextResult {
  readonly scores: Record<ScreenCategory, number>
  /** Attack logit before role weighting (for the bench's ROC): the calibrated combination of the parts below. */
  attackLogit: number
  /** The parts, raw (uncalibrated), so the bench can rank by each alone: the learned model's logit, and the phrase
   * rules' best-window logit plus structural markers (template tokens). Not counting decoded children. */
  modelLogit: number
  phraseLogit: number
  /** attackLogit without the rules that may not block alone (compiled.demoted), and its role-weighted probability:
   * a block needs this to reach the threshold too (request.ts decide). */
  sureLogit: number
  sureScore: number
  readonly rules: Set<string>
  readonly spans: DetectionSpan[]
  /** PII and credential findings on the original text (redaction targets). */
  readonly findings: Finding[]
  /** Indices of tenant rules that matched. */
  readonly tenantHits: Set<number>
  /** Units of work done (chars normalised, symbols fed, n-grams, bytes decoded): the linear-time guard. */
  work: number
}

const SEND_CHANNEL_RULE = RULES.findIndex((x) => x.id === 'send_channel')

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x))

export function emptyResult(): TextResult {
  // A literal in CATEGORIES order (Object.fromEntries cost more than a 4 KB scan's PII pass).
  const scores: Record<ScreenCategory, number> = {
    injection: 0,
    jailbreak: 0,
    extraction: 0,
    exfiltration: 0,
    smuggling: 0,
    pii: 0,
    secret: 0,
    tenant_rule: 0,
  }
  return {
    scores,
    attackLogit: -10,
    modelLogit: 0,
    phraseLogit: 0,
    sureLogit: -10,
    sureScore: 0,
    rules: new Set(),
    spans: [],
    findings: [],
    tenantHits: new Set(),
    work: 0,
  }
}

function pushSpan(r: TextResult, span: DetectionSpan): void {
  if (r.spans.length < MAX_SPANS) r.spans.push(span)
}

interface Budget {
  decoded: number
}

/** Scores one caller text. `role` scales attack odds by the policy's role weight. */
export function scanText(compiled: CompiledScreen, text: string, role: Role = 'user'): TextResult {
  const result = emptyResult()
  scanInto(compiled, text, 0, { decoded: 2 * text.length + 4096 }, result)
  const w = compiled.policy.roles[role]
  const weigh = (p: number): number => (p > 0 && w !== 1 ? (p * w) / (p * w + 1 - p) : p)
  for (const c of ['injection', 'jailbreak', 'extraction', 'exfiltration'] as const)
    result.scores[c] = weigh(result.scores[c])
  result.sureScore = weigh(sigmoid(result.sureLogit))
  return result
}

/** Scans `text` (original, or a decoded payload at depth > 0) and merges its scores into `r`. */
export function scanInto(compiled: CompiledScreen, text: string, depth: number, budget: Budget, r: TextResult): number {
  const view = normalize(text, depth)
  r.work += text.length
  const { ruleFired, allow, rot13Concepts, first, phrase, modelLogit, discussion, work } = scanPhrases(
    compiled,
    view,
    text,
    depth,
    (rule, start, end) => tenantHit(compiled, r, rule, start, end),
  )
  r.work += work
  RULES.forEach((rule, i) => {
    if (ruleFired[i]) r.rules.add(rule.id)
  })
  if (discussion > 1) r.rules.add('discussion')
  const phraseSum = phrase.injection + phrase.jailbreak + phrase.extraction
  const discount = discussionDiscount(discussion)
  let phraseLogit = Math.min(MAX_PHRASE_LOGIT, phraseSum) - discount
  let surePhrase = Math.min(MAX_PHRASE_LOGIT, phraseSum - phrase.demoted) - discount
  r.work += view.length
  const templates = findTemplateTokens(text)
  if (templates.length > 0) {
    phraseLogit += TEMPLATE_LOGIT
    if (!compiled.demoted[TEMPLATE_AUDIT_INDEX]) surePhrase += TEMPLATE_LOGIT
    r.rules.add('template_token')
  }
  let logit = modelLogit + phraseLogit
  if (depth === 0) {
    r.modelLogit = modelLogit
    r.phraseLogit = phraseLogit
  }
  const smuggling = smugglingScore(view.signals, view.tagText.length)
  if (smuggling.score >= 0.8) logit += SMUGGLING_LOGIT
  const sure = calibrate(compiled.model, logit - phraseLogit + surePhrase)
  logit = calibrate(compiled.model, logit)
  if (smuggling.score > 0) {
    r.scores.smuggling = Math.max(r.scores.smuggling, smuggling.score)
    r.rules.add(smuggling.detection)
    if (depth === 0)
      pushSpan(r, {
        start: 0,
        end: text.length,
        detection: smuggling.detection,
        detection_type: 'smuggling',
        score: smuggling.score,
      })
  }
  // Children: encoded payloads decoded and rescanned; their attack probability counts for the parent.
  const childP =
    depth < compiled.policy.maxDecodeDepth
      ? decodeChildren(compiled, text, view, depth, budget, r, rot13Concepts >= ROT13_MIN_CONCEPTS)
      : 0
  const p = allow ? 0 : Math.max(sigmoid(logit), childP)
  if (depth === 0)
    r.attackLogit = allow ? -10 : Math.max(logit, childP > 0 ? Math.log(childP / (1 - childP + 1e-9)) : -10)
  // A decoded payload is sure only by its own sure score (children.ts merges it in): wrapping a text in base64
  // must not turn demoted rules into sure ones.
  r.sureLogit = allow ? -10 : Math.max(sure, r.sureLogit)
  const main: AttackCategory =
    phrase.extraction > Math.max(phrase.injection, phrase.jailbreak)
      ? 'extraction'
      : phrase.jailbreak > phrase.injection || (phrase.injection === 0 && view.length > 400 && templates.length === 0)
        ? 'jailbreak'
        : 'injection'
  r.scores[main] = Math.max(r.scores[main], p)
  // "Send it to this URL" is phrase evidence like the rest: it may raise the exfiltration score only as far as the
  // sure part of the attack logit goes (send_channel itself is demoted by the audit: security pages and agent
  // instructions say it too), so noisy rules cannot block through the exfiltration category either.
  if (ruleFired[SEND_CHANNEL_RULE]) r.scores.exfiltration = Math.max(r.scores.exfiltration, allow ? 0 : sigmoid(sure))
  if (depth === 0) {
    const where = Math.max(first, 0)
    if (p >= 0.5) pushSpan(r, { start: where, end: text.length, detection: main, detection_type: main, score: p })
    for (const f of templates)
      pushSpan(r, { start: f.start, end: f.end, detection: f.type, detection_type: 'injection', score: 1 })
    for (const f of findExfiltration(text)) {
      r.scores.exfiltration = Math.max(r.scores.exfiltration, f.score)
      r.rules.add(f.type)
      pushSpan(r, { start: f.start, end: f.end, detection: f.type, detection_type: 'exfiltration', score: f.score })
    }
    for (const f of findPii(text, compiled.pii, view.signals)) addFinding(r, f, 'pii')
    for (const f of findSecrets(text)) addFinding(r, f, 'secret')
    tenantPatterns(compiled, text, r)
    r.work += text.length
  }
  return p
}

function addFinding(r: TextResult, f: Finding, category: 'pii' | 'secret'): void {
  r.findings.push(f)
  r.scores[category] = Math.max(r.scores[category], f.score)
  r.rules.add(`${category}.${f.type}`)
  pushSpan(r, { start: f.start, end: f.end, detection: f.type, detection_type: category, score: f.score })
}

const MAX_REGEX_MATCHES = 64

function tenantPatterns(compiled: CompiledScreen, text: string, r: TextResult): void {
  for (const { rule, regex } of compiled.tenantRegexes) {
    regex.lastIndex = 0
    let m = regex.exec(text)
    for (let k = 0; m !== null && k < MAX_REGEX_MATCHES; k++) {
      tenantHit(compiled, r, rule, m.index, m.index + m[0].length)
      if (m[0].length === 0) regex.lastIndex++
      m = regex.exec(text)
    }
  }
}

export function tenantHit(compiled: CompiledScreen, r: TextResult, rule: number, start: number, end: number): void {
  const spec = compiled.policy.rules[rule]!
  if (!r.tenantHits.has(rule)) pushSpan(r, { start, end, detection: spec.id, detection_type: spec.category, score: 1 })
  r.tenantHits.add(rule)
  r.rules.add(spec.id)
}
