// The block and flag thresholds of the screen, chosen from out-of-fold scores with one criterion used everywhere
// (each fold of the nested evaluation, and `npm run train:screen` for the shipped default): block at most 0.5% of
// every benign source, flag (or block) at most FLAG_BENIGN_BUDGET of benign text on average over sources. The chosen
// raw thresholds become the calibration (gain, offset), so the policy's fixed defaults mean them.
import { DEFAULT_ATTACK_FLAG, DEFAULT_ATTACK_THRESHOLD } from '../../shared/screen/policy-schema.ts'
import type { CorpusRow } from './corpus.ts'

/** Largest share of any one benign source the default policy may block (issue 15: ≤ 0.5% on every source). */
export const BLOCK_FPR_MAX = 0.005
/** Largest mean (over benign sources) share forwarded as flagged or blocked: what the cluster's heavier detectors
 * are asked to look at again. 5% of benign traffic is a load a GPU classifier behind the gateway can take. */
export const FLAG_BENIGN_BUDGET = 0.05
/** Smallest raw-logit gap kept between the flag and block thresholds, so the calibration stays finite. */
const MIN_FLAG_GAP = 0.05

export interface OofScore {
  readonly row: CorpusRow
  /** Raw attack logit (the variant's own scale). */
  readonly attack: number
  /** Raw logit without demoted rules: a block needs both. */
  readonly sure: number
}

export interface Thresholds {
  readonly block: number
  readonly flag: number
}

const logit = (p: number): number => Math.log(p / (1 - p))

function benignBySource(scored: readonly OofScore[]): Map<string, OofScore[]> {
  const by = new Map<string, OofScore[]>()
  for (const s of scored) if (s.row.label === 'benign') by.set(s.row.source, [...(by.get(s.row.source) ?? []), s])
  return by
}

/** Share of `desc` (sorted high to low) at or above t. */
function shareAtOrAbove(desc: readonly number[], t: number): number {
  let lo = 0
  let hi = desc.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (desc[mid]! >= t) lo = mid + 1
    else hi = mid
  }
  return lo / Math.max(1, desc.length)
}

export function chooseThresholds(scored: readonly OofScore[]): Thresholds {
  const sources = [...benignBySource(scored).values()]
  // Blocked iff min(attack, sure) >= block: per source, the threshold that leaves at most floor(0.5% n) rows above.
  let block = Number.NEGATIVE_INFINITY
  for (const xs of sources) {
    const keys = xs.map((s) => Math.min(s.attack, s.sure)).sort((a, b) => b - a)
    const allowed = Math.floor(BLOCK_FPR_MAX * keys.length)
    if (allowed < keys.length) block = Math.max(block, keys[allowed]! + 1e-6)
  }
  if (!Number.isFinite(block)) block = 0
  const desc = sources.map((xs) => xs.map((s) => s.attack).sort((a, b) => b - a))
  const meanShare = (t: number) => desc.reduce((a, d) => a + shareAtOrAbove(d, t), 0) / Math.max(1, desc.length)
  // The lowest candidate within budget: the mean share only falls as the threshold rises.
  const candidates = [...new Set(desc.flat())].sort((a, b) => a - b).map((v) => v + 1e-6)
  let lo = 0
  let hi = candidates.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (meanShare(candidates[mid]!) <= FLAG_BENIGN_BUDGET) hi = mid
    else lo = mid + 1
  }
  // The flag budget is a bound like the block one: when the lowest in-budget flag threshold sits at or above the
  // block threshold (scores tied at a few values: rules alone), the block threshold moves up, never the flag one
  // down, which would flag every text tied below it.
  const flag = candidates[lo] ?? block - MIN_FLAG_GAP
  return { block: Math.max(block, flag + MIN_FLAG_GAP), flag }
}

/** The affine map (gain, offset) that puts `t.block` on the policy's block default and `t.flag` on its flag
 * default, composed after a screen's existing calibration (gain0, offset0). Monotone: the ranking is unchanged. */
export function calibrationFor(
  t: Thresholds,
  existing: { readonly gain: number; readonly offset: number } = { gain: 1, offset: 0 },
): { gain: number; offset: number } {
  const hiTarget = logit(DEFAULT_ATTACK_THRESHOLD)
  const loTarget = logit(DEFAULT_ATTACK_FLAG)
  const a = (hiTarget - loTarget) / (t.block - t.flag)
  const b = hiTarget - a * t.block
  return { gain: a * existing.gain, offset: a * existing.offset + b }
}

/** Calibrated logit of a typical benign text in the shipped screen (p ≈ 0.05): "Hello" must not look like half an
 * attack in a decision log or a Txn-Token. */
const BENIGN_MEDIAN_P = 0.05

/** The shipped calibration: `t.block` lands on the block default and the median benign out-of-fold score on
 * p ≈ 0.05, so scores read naturally; the flag threshold is then wherever `t.flag` lands (written to
 * shared/screen/thresholds.json as the flag default). Same decisions as calibrationFor: only the anchors differ. */
export function shippedCalibration(
  t: Thresholds,
  benign: readonly OofScore[],
): { gain: number; offset: number; flag: number } {
  const sorted = benign.map((s) => s.attack).sort((a, b) => a - b)
  const median = sorted[Math.floor(sorted.length / 2)] ?? t.flag - 1
  const low = Math.min(median, t.flag - MIN_FLAG_GAP)
  const gain = (logit(DEFAULT_ATTACK_THRESHOLD) - logit(BENIGN_MEDIAN_P)) / (t.block - low)
  const offset = logit(DEFAULT_ATTACK_THRESHOLD) - gain * t.block
  return { gain, offset, flag: 1 / (1 + Math.exp(-(gain * t.flag + offset))) }
}
