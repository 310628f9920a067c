// Quality half of the screen bench: leave-one-source-out (each source scored by a model trained without it,
// calibrated exactly like the shipped one), ROC points, the default policy's block rates, per category and
// language, and the same again after every evasion transform.

import { loadCorpus } from '../../scripts/screen/corpus.ts'
import {
  type CorpusRow,
  DEFAULT_TRAIN,
  featurize,
  fitCalibration,
  leaveOneSourceOut,
  outOfFoldBenign,
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

/** Long benign documents (4–20 KB) made of consecutive benign rows of one source, as production prompts are long
 * documents: each is scored by the fold that never saw its source. `attack` is set when an attack row of another
 * source is spliced into the middle (an indirect injection inside a document). */
export function longDocuments(
  rows: readonly CorpusRow[],
  count = 120,
): { source: string; text: string; attack?: CorpusRow }[] {
  const docs: { source: string; text: string; attack?: CorpusRow }[] = []
  const bySource = new Map<string, CorpusRow[]>()
  for (const r of rows) if (r.label === 'benign') bySource.set(r.source, [...(bySource.get(r.source) ?? []), r])
  const sources = [...bySource.keys()].sort()
  const attacks = rows.filter((r) => r.label === 'attack')
  let cursor = 0
  for (let d = 0; d < count && sources.length > 0; d++) {
    const source = sources[d % sources.length]!
    const pool = bySource.get(source)!
    const size = 4096 + ((d * 7919) % 16384) // 4–20 KB, spread deterministically
    const parts: string[] = []
    let len = 0
    for (let k = 0; len < size && k < pool.length; k++) {
      const t = pool[(cursor + k) % pool.length]!.text
      parts.push(t)
      len += t.length + 2
    }
    cursor += parts.length
    docs.push({ source, text: parts.join('\n\n') })
    const attack = attacks[(d * 131) % Math.max(1, attacks.length)]
    if (attack) {
      const mid = Math.floor(parts.length / 2)
      docs.push({
        source: attack.source,
        text: [...parts.slice(0, mid), attack.text, ...parts.slice(mid)].join('\n\n'),
        attack,
      })
    }
  }
  return docs
}

const rate = (xs: readonly Scored[], f: (s: Scored) => boolean): number => xs.filter(f).length / Math.max(1, xs.length)

export function benchQuality(log: (line: string) => void = () => {}): QualityReport {
  const rows = loadCorpus()
  const examples = featurize(rows, DEFAULT_TRAIN.bits)
  log(`training ${new Set(rows.map((r) => r.source)).size} leave-one-source-out folds…`)
  const raw = leaveOneSourceOut(examples, DEFAULT_TRAIN)
  // Calibrate the folds exactly as the shipped model is calibrated: one affine map fitted on out-of-fold benign scores.
  const { gain, offset } = fitCalibration(outOfFoldBenign(rows, raw))
  const folds = new Map([...raw].map(([k, m]) => [k, { ...m, gain, offset }]))
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
  const docs = longDocuments(rows).map((d) => {
    const screen = compileScreen(policy, folds.get(d.source)!)
    const { decision } = scanRequest(screen, 'chat', { messages: [{ role: 'user', content: d.text }] })
    return {
      source: d.source,
      attack: d.attack !== undefined,
      blocked: decision.verdict === 'block' && decision.enforced,
    }
  })
  const longBenign = docs.filter((d) => !d.attack)
  const longAttack = docs.filter((d) => d.attack)
  const blockRate = (xs: readonly { blocked: boolean }[]) => xs.filter((x) => x.blocked).length / Math.max(1, xs.length)
  table.push(['long benign document (4-20 KB)', longBenign.length, blockRate(longBenign), NaN])
  for (const source of [...new Set(longBenign.map((d) => d.source))].sort()) {
    const xs = longBenign.filter((d) => d.source === source)
    table.push([`long benign document source=${source}`, xs.length, blockRate(xs), NaN])
  }
  table.push(['long document + spliced attack', longAttack.length, blockRate(longAttack), NaN])
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
      screen_long_benign_block_fpr: blockRate(longBenign),
      screen_long_spliced_attack_tpr: blockRate(longAttack),
    },
    rows: table,
  }
}
