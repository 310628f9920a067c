// Trains the screen's learned model (char n-grams + word concepts, scripts/screen/train-model.ts) on the corpus and
// writes shared/screen/model/screen-model.json; regenerates the confusables table when `unhomoglyph` is there.
// The phrase rules and structural detectors enter as a fixed offset, so the model learns what they miss. The whole
// logit is then calibrated (gain and offset) on grouped leave-one-source-out scores, so the policy threshold means
// the same on unseen sources and typical benign text scores low. Usage: npm run train:screen
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { compileScreen, scanText } from '../shared/screen/engine.ts'
import type { ModelFile, ScreenModel } from '../shared/screen/model.ts'
import { DEFAULT_ATTACK_THRESHOLD, screenPolicySchema } from '../shared/screen/policy-schema.ts'
import { groupOf } from './screen/groups.ts'
import { type CorpusRow, loadRows } from './screen/rows.ts'
import { DEFAULT_MODEL, type ModelOptions, trainModel } from './screen/train-model.ts'

const here = dirname(fileURLToPath(import.meta.url))
export const MODEL_PATH = resolve(here, '../shared/screen/model/screen-model.json')
const CONFUSABLES_PATH = resolve(here, '../shared/screen/model/confusables.json')
export const TARGET_BENIGN_FPR = 0.006 // calibrate below the 1% policy target: held-out sources drift

export type { CorpusRow }
export const loadCorpus = (): CorpusRow[] => loadRows()
export const DEFAULT_TRAIN: ModelOptions = DEFAULT_MODEL

/** The rows themselves: features are computed and cached per row id inside trainModel (train-model.ts). */
export function featurize(rows: readonly CorpusRow[], _bits?: number): readonly CorpusRow[] {
  return rows
}

/** Grouped leave-one-source-out: sources of one upstream repository are held out together. Returns, for every
 * source, the model trained without its group. */
export function leaveOneSourceOut(
  rows: readonly CorpusRow[],
  opts: ModelOptions = DEFAULT_MODEL,
  progress?: (fraction: number) => void,
): Map<string, ScreenModel> {
  const groups = [...new Set(rows.map((r) => groupOf(r.source)))]
  const folds = new Map<string, ScreenModel>()
  groups.forEach((g, k) => {
    const model = trainModel(
      rows.filter((r) => groupOf(r.source) !== g),
      opts,
      (f) => progress?.((k + f) / groups.length),
    )
    for (const r of rows) if (groupOf(r.source) === g) folds.set(r.source, model)
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

/** Progress on stderr: a rewritten line on a TTY, a plain line every 10% otherwise. */
function reporter(label: string): (fraction: number) => void {
  const t0 = Date.now()
  let shown = -1
  return (f) => {
    const pct = Math.floor(f * 100)
    const eta = f > 0 ? ((Date.now() - t0) / f) * (1 - f) : 0
    const line = `${label} ${pct}% (ETA ${(eta / 1000).toFixed(0)} s)`
    if (process.stderr.isTTY) process.stderr.write(`\r${line}   ${f >= 1 ? '\n' : ''}`)
    else if (Math.floor(pct / 10) > shown || f >= 1) {
      shown = Math.floor(pct / 10)
      process.stderr.write(`${line}\n`)
    }
  }
}

function main(): void {
  generateConfusables()
  const rows = loadCorpus()
  const folds = leaveOneSourceOut(rows, DEFAULT_MODEL, reporter('calibration folds'))
  const { gain, offset } = fitCalibration(outOfFoldBenign(rows, folds))
  const calibrated = { ...trainModel(rows, DEFAULT_MODEL, reporter('shipped model')), gain, offset }
  writeFileSync(MODEL_PATH, `${JSON.stringify(toModelFile(calibrated))}\n`)
  console.log(
    `trained on ${rows.length} rows (${rows.filter((r) => r.label === 'attack').length} attacks); ` +
      `calibrated ×${gain.toFixed(3)} ${offset >= 0 ? '+' : ''}${offset.toFixed(3)}: threshold ${DEFAULT_ATTACK_THRESHOLD} ≈ ` +
      `${TARGET_BENIGN_FPR * 100}% LOSO benign FPR, benign median at p ≈ 0.05`,
  )
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main()
