// Quality half of the screen bench: leave-one-source-out (each source scored by a model trained without it,
// calibrated exactly like the shipped one), ROC points, the default policy's block rates, per category and
// language, and the same again after every evasion transform.

import {
  type CorpusRow,
  DEFAULT_TRAIN,
  featurize,
  leaveOneSourceOut,
  loadCorpus,
  TARGET_BENIGN_FPR,
  thresholdAtFpr,
} from '../../scripts/train-screen.ts'
import { compileScreen, scanText } from '../../shared/screen/engine.ts'
import type { ScreenModel } from '../../shared/screen/model.ts'
import { screenPolicySchema } from '../../shared/screen/policy-schema.ts'
import { scanRequest } from '../../shared/screen/request.ts'
import { EVASIONS } from './evasions.ts'

export interface Scored {
  readonly row: CorpusRow
  readonly logit: number
  readonly blocked: boolean
}

export interface QualityReport {
  readonly metrics: Record<string, number>
  readonly rows: [string, number, number, number][] // label, n, block rate, TPR@1%FPR-threshold rate
}

const policy = screenPolicySchema.parse({})
const logitOf = (p: number): number => Math.log(p / (1 - p))
const DEFAULT_LOGIT = logitOf(policy.categories.injection.threshold)

/** TPR at the logit threshold where `fpr` of benign rows score at or above it. */
export function tprAtFpr(scored: readonly Scored[], fpr: number): { tpr: number; threshold: number } {
  const threshold = thresholdAtFpr(
    scored.filter((s) => s.row.label === 'benign').map((s) => s.logit),
    fpr,
  )
  const attacks = scored.filter((s) => s.row.label === 'attack')
  return { tpr: attacks.filter((s) => s.logit >= threshold).length / Math.max(1, attacks.length), threshold }
}

function scoreAll(
  rows: readonly CorpusRow[],
  folds: ReadonlyMap<string, ScreenModel>,
  texts?: readonly string[],
): Scored[] {
  return rows.map((row, i) => {
    const screen = compileScreen(policy, folds.get(row.source)!)
    const text = texts?.[i] ?? row.text
    const { decision } = scanRequest(screen, 'chat', { messages: [{ role: 'user', content: text }] })
    const blocked = decision.verdict === 'block' && decision.enforced
    return { row, logit: scanText(screen, text).attackLogit, blocked }
  })
}

const rate = (xs: readonly Scored[], f: (s: Scored) => boolean): number => xs.filter(f).length / Math.max(1, xs.length)

export function benchQuality(log: (line: string) => void = () => {}): QualityReport {
  const rows = loadCorpus()
  const examples = featurize(rows, DEFAULT_TRAIN.bits)
  log(`training ${new Set(rows.map((r) => r.source)).size} leave-one-source-out folds…`)
  const raw = leaveOneSourceOut(examples, DEFAULT_TRAIN)
  // Calibrate the folds exactly as the shipped model is calibrated: one bias shift from out-of-fold benign scores.
  const first = scoreAll(rows, raw)
  const shift =
    DEFAULT_LOGIT -
    thresholdAtFpr(
      first.filter((s) => s.row.label === 'benign').map((s) => s.logit),
      TARGET_BENIGN_FPR,
    )
  const folds = new Map([...raw].map(([k, m]) => [k, { ...m, bias: m.bias + shift }]))
  const scored = scoreAll(rows, folds)
  const at1 = tprAtFpr(scored, 0.01)
  const at01 = tprAtFpr(scored, 0.001)
  const attacks = scored.filter((s) => s.row.label === 'attack')
  const benign = scored.filter((s) => s.row.label === 'benign')
  const hard = benign.filter((s) => s.row.category === 'hard-negative')
  const heldoutTpr = rate(attacks, (s) => s.blocked)
  const table: QualityReport['rows'] = []
  const group = (label: string, xs: readonly Scored[]) =>
    table.push([label, xs.length, rate(xs, (s) => s.blocked), rate(xs, (s) => s.logit >= at1.threshold)])
  for (const key of ['source', 'category', 'lang'] as const)
    for (const v of [...new Set(rows.map((r) => r[key]))].sort())
      for (const label of ['attack', 'benign'] as const) {
        const xs = scored.filter((s) => s.row[key] === v && s.row.label === label)
        if (xs.length > 0) group(`${key}=${v} ${label}`, xs)
      }
  const evasionTpr: number[] = []
  const evasionFpr: number[] = []
  for (const [name, transform] of Object.entries(EVASIONS)) {
    const ev = scoreAll(
      rows,
      folds,
      rows.map((r) => transform(r.text)),
    )
    const evAttacks = ev.filter((s) => s.row.label === 'attack')
    const evBenign = ev.filter((s) => s.row.label === 'benign')
    evasionTpr.push(rate(evAttacks, (s) => s.blocked))
    evasionFpr.push(rate(evBenign, (s) => s.blocked))
    table.push([`evasion=${name} attack`, evAttacks.length, evasionTpr.at(-1)!, NaN])
    table.push([`evasion=${name} benign`, evBenign.length, evasionFpr.at(-1)!, NaN])
  }
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
  return {
    metrics: {
      screen_tpr_at_1pct_fpr: at1.tpr,
      screen_tpr_at_0_1pct_fpr: at01.tpr,
      screen_block_fpr: rate(benign, (s) => s.blocked),
      screen_block_fpr_hard_negative: rate(hard, (s) => s.blocked),
      screen_heldout_tpr: heldoutTpr,
      screen_evasion_tpr_drop: heldoutTpr - mean(evasionTpr),
      screen_evasion_worst_tpr_drop: heldoutTpr - Math.min(...evasionTpr),
      screen_evasion_block_fpr: mean(evasionFpr),
    },
    rows: table,
  }
}
