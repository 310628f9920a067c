// The one threshold criterion: block at most 0.5% of every benign source (small sources therefore none), flag within
// the mean benign budget, and calibrations that put the chosen thresholds exactly on the policy defaults.
import { describe, expect, it } from 'vitest'
import { DEFAULT_ATTACK_FLAG, DEFAULT_ATTACK_THRESHOLD } from '../../shared/screen/policy-schema.ts'
import type { CorpusRow } from './corpus.ts'
import {
  BLOCK_FPR_MAX,
  calibrationFor,
  chooseThresholds,
  FLAG_BENIGN_BUDGET,
  type OofScore,
  shippedCalibration,
} from './thresholds.ts'

const row = (source: string, label: 'attack' | 'benign', i: number): CorpusRow => ({
  id: `${source}-${i}`,
  text: '',
  label,
  source,
  category: '',
  lang: 'en',
})
/** n benign rows of `source` scoring 0, 1/n, 2/n … (so the top k are known), sure = attack unless given. */
const ramp = (source: string, n: number, top = 1, sure?: number): OofScore[] =>
  Array.from({ length: n }, (_, i) => ({
    row: row(source, 'benign', i),
    attack: (top * i) / n,
    sure: sure ?? (top * i) / n,
  }))
const logit = (p: number) => Math.log(p / (1 - p))
const blockedShare = (xs: readonly OofScore[], t: number) =>
  xs.filter((s) => Math.min(s.attack, s.sure) >= t).length / xs.length

describe('chooseThresholds', () => {
  it.each([
    ['one big source', [ramp('a', 1000)]],
    ['a big and a small source (the small one must block none)', [ramp('a', 1000), ramp('b', 80, 2)]],
    ['three sources on different scales', [ramp('a', 400, 3), ramp('b', 2000), ramp('c', 150, 0.5)]],
  ])('%s: no benign source above BLOCK_FPR_MAX', (_name, sources) => {
    const t = chooseThresholds(sources.flat())
    for (const xs of sources) expect(blockedShare(xs, t.block)).toBeLessThanOrEqual(BLOCK_FPR_MAX)
    expect(t.flag).toBeLessThan(t.block)
  })

  it('is not fooled by a high score whose sure score is low: it does not block, so it does not raise the threshold', () => {
    // 3% of source a score 0.9 on demoted-rule evidence alone (sure 0): they would set the block threshold at 0.9.
    const noisy = ramp('a', 1000, 0, 0).map((s, i) => (i >= 970 ? { ...s, attack: 0.9 } : s))
    const t = chooseThresholds([...noisy, ...ramp('b', 1000, 0.5), ...ramp('c', 1000, 0)])
    expect(t.block).toBeLessThan(0.51)
  })

  it('keeps the flag budget when scores tie (rules alone: most texts score exactly 0)', () => {
    // 1% of each source scores 1, the rest 0: the block threshold may sit just above 0, but a flag threshold below
    // it would flag every text at 0; the block threshold moves up instead.
    const tied = (src: string) => ramp(src, 1000, 0).map((s, i) => (i >= 990 ? { ...s, attack: 1, sure: 0 } : s))
    const scored = [...tied('a'), ...tied('b')]
    const t = chooseThresholds(scored)
    expect(scored.filter((s) => s.attack >= t.flag).length / scored.length).toBeLessThanOrEqual(FLAG_BENIGN_BUDGET)
    expect(t.flag).toBeLessThan(t.block)
  })

  it('flags within the mean benign budget, and not far below it', () => {
    const scored = [...ramp('a', 1000), ...ramp('b', 500, 2)]
    const t = chooseThresholds(scored)
    const share = (src: string) =>
      scored.filter((s) => s.row.source === src && s.attack >= t.flag).length /
      scored.filter((s) => s.row.source === src).length
    const mean = (share('a') + share('b')) / 2
    expect(mean).toBeLessThanOrEqual(FLAG_BENIGN_BUDGET)
    expect(mean).toBeGreaterThan(FLAG_BENIGN_BUDGET - 0.01)
  })
})

describe('calibration', () => {
  const t = { block: 2.4, flag: 0.6 }
  it('calibrationFor maps block and flag exactly onto the policy defaults, after an existing calibration', () => {
    const existing = { gain: 2, offset: -1 }
    const { gain, offset } = calibrationFor(t, existing)
    // t is in the existing calibrated scale: raw x with 2x - 1 = t.block.
    const raw = (v: number) => (v + 1) / 2
    expect(gain * raw(t.block) + offset).toBeCloseTo(logit(DEFAULT_ATTACK_THRESHOLD), 9)
    expect(gain * raw(t.flag) + offset).toBeCloseTo(logit(DEFAULT_ATTACK_FLAG), 9)
  })

  it('shippedCalibration puts block on the default, the benign median at p = 0.05, and reports the flag', () => {
    const benign = ramp('a', 101, 1) // median 0.495, below the flag threshold
    const t = { block: 2.4, flag: 1 }
    const { gain, offset, flag } = shippedCalibration(t, benign)
    expect(gain * t.block + offset).toBeCloseTo(logit(DEFAULT_ATTACK_THRESHOLD), 9)
    expect(gain * benign[50]!.attack + offset).toBeCloseTo(logit(0.05), 9)
    expect(flag).toBeCloseTo(1 / (1 + Math.exp(-(gain * t.flag + offset))), 12)
    expect(flag).toBeGreaterThan(0.05)
    expect(flag).toBeLessThan(DEFAULT_ATTACK_THRESHOLD)
  })
})
