// Compiling a screen policy: one Aho-Corasick automaton over the built-in phrase families (and their rot13 forms),
// the tenant's phrases and allow phrases, plus the tenant regexes and the model. Done once per policy object per
// isolate; the scan (engine.ts) only reads the result.
import { Automaton, type AutomatonPattern } from './automaton.ts'
import { rot13 } from './decode.ts'
import { type ScreenModel, shippedModel } from './model.ts'
import { normalize } from './normalize.ts'
import { CONCEPTS, type Concept, DISCUSSION_FAMILIES, RULES } from './phrases.ts'
import type { ScreenPolicy, TenantRule } from './policy-schema.ts'
import { shippedDemoted } from './rule-audit.ts'

export type PatternInfo =
  | { kind: 'concept'; concept: number }
  | { kind: 'rot13'; concept: number }
  | { kind: 'tenant'; rule: number }
  | { kind: 'allow' }

export interface CompiledScreen {
  readonly policy: ScreenPolicy
  readonly model: ScreenModel
  readonly automaton: Automaton
  readonly info: readonly PatternInfo[]
  readonly conceptRules: readonly (readonly number[])[]
  readonly ruleConcepts: readonly (readonly number[])[]
  readonly tenantRegexes: readonly { readonly rule: number; readonly regex: RegExp }[]
  readonly pii: ReadonlySet<string>
  /** Audited signal (RULES index, then template tokens) → fires too often on benign text to block alone (rule-audit.ts). */
  readonly demoted: readonly boolean[]
}

export const CONCEPT_NAMES = Object.keys(CONCEPTS) as Concept[]
const DISCUSSION: ReadonlySet<Concept> = new Set(DISCUSSION_FAMILIES)
/** CONCEPT_NAMES indices of the discussion families. */
export const DISCUSSION_CONCEPTS: readonly number[] = DISCUSSION_FAMILIES.map((c) => CONCEPT_NAMES.indexOf(c))

/** Phrase → automaton pattern: normalised exactly like caller text, spaces dropped. */
function toPattern(phrase: string): AutomatonPattern | null {
  const v = normalize(phrase)
  let text = ''
  for (let i = 0; i < v.length; i++) if (v.text[i] !== 32) text += String.fromCharCode(v.text[i]!)
  if (text.length === 0 || text.length > 120) return null
  const latin = /^[a-z0-9\u0400-\u04ff]/.test(text)
  return { text, wordStart: latin, wordEnd: latin && text.length <= 4 }
}

const cache = new WeakMap<ScreenPolicy, CompiledScreen>()

/** Builds (once per policy object per isolate) everything the scan needs. */
export function compileScreen(
  policy: ScreenPolicy,
  model: ScreenModel = shippedModel(),
  demoted: readonly boolean[] = shippedDemoted(),
): CompiledScreen {
  const hit = cache.get(policy)
  if (hit && hit.model === model && hit.demoted === demoted) return hit
  const patterns: AutomatonPattern[] = []
  const info: PatternInfo[] = []
  const add = (phrase: string, i: PatternInfo): void => {
    const p = toPattern(phrase)
    if (p) {
      patterns.push(p)
      info.push(i)
    }
  }
  CONCEPT_NAMES.forEach((name, concept) => {
    for (const kw of CONCEPTS[name]) {
      add(kw, { kind: 'concept', concept })
      // rot13 copies flag rot13 text for decoding; discussion words are not attack vocabulary.
      if (!DISCUSSION.has(name) && /^[a-z ]{5,}$/.test(kw)) add(rot13(kw), { kind: 'rot13', concept })
    }
  })
  policy.rules.forEach((r: TenantRule, rule) => {
    for (const ph of r.phrases) add(ph, { kind: 'tenant', rule })
  })
  for (const ph of policy.allowPhrases) add(ph, { kind: 'allow' })
  const ruleConcepts = RULES.map((r) => r.concepts.map((c) => CONCEPT_NAMES.indexOf(c)))
  const conceptRules = CONCEPT_NAMES.map((_, c) => RULES.flatMap((_r, i) => (ruleConcepts[i]!.includes(c) ? [i] : [])))
  const tenantRegexes = policy.rules.flatMap((r, rule) =>
    r.patterns.map((p) => ({ rule, regex: new RegExp(p, 'giu') })),
  )
  const compiled: CompiledScreen = {
    policy,
    model,
    automaton: new Automaton(patterns),
    info,
    conceptRules,
    ruleConcepts,
    tenantRegexes,
    pii: new Set(policy.pii),
    demoted,
  }
  cache.set(policy, compiled)
  return compiled
}
