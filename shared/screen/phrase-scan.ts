// The phrase pass of a scan: one walk over the normalised view (view-scan.ts) feeds the automaton's matches into the
// proximity rules (phrases.ts) and the model's n-gram hashing together, and keeps the best window of rule evidence.
// Tenant phrase hits are reported through a callback, so this module knows nothing of results or spans.
import { CONCEPT_NAMES, type CompiledScreen, DISCUSSION_CONCEPTS } from './compile.ts'
import { keywordWeight, logitOfBest } from './model.ts'
import type { NormView } from './normalize.ts'
import { type AttackCategory, RULES } from './phrases.ts'
import { reportMatches, scanView, startViewScan } from './view-scan.ts'

/** Phrase evidence is local: rule weights add up only within a window of this many words (the best window counts),
 * so a long benign document whose sentences each trip one weak rule is not scored as one big attack. Wider than
 * the widest rule gap (40) so a role-play jailbreak's paragraph still adds up. */
const PHRASE_WINDOW_WORDS = 120
/** One pass over the view (view-scan.ts): the model's logit, and the automaton's proximity rules, tenant phrases,
 * allow phrases, rot13 keyword count. */
export function scanPhrases(
  compiled: CompiledScreen,
  view: NormView,
  text: string,
  depth: number,
  onTenant: (rule: number, start: number, end: number) => void,
) {
  // Small plain arrays: a typed-array allocation costs ~1 µs, more than the rest of a short text's scan.
  const lastWord: number[] = new Array<number>(CONCEPT_NAMES.length).fill(-1_000_000)
  const ruleFired: number[] = new Array<number>(RULES.length).fill(0)
  const ruleLast = new Int32Array(RULES.length).fill(-1_000_000)
  const phrase: PhraseSums = { injection: 0, jailbreak: 0, extraction: 0, exfiltration: 0, demoted: 0 }
  let best = 0
  let rot13Mask = 0
  let allow = false
  let first = -1
  const onMatch = (pattern: number, vs: number, ve: number, word: number): void => {
    const i = compiled.info[pattern]!
    if (i.kind === 'concept') {
      lastWord[i.concept] = word
      for (const ri of compiled.conceptRules[i.concept]!) {
        const cs = compiled.ruleConcepts[ri]!
        const other = cs.length === 1 ? i.concept : cs[0] === i.concept ? cs[1]! : cs[0]!
        if (word - lastWord[other]! > RULES[ri]!.gap) continue
        const entering = word - ruleLast[ri]! > PHRASE_WINDOW_WORDS
        ruleLast[ri] = word
        if (!ruleFired[ri]) {
          ruleFired[ri] = 1
          if (first < 0) first = view.origin[vs]!
        }
        if (entering) best = bestWindow(ruleLast, word, best, phrase, compiled.demoted)
      }
    } else if (i.kind === 'rot13') rot13Mask |= 1 << i.concept
    else if (i.kind === 'allow') allow = true
    else if (depth > 0) onTenant(i.rule, 0, text.length)
    else onTenant(i.rule, view.origin[vs]!, Math.min(text.length, view.origin[ve - 1]! + 1))
  }
  const scan = startViewScan(compiled.model)
  do {
    scanView(compiled.automaton, compiled.model, view.text, view.length, scan)
    reportMatches(compiled.automaton, scan, view.text, view.length, onMatch)
  } while (scan.i <= view.length)
  const work = scan.i - scan.word // symbols fed
  let rot13Concepts = 0
  for (let m = rot13Mask; m !== 0; m &= m - 1) rot13Concepts++
  // Negative (everyday-use) rules count once, wherever they fired: they offset, never start, a window. Each offsets
  // its own category only, and never below zero: "password reset" excuses a password question, not an override
  // elsewhere in the text (appending an everyday phrase must not talk an injection down).
  RULES.forEach((rule, k) => {
    if (rule.weight < 0 && ruleFired[k]) phrase[rule.category] = Math.max(0, phrase[rule.category] + rule.weight)
  })
  // Keyword families seen anywhere (any language, presence only, weights ≥ 0): the model's script-independent part.
  let keywords = 0
  if (compiled.model.words)
    for (let c = 0; c < lastWord.length; c++)
      if (lastWord[c]! > -1_000_000) keywords += keywordWeight(compiled.model, c)
  const modelLogit = logitOfBest(compiled.model, scan.best + keywords)
  let discussion = 0
  for (const c of DISCUSSION_CONCEPTS) if (lastWord[c]! > -1_000_000) discussion++
  return { ruleFired, allow, rot13Concepts, first, phrase, modelLogit, discussion, work }
}

/** Per-category phrase logits of the best window, and how much of the injection/jailbreak/extraction part of it
 * came from demoted rules. */
export type PhraseSums = Record<AttackCategory, number> & { demoted: number }

/** A rule just entered the window ending at `word`: if the rules fired within the window outweigh the best window
 * so far, it becomes the best (its per-category sums are written to `phrase`). The set only grows when a rule
 * enters, so checking at entries finds the maximum; entries per rule are at most words / window + 1. */
function bestWindow(
  ruleLast: Int32Array,
  word: number,
  best: number,
  phrase: PhraseSums,
  demoted: readonly boolean[],
): number {
  let total = 0
  const inWindow = (k: number) => word - ruleLast[k]! <= PHRASE_WINDOW_WORDS && RULES[k]!.weight > 0
  for (let k = 0; k < RULES.length; k++) if (inWindow(k)) total += RULES[k]!.weight
  if (total <= best) return best
  phrase.injection = phrase.jailbreak = phrase.extraction = phrase.exfiltration = phrase.demoted = 0
  for (let k = 0; k < RULES.length; k++) {
    if (!inWindow(k)) continue
    const rule = RULES[k]!
    phrase[rule.category] += rule.weight
    if (demoted[k] && rule.category !== 'exfiltration') phrase.demoted += rule.weight
  }
  return total
}
