// Figures of a nested run: macro over held-out sources and the worst one (a source, not a row, is what a new
// deployment meets), block and flag rates, and the table per source, category and language. Pure over the rows.

import type { CorpusRow } from '../../scripts/screen/corpus.ts'
import { thresholdAtFpr } from '../../scripts/train-screen.ts'
import type { Verdict } from './nested.ts'

export interface Judged {
  readonly row: CorpusRow
  /** Comparable across folds (each fold's own calibration). */
  readonly score: number
  readonly verdict: Verdict
}

/** label, n, blocked, blocked or flagged, at the pooled 1%-FPR threshold */
export type TableRow = [string, number, number, number, number]

const share = (xs: readonly Judged[], f: (j: Judged) => boolean): number => xs.filter(f).length / Math.max(1, xs.length)
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)

function bySource(xs: readonly Judged[]): Judged[][] {
  const by = new Map<string, Judged[]>()
  for (const j of xs) by.set(j.row.source, [...(by.get(j.row.source) ?? []), j])
  return [...by.values()]
}

const blocked = (j: Judged) => j.verdict === 'block'
const caught = (j: Judged) => j.verdict !== 'allow'

/** Metrics named `${prefix}_…`: TPR at the pooled out-of-fold 1% benign threshold (macro over attack sources and
 * the worst), block FPR per benign source (worst and mean), block and block-or-flag recall, flag rate on benign. */
export function summarize(prefix: string, judged: readonly Judged[]): Record<string, number> {
  const attacks = judged.filter((j) => j.row.label === 'attack')
  const benign = judged.filter((j) => j.row.label === 'benign')
  const at1 = thresholdAtFpr(
    benign.map((j) => j.score),
    0.01,
  )
  const at01 = thresholdAtFpr(
    benign.map((j) => j.score),
    0.001,
  )
  const attackSources = bySource(attacks)
  const benignSources = bySource(benign)
  const tpr = attackSources.map((xs) => share(xs, (j) => j.score >= at1))
  const blockFpr = benignSources.map((xs) => share(xs, blocked))
  return {
    [`${prefix}_tpr_at_1pct_fpr`]: mean(tpr),
    [`${prefix}_tpr_at_1pct_fpr_worst`]: Math.min(...tpr),
    [`${prefix}_tpr_at_1pct_fpr_pooled`]: share(attacks, (j) => j.score >= at1),
    [`${prefix}_tpr_at_0_1pct_fpr`]: mean(attackSources.map((xs) => share(xs, (j) => j.score >= at01))),
    [`${prefix}_block_fpr`]: Math.max(...blockFpr),
    [`${prefix}_block_fpr_mean`]: mean(blockFpr),
    [`${prefix}_block_recall`]: mean(attackSources.map((xs) => share(xs, blocked))),
    [`${prefix}_block_recall_worst`]: Math.min(...attackSources.map((xs) => share(xs, blocked))),
    [`${prefix}_block_or_flag_recall`]: mean(attackSources.map((xs) => share(xs, caught))),
    [`${prefix}_flag_rate_benign`]: mean(benignSources.map((xs) => share(xs, (j) => j.verdict === 'flag'))),
    [`${prefix}_flag_or_block_rate_benign`]: mean(benignSources.map((xs) => share(xs, caught))),
  }
}

/** Per source, category and language, attacks and benign apart. */
export function table(judged: readonly Judged[]): TableRow[] {
  const benign = judged.filter((j) => j.row.label === 'benign').map((j) => j.score)
  const at1 = thresholdAtFpr(benign, 0.01)
  const rows: TableRow[] = []
  for (const key of ['source', 'category', 'lang'] as const)
    for (const v of [...new Set(judged.map((j) => j.row[key]))].sort())
      for (const label of ['attack', 'benign'] as const) {
        const xs = judged.filter((j) => j.row[key] === v && j.row.label === label)
        if (xs.length > 0)
          rows.push([
            `${key}=${v} ${label}`,
            xs.length,
            share(xs, blocked),
            share(xs, caught),
            share(xs, (j) => j.score >= at1),
          ])
      }
  return rows
}
