// Trains the screen's learned model (hashed char n-gram logistic regression) on the dev corpus and writes
// shared/screen/model/screen-model.json; regenerates the confusables table when the `unhomoglyph` package is there.
// The phrase rules and structural detectors enter as a fixed offset, so the model learns what they miss. The bias
// is then calibrated (gain and offset) on leave-one-source-out scores, so the policy threshold means the same on
// unseen sources and typical benign text scores low.
// Usage: npm run train:screen [-- --bits 16 --epochs 12]
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { compileScreen, scanText } from '../shared/screen/engine.ts'
import { featureIndices, lengthNorm, type ModelFile, type ScreenModel } from '../shared/screen/model.ts'
import { normalize } from '../shared/screen/normalize.ts'
import { DEFAULT_ATTACK_THRESHOLD, screenPolicySchema } from '../shared/screen/policy-schema.ts'
import { type CorpusRow, loadCorpus } from './screen/corpus.ts'

export type { CorpusRow } from './screen/corpus.ts'

const here = dirname(fileURLToPath(import.meta.url))
export const MODEL_PATH = resolve(here, '../shared/screen/model/screen-model.json')
const CONFUSABLES_PATH = resolve(here, '../shared/screen/model/confusables.json')
export const TARGET_BENIGN_FPR = 0.006 // calibrate below the 1% policy target: held-out sources drift

export interface Example {
  readonly row: CorpusRow
  readonly y: 0 | 1
  readonly idx: Int32Array
  readonly value: number
  /** Logit from phrase rules + structural detectors (the model's fixed offset). */
  readonly offset: number
}

/** A model that adds nothing: the screen is then the phrase rules and structural detectors alone. */
export const ZERO_MODEL = (bits: number): ScreenModel => ({
  bits,
  bias: 0,
  scale: 0,
  weights: new Int8Array(1 << bits),
  gain: 1,
  offset: 0,
})

export function featurize(rows: readonly CorpusRow[], bits: number): Example[] {
  const screen = compileScreen(screenPolicySchema.parse({}), ZERO_MODEL(bits))
  return rows.map((row) => {
    const v = normalize(row.text)
    const idx = featureIndices(v.text, v.length, bits)
    const offset = Math.max(-8, Math.min(8, scanText(screen, row.text).attackLogit))
    return { row, y: row.label === 'attack' ? 1 : 0, idx, value: lengthNorm(idx.length), offset }
  })
}

export interface TrainOptions {
  bits: number
  epochs: number
  rate: number
  l2: number
  seed: number
  /** 0: every row weighs the same; 1: every source weighs the same within its class. */
  balance: number
  /** Multiplier on the learned part of the logit: leave-one-source-out showed the phrase rules transfer to unseen
   * sources better than the n-grams do, so the model is a damped residual on top of them. */
  shrink: number
}
export const DEFAULT_TRAIN: TrainOptions = {
  bits: 16,
  epochs: 8,
  rate: 0.02,
  l2: 3e-3,
  seed: 7,
  balance: 1,
  shrink: 0.25,
}

/** Class-balanced logistic regression, AdaGrad SGD over shuffled examples, then int8 quantisation. */
export function trainModel(examples: readonly Example[], opts: TrainOptions = DEFAULT_TRAIN): ScreenModel {
  const w = new Float64Array(1 << opts.bits)
  const g2 = new Float64Array(1 << opts.bits).fill(1e-8)
  let b = 0
  let gb = 1e-8
  // Every source weighs the same within its class, and both classes weigh the same: one big source (640
  // in-the-wild jailbreaks) must not teach the model that "long English role-play" is the attack signal.
  const perSource = new Map<string, number>()
  for (const e of examples) perSource.set(e.row.source, (perSource.get(e.row.source) ?? 0) + 1)
  const sourcesOf = (y: number) => new Set(examples.filter((e) => e.y === y).map((e) => e.row.source)).size
  const classSources = [sourcesOf(0), sourcesOf(1)]
  const weightOf = (e: Example): number =>
    (examples.length / (2 * classSources[e.y]! * perSource.get(e.row.source)!)) ** opts.balance
  let seed = opts.seed
  const rand = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
    return seed / 2 ** 32
  }
  const order = examples.map((_, i) => i)
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1))
      ;[order[i], order[j]] = [order[j]!, order[i]!]
    }
    for (const k of order) {
      const e = examples[k]!
      let z = b + e.offset
      for (let i = 0; i < e.idx.length; i++) z += w[e.idx[i]!]! * e.value
      const grad = (1 / (1 + Math.exp(-z)) - e.y) * weightOf(e)
      for (let i = 0; i < e.idx.length; i++) {
        const h = e.idx[i]!
        const g = grad * e.value + opts.l2 * w[h]!
        g2[h] = g2[h]! + g * g
        w[h] = w[h]! - (opts.rate * g) / Math.sqrt(g2[h]!)
      }
      gb += grad * grad
      b -= (opts.rate * grad) / Math.sqrt(gb)
    }
  }
  let max = 1e-9
  for (let i = 0; i < w.length; i++) max = Math.max(max, Math.abs(w[i]!))
  const scale = max / 127
  const q = new Int8Array(w.length)
  for (let i = 0; i < w.length; i++) q[i] = Math.round(w[i]! / scale)
  return { bits: opts.bits, bias: b * opts.shrink, scale: scale * opts.shrink, weights: q, gain: 1, offset: 0 }
}

/** Leave-one-source-out: for each source, train on the others and score it. Returns out-of-fold logits by row id. */
export function leaveOneSourceOut(
  examples: readonly Example[],
  opts: TrainOptions = DEFAULT_TRAIN,
): Map<string, ScreenModel> {
  const folds = new Map<string, ScreenModel>()
  for (const source of new Set(examples.map((e) => e.row.source)))
    folds.set(
      source,
      trainModel(
        examples.filter((e) => e.row.source !== source),
        opts,
      ),
    )
  return folds
}

export function toModelFile(m: ScreenModel): ModelFile {
  return {
    bits: m.bits,
    bias: Number(m.bias.toFixed(6)),
    gain: Number(m.gain.toFixed(6)),
    offset: Number(m.offset.toFixed(6)),
    scale: Number(m.scale.toPrecision(8)),
    weights: Buffer.from(m.weights.buffer, m.weights.byteOffset, m.weights.byteLength).toString('base64'),
  }
}

/** The logit threshold at which at most `fpr` of the benign logits are at or above it. */
export function thresholdAtFpr(benign: readonly number[], fpr: number): number {
  const sorted = [...benign].sort((a, b) => b - a)
  const k = Math.floor(fpr * sorted.length)
  return (sorted[k] ?? -10) + 1e-6
}

/** Calibrated logit of a typical benign text (p ≈ 0.05): "Hello" must not look like half an attack. */
export const BENIGN_MEDIAN_LOGIT = Math.log(0.05 / 0.95)
const MAX_GAIN = 4 // stretch at most 4x: a wider benign spread means the scores already separate

/** Affine calibration from raw out-of-fold benign logits: the TARGET_BENIGN_FPR quantile lands on the policy
 * threshold and the benign median on BENIGN_MEDIAN_LOGIT. Monotone, so it changes no ranking (ROC), only what
 * the threshold means. */
export function fitCalibration(benignRaw: readonly number[]): { gain: number; offset: number } {
  const target = Math.log(DEFAULT_ATTACK_THRESHOLD / (1 - DEFAULT_ATTACK_THRESHOLD))
  const high = thresholdAtFpr(benignRaw, TARGET_BENIGN_FPR)
  const sorted = [...benignRaw].sort((a, b) => a - b)
  const median = sorted[Math.floor(sorted.length / 2)] ?? high - 1
  const gain = Math.min(MAX_GAIN, Math.max(1, (target - BENIGN_MEDIAN_LOGIT) / Math.max(1e-6, high - median)))
  return { gain, offset: target - gain * high }
}

/** Raw attack logits of every benign row through the full engine, each scored by the fold that never saw its source. */
export function outOfFoldBenign(rows: readonly CorpusRow[], folds: ReadonlyMap<string, ScreenModel>): number[] {
  const policy = screenPolicySchema.parse({})
  return rows
    .filter((r) => r.label === 'benign')
    .map((r) => scanText(compileScreen(policy, folds.get(r.source)!), r.text).attackLogit)
}

/** Unicode confusables (via the unhomoglyph package's copy of confusables.txt) → single Latin letters. */
function generateConfusables(): void {
  let data: Record<string, string>
  try {
    data = createRequire(import.meta.url)('unhomoglyph/data.json') as Record<string, string>
  } catch {
    console.log('unhomoglyph not installed: keeping the committed confusables table')
    return
  }
  let from = ''
  let to = ''
  for (const [k, v] of Object.entries(data)) {
    if ([...k].length !== 1 || k.codePointAt(0)! < 128) continue
    const t = v.toLowerCase()
    const nfkd = k.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase()
    if (!/^[a-z]$/.test(t) || /^[a-z0-9]$/.test(nfkd)) continue
    from += k
    to += t
  }
  const note = 'unhomoglyph data.json (Unicode confusables.txt), MIT / Unicode License'
  writeFileSync(CONFUSABLES_PATH, `${JSON.stringify({ source: note, from, to })}\n`)
}

function main(): void {
  const args = process.argv.slice(2)
  const opt = (name: string, def: number): number => {
    const i = args.indexOf(`--${name}`)
    return i >= 0 ? Number(args[i + 1]) : def
  }
  const opts: TrainOptions = {
    ...DEFAULT_TRAIN,
    bits: opt('bits', DEFAULT_TRAIN.bits),
    epochs: opt('epochs', DEFAULT_TRAIN.epochs),
  }
  generateConfusables()
  const rows = loadCorpus()
  const examples = featurize(rows, opts.bits)
  const folds = leaveOneSourceOut(examples, opts)
  const { gain, offset } = fitCalibration(outOfFoldBenign(rows, folds))
  const calibrated = { ...trainModel(examples, opts), gain, offset }
  writeFileSync(MODEL_PATH, `${JSON.stringify(toModelFile(calibrated))}\n`)
  console.log(
    `trained on ${rows.length} rows (${examples.filter((e) => e.y).length} attacks), bits=${opts.bits}; ` +
      `calibrated ×${gain.toFixed(3)} ${offset >= 0 ? '+' : ''}${offset.toFixed(3)}: threshold ${DEFAULT_ATTACK_THRESHOLD} ≈ ` +
      `${TARGET_BENIGN_FPR * 100}% LOSO benign FPR, benign median at p ≈ 0.05`,
  )
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main()
