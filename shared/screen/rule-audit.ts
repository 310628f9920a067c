// Which phrase rules may block on their own. `npm run train:screen` measures every rule's firing rate on each
// benign source of the dev corpus and writes the noisy ones to model/rule-audit.json: a rule that fires on more than
// 0.5% of some benign source still adds to the score (and can flag), but a block needs the score without it.
import auditData from './model/rule-audit.json' with { type: 'json' }
import { RULES } from './phrases.ts'

export interface RuleAuditFile {
  /** A rule firing on more than this share of any one benign source is demoted. */
  readonly maxBenignFireRate: number
  /** Ids of the demoted rules (phrases.ts RULES). */
  readonly demoted: readonly string[]
}

/** The audited signals: every phrase rule (RULES order), then the chat-template-token detector, which security
 * pages quote as often as attacks use it. */
export const AUDITED_IDS: readonly string[] = [...RULES.map((r) => r.id), 'template_token']
export const TEMPLATE_AUDIT_INDEX = RULES.length

/** AUDITED_IDS index → demoted, from a list of ids (plus every rule marked flagOnly); an unknown id is an error (a
 * renamed rule must be re-audited). */
export function demotedMask(ids: readonly string[]): readonly boolean[] {
  const known = new Set(AUDITED_IDS)
  for (const id of ids) if (!known.has(id)) throw new RangeError(`rule audit names unknown rule ${id}`)
  const set = new Set(ids)
  return AUDITED_IDS.map((id, i) => set.has(id) || RULES[i]?.flagOnly === true)
}

let shipped: readonly boolean[] | null = null
/** The audit shipped with the model (decoded once per isolate). */
export function shippedDemoted(): readonly boolean[] {
  shipped ??= demotedMask((auditData as RuleAuditFile).demoted)
  return shipped
}
