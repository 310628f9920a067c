// The phrase-rule audit: which rules fire on which rows (one scan of the rules-only screen per row, cached), each
// rule's firing rate per benign source and recall per attack source, and the demoted set: rules that fire on more
// than 0.5% of some benign source, computed from whatever rows a caller trains on (a fold's, or all for shipping).

import { compileScreen, scanText, TEMPLATE_LOGIT } from '../../shared/screen/engine.ts'
import { RULES } from '../../shared/screen/phrases.ts'
import { screenPolicySchema } from '../../shared/screen/policy-schema.ts'
import { AUDITED_IDS, demotedMask, TEMPLATE_AUDIT_INDEX } from '../../shared/screen/rule-audit.ts'
import { ZERO_MODEL } from '../train-screen.ts'
import type { CorpusRow } from './corpus.ts'

/** A rule firing on more than this share of any one benign source may not block alone (issue 15). */
export const MAX_BENIGN_FIRE_RATE = 0.005

/** Positive-weight rules (negative ones only offset, they never push a text towards a block) and template tokens,
 * as AUDITED_IDS indices. */
const AUDITED = AUDITED_IDS.flatMap((_, i) => (i === TEMPLATE_AUDIT_INDEX || RULES[i]!.weight > 0 ? [i] : []))

const fired = new Map<string, readonly number[]>()

/** AUDITED_IDS indices that fire on each row (the rules do not depend on the model, so once per row per process). */
export function firedRules(rows: readonly CorpusRow[]): (row: CorpusRow) => readonly number[] {
  const screen = compileScreen(screenPolicySchema.parse({}), ZERO_MODEL(8), demotedMask([]))
  for (const r of rows) {
    if (fired.has(r.id)) continue
    const ids = scanText(screen, r.text).rules
    fired.set(
      r.id,
      AUDITED.filter((i) => ids.has(AUDITED_IDS[i]!)),
    )
  }
  return (row) => fired.get(row.id) ?? []
}

export interface RuleStats {
  readonly rule: string
  readonly weight: number
  /** Firing rate on each benign source, and recall on each attack source. */
  readonly benign: Readonly<Record<string, number>>
  readonly attack: Readonly<Record<string, number>>
}

export function ruleStats(rows: readonly CorpusRow[]): RuleStats[] {
  const of = firedRules(rows)
  const count = new Map<string, number>()
  const hits = AUDITED.map(() => new Map<string, number>())
  for (const r of rows) {
    const key = `${r.label}\u0000${r.source}`
    count.set(key, (count.get(key) ?? 0) + 1)
    for (const i of of(r)) {
      const h = hits[AUDITED.indexOf(i)]!
      h.set(key, (h.get(key) ?? 0) + 1)
    }
  }
  return AUDITED.map((i, k) => {
    const rates = (label: string) =>
      Object.fromEntries(
        [...count]
          .filter(([key]) => key.startsWith(`${label}\u0000`))
          .map(([key, n]) => [key.slice(label.length + 1), (hits[k]!.get(key) ?? 0) / n]),
      )
    return {
      rule: AUDITED_IDS[i]!,
      weight: RULES[i]?.weight ?? TEMPLATE_LOGIT,
      benign: rates('benign'),
      attack: rates('attack'),
    }
  })
}

/** Ids of the rules that fire on more than MAX_BENIGN_FIRE_RATE of some benign source among `rows`. */
export function demotedRules(rows: readonly CorpusRow[]): string[] {
  return ruleStats(rows)
    .filter((s) => Object.values(s.benign).some((rate) => rate > MAX_BENIGN_FIRE_RATE))
    .map((s) => s.rule)
}
