// Trains the screen's learned model (char n-grams + word concepts, scripts/screen/train-model.ts) on the corpus and
// writes shared/screen/model/screen-model.json; regenerates the confusables table when `unhomoglyph` is there.
// The phrase rules and structural detectors enter as a fixed offset, so the model learns what they miss. The whole
// logit is then calibrated (gain and offset) on grouped leave-one-source-out scores, so the policy threshold means
// the same on unseen sources and typical benign text scores low. Usage: npm run train:screen
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { dealGroups } from '../bench/screen/nested.ts'
import { compileScreen, scanText } from '../shared/screen/engine.ts'
import { type ModelFile, makeModel, type ScreenModel } from '../shared/screen/model.ts'
import { DEFAULT_ATTACK_THRESHOLD, screenPolicySchema } from '../shared/screen/policy-schema.ts'
import { type CorpusRow, groupOf, loadCorpus } from './screen/corpus.ts'
import { progress } from './screen/progress.ts'
import { DEFAULT_MODEL, type ModelOptions, SHIPPED_MODEL, trainModel } from './screen/train-model.ts'

const here = dirname(fileURLToPath(import.meta.url))
export const MODEL_PATH = resolve(here, '../shared/screen/model/screen-model.json')
const CONFUSABLES_PATH = resolve(here, '../shared/screen/model/confusables.json')
export const TARGET_BENIGN_FPR = 0.006 // calibrate below the 1% policy target: held-out sources drift

export type { CorpusRow } from './screen/corpus.ts'
export { loadCorpus }
export const DEFAULT_TRAIN: ModelOptions = DEFAULT_MODEL

/** A model that adds nothing: the screen is then the phrase rules and structural detectors alone. */
export const ZERO_MODEL = (bits = DEFAULT_MODEL.bits): ScreenModel =>
  makeModel({
    bits,
    weights: new Int8Array(1 << bits),
    wordBits: DEFAULT_MODEL.wordBits,
    wordWeights: new Int8Array(1 << DEFAULT_MODEL.wordBits),
    bias: 0,
    scale: 0,
    capMin: 0,
    capMax: 0,
    gain: 1,
    offset: 0,
  })

/** The rows themselves: features are computed and cached per row id inside trainModel (train-model.ts). */
export function featurize(rows: readonly CorpusRow[], _bits?: number): readonly CorpusRow[] {
  return rows
}

const ANCHOR_SOURCES: ReadonlySet<string> = new Set(
  'notinject xstest-safe awesome-prompts cse-mitre-frr gsm8k-train cse-frr-ml'.split(' '),
)
const CALIBRATION_FOLDS = 6 // grouped folds for the calibration scores: every group held out once, 7 trainings in all

/** Grouped out-of-fold models: the groups (sources of one upstream repository) dealt into `k` folds, each trained
 * without its fold. Returns, for every source, the model that never saw its group. */
export function leaveOneSourceOut(
  rows: readonly CorpusRow[],
  opts: ModelOptions = DEFAULT_MODEL,
  progress?: (fraction: number) => void,
  k = CALIBRATION_FOLDS,
): Map<string, ScreenModel> {
  const group = groupOf(rows)
  const folds = new Map<string, ScreenModel>()
  const dealt = dealGroups(rows, group, k)
  dealt.forEach((held, f) => {
    const out = new Set(held)
    const model = trainModel(
      rows.filter((r) => !out.has(group(r))),
      opts,
      (x) => progress?.((f + x) / dealt.length),
    )
    for (const r of rows) if (out.has(group(r))) folds.set(r.source, model)
  })
  return folds
}

const base64 = (a: Int8Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64')

export function toModelFile(m: ScreenModel): ModelFile {
  return {
    bits: m.bits,
    wordBits: m.wordBits,
    bias: Number(m.bias.toFixed(6)),
    gain: Number(m.gain.toFixed(6)),
    offset: Number(m.offset.toFixed(6)),
    scale: Number(m.scale.toPrecision(8)),
    capMin: Number(m.capMin.toFixed(6)),
    capMax: Number(m.capMax.toFixed(6)),
    weights: base64(m.weights),
    wordWeights: base64(m.wordWeights),
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
  generateConfusables()
  const rows = loadCorpus()
  // Progress in thousandths of a training: the calibration folds, then the shipped model; fold and epoch shown.
  const STEPS = 1000
  const K = CALIBRATION_FOLDS
  const bar = progress('train:screen', (K + 1) * STEPS)
  const epochOf = (f: number) => `epoch ${Math.min(SHIPPED_MODEL.epochs, 1 + Math.floor(f * SHIPPED_MODEL.epochs))}`
  const folds = leaveOneSourceOut(rows, SHIPPED_MODEL, (f) => {
    const fold = Math.min(K - 1, Math.floor(f * K))
    bar.update(Math.round(f * K * STEPS), `calibration fold ${fold + 1}/${K} ${epochOf(f * K - fold)}`)
  })
  // Interim anchor, until the evaluation's threshold choice (scripts/screen/thresholds.ts) replaces it: the benign
  // sources of the previous 12-source corpus, which the policy defaults and the tests were set on. Over all 26 new
  // benign sources the 0.6% quantile lies inside security documentation that trips every phrase rule at full weight,
  // and the threshold would rise above "ignore all previous instructions".
  const anchor = rows.filter((r) => ANCHOR_SOURCES.has(r.source))
  const { gain, offset } = fitCalibration(outOfFoldBenign(anchor, folds))
  const model = trainModel(rows, SHIPPED_MODEL, (f) =>
    bar.update(Math.round((K + f) * STEPS), `shipped model ${epochOf(f)}`),
  )
  const calibrated = { ...model, gain, offset }
  bar.done()
  writeFileSync(MODEL_PATH, `${JSON.stringify(toModelFile(calibrated))}\n`)
  console.log(
    `trained on ${rows.length} rows (${rows.filter((r) => r.label === 'attack').length} attacks); ` +
      `calibrated ×${gain.toFixed(3)} ${offset >= 0 ? '+' : ''}${offset.toFixed(3)}: threshold ${DEFAULT_ATTACK_THRESHOLD} ≈ ` +
      `${TARGET_BENIGN_FPR * 100}% out-of-fold benign FPR on the anchor sources, benign median at p ≈ 0.05`,
  )
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main()
