// Nested leave-one-group-out evaluation of a screen variant. For each held-out group (all sources of one upstream
// repository): the rule audit, the model and the block/flag thresholds all come from the other groups only — the
// thresholds from inner grouped K-fold out-of-fold scores — and only then is the held-out group scored, through
// the production decision (request.ts decide). So the held-out false-block rate is out of sample too.
import { type CorpusRow, groupOf } from '../../scripts/screen/corpus.ts'
import { demotedRules } from '../../scripts/screen/rule-audit.ts'
import { calibrationFor, chooseThresholds, type OofScore, type Thresholds } from '../../scripts/screen/thresholds.ts'
import { type CompiledScreen, scanText } from '../../shared/screen/engine.ts'
import { DEFAULT_ATTACK_FLAG, DEFAULT_ATTACK_THRESHOLD } from '../../shared/screen/policy-schema.ts'
import { decide } from '../../shared/screen/request.ts'
import { demotedMask } from '../../shared/screen/rule-audit.ts'
import type { ScreenVariant } from './variant.ts'

export type Verdict = 'allow' | 'flag' | 'block'

export interface NestedRow {
  readonly row: CorpusRow
  readonly group: string
  /** Calibrated by the row's own fold (its block threshold at the policy's block default, its flag threshold at the
   * flag default): what the decision log and the Txn-Token would carry. */
  readonly attack: number
  /** The same score before the fold's calibration: the raw logit (phrase rules + model), on one scale in every
   * fold. Ranking figures (TPR at 1% FPR) pool the folds on this, as one deployment ranks texts by its one monotone
   * calibration of it; pooling calibrated scores would mix each fold's own affine map into the ranking. */
  readonly rank: number
  readonly verdict: Verdict
  /** The learned model alone, calibrated the same way from its own in-fold thresholds, and raw. */
  readonly model: number
  readonly modelRank: number
  readonly modelVerdict: Verdict
}

export interface FoldRecord {
  readonly held: readonly string[]
  readonly thresholds: Thresholds
  readonly modelThresholds: Thresholds
  readonly demoted: readonly string[]
}

export interface NestedRun {
  readonly variant: string
  readonly rows: NestedRow[]
  readonly folds: FoldRecord[]
  /** Held-out group → the calibrated screen that scored it (for the evasion and long-document passes). */
  readonly screens: Map<string, CompiledScreen>
}

export interface NestedOptions {
  /** Outer folds: lists of held-out groups. */
  readonly outer: readonly (readonly string[])[]
  readonly innerK: number
  /** Called after every training (outer folds × (innerK + 1) per variant). */
  readonly tick: (detail: string) => void
}

/** Groups dealt into k folds of similar row count (largest first, each to the lightest fold): deterministic. */
export function dealGroups(rows: readonly CorpusRow[], group: (r: CorpusRow) => string, k: number): string[][] {
  const size = new Map<string, number>()
  for (const r of rows) size.set(group(r), (size.get(group(r)) ?? 0) + 1)
  const folds = Array.from({ length: k }, () => ({ groups: [] as string[], n: 0 }))
  for (const [g, n] of [...size].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
    const lightest = folds.reduce((m, f) => (f.n < m.n ? f : m))
    lightest.groups.push(g)
    lightest.n += n
  }
  return folds.map((f) => f.groups).filter((g) => g.length > 0)
}

interface RawScore {
  readonly attack: number
  readonly sure: number
  readonly model: number
}

const raw = (screen: CompiledScreen, text: string): RawScore => {
  const r = scanText(screen, text)
  return { attack: r.attackLogit, sure: r.sureLogit, model: r.modelLogit }
}

const withAudit = (s: CompiledScreen, demoted: readonly boolean[]): CompiledScreen => ({ ...s, demoted })
const recalibrated = (s: CompiledScreen, t: Thresholds): CompiledScreen => ({
  ...s,
  model: { ...s.model, ...calibrationFor(t, s.model) },
})

const BLOCK_LOGIT = Math.log(DEFAULT_ATTACK_THRESHOLD / (1 - DEFAULT_ATTACK_THRESHOLD))
const FLAG_LOGIT = Math.log(DEFAULT_ATTACK_FLAG / (1 - DEFAULT_ATTACK_FLAG))

/** The default policy's verdict for one user message, as the gateway would reach it. */
export function verdictOf(screen: CompiledScreen, text: string): { verdict: Verdict; attack: number; model: number } {
  const r = scanText(screen, text)
  const { decision } = decide(screen, [{ path: ['messages', 0, 'content'], role: 'user', text }], [r], null)
  const blocked = decision.verdict === 'block' && decision.enforced
  // A redaction (PII) can hide a flag in the one-word verdict: the attack score says whether it was flagged.
  const flagged = !blocked && (decision.verdict === 'flag' || (decision.attackScore ?? 0) >= DEFAULT_ATTACK_FLAG)
  return { verdict: blocked ? 'block' : flagged ? 'flag' : 'allow', attack: r.attackLogit, model: r.modelLogit }
}

export function runNested(rows: readonly CorpusRow[], variant: ScreenVariant, opts: NestedOptions): NestedRun {
  const group = groupOf(rows)
  const out: NestedRow[] = []
  const folds: FoldRecord[] = []
  const screens = new Map<string, CompiledScreen>()
  opts.outer.forEach((held, f) => {
    const heldSet = new Set(held)
    const train = rows.filter((r) => !heldSet.has(group(r)))
    const demoted = demotedRules(train)
    const mask = demotedMask(demoted)
    const oof = new Map<string, RawScore>()
    // The thresholds depend on benign scores only, so the inner folds deal out the groups with benign rows and
    // score those; attack-only groups stay in every inner training set.
    const benignTrain = train.filter((r) => r.label === 'benign')
    dealGroups(benignTrain, group, opts.innerK).forEach((inner, k) => {
      const innerSet = new Set(inner)
      const innerTrain = train.filter((r) => !innerSet.has(group(r)))
      // The audit is tuned too: the inner held-out groups' noisy rules are not demoted for them, exactly as a
      // held-out group's are not for it, so the block threshold learns what an unseen source's sure score looks like.
      const screen = withAudit(variant.train(innerTrain), demotedMask(demotedRules(innerTrain)))
      for (const r of benignTrain) if (innerSet.has(group(r))) oof.set(r.id, raw(screen, r.text))
      opts.tick(`${variant.name} fold ${f + 1}/${opts.outer.length} inner ${k + 1}/${opts.innerK}`)
    })
    const scored = (pick: (s: RawScore) => OofScore['attack'], sure: (s: RawScore) => number): OofScore[] =>
      benignTrain.map((row) => {
        const s = oof.get(row.id)!
        return { row, attack: pick(s), sure: sure(s) }
      })
    const thresholds = chooseThresholds(
      scored(
        (s) => s.attack,
        (s) => s.sure,
      ),
    )
    const modelThresholds = chooseThresholds(
      scored(
        (s) => s.model,
        (s) => s.model,
      ),
    )
    const model = calibrationFor(modelThresholds)
    const screen = recalibrated(withAudit(variant.train(train), mask), thresholds)
    opts.tick(`${variant.name} fold ${f + 1}/${opts.outer.length} outer`)
    for (const g of held) screens.set(g, screen)
    for (const row of rows) {
      if (!heldSet.has(group(row))) continue
      const { verdict, attack, model: modelLogit } = verdictOf(screen, row.text)
      const m = model.gain * modelLogit + model.offset
      const modelVerdict: Verdict = m >= BLOCK_LOGIT ? 'block' : m >= FLAG_LOGIT ? 'flag' : 'allow'
      const rank = (attack - screen.model.offset) / screen.model.gain
      out.push({ row, group: group(row), attack, rank, verdict, model: m, modelRank: modelLogit, modelVerdict })
    }
    folds.push({ held, thresholds, modelThresholds, demoted })
  })
  return { variant: variant.name, rows: out, folds, screens }
}
