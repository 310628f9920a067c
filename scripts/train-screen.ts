// Trains the screen's learned model (hashed char n-gram logistic regression) on the dev corpus and writes
// shared/screen/model/screen-model.json; regenerates the confusables table when the `unhomoglyph` package is there.
// The phrase rules and structural detectors enter as a fixed offset, so the model learns what they miss. Then the
// default thresholds: the rule audit on all sources (model/rule-audit.json), and block/flag thresholds chosen on
// leave-one-group-out benign scores (scripts/screen/thresholds.ts), written as the calibration and thresholds.json.
// Usage: npm run train:screen [-- --bits 16 --epochs 12]
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { compileScreen, scanText } from '../shared/screen/engine.ts'
import { featureIndices, lengthNorm, type ModelFile, type ScreenModel } from '../shared/screen/model.ts'
import { normalize } from '../shared/screen/normalize.ts'
import type { ThresholdsFile } from '../shared/screen/policy-schema.ts'
import { DEFAULT_ATTACK_THRESHOLD, screenPolicySchema } from '../shared/screen/policy-schema.ts'
import { demotedMask, type RuleAuditFile } from '../shared/screen/rule-audit.ts'
import { type CorpusRow, groupOf, loadCorpus } from './screen/corpus.ts'
import { progress } from './screen/progress.ts'
import { demotedRules, MAX_BENIGN_FIRE_RATE } from './screen/rule-audit.ts'
import {
  BLOCK_FPR_MAX,
  chooseThresholds,
  FLAG_BENIGN_BUDGET,
  type OofScore,
  shippedCalibration,
} from './screen/thresholds.ts'

export type { CorpusRow } from './screen/corpus.ts'

const here = dirname(fileURLToPath(import.meta.url))
export const MODEL_PATH = resolve(here, '../shared/screen/model/screen-model.json')
const CONFUSABLES_PATH = resolve(here, '../shared/screen/model/confusables.json')
const AUDIT_PATH = resolve(here, '../shared/screen/model/rule-audit.json')
const THRESHOLDS_PATH = resolve(here, '../shared/screen/thresholds.json')

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
export function trainModel(
  examples: readonly Example[],
  opts: TrainOptions = DEFAULT_TRAIN,
  onEpoch: (done: number) => void = () => {},
): ScreenModel {
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
    onEpoch(epoch + 1)
  }
  let max = 1e-9
  for (let i = 0; i < w.length; i++) max = Math.max(max, Math.abs(w[i]!))
  const scale = max / 127
  const q = new Int8Array(w.length)
  for (let i = 0; i < w.length; i++) q[i] = Math.round(w[i]! / scale)
  return { bits: opts.bits, bias: b * opts.shrink, scale: scale * opts.shrink, weights: q, gain: 1, offset: 0 }
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

/** Leave-one-group-out benign scores: each benign row scored by a model trained without its group (sources of one
 * upstream repository), through the full engine with the given rule audit. Attack-only groups need no fold: the
 * thresholds are set by benign scores alone. */
export function outOfGroupBenign(
  rows: readonly CorpusRow[],
  examples: readonly Example[],
  opts: TrainOptions,
  demoted: readonly boolean[],
  onStep: (done: number, detail: string) => void,
): OofScore[] {
  const group = groupOf(rows)
  const groups = [...new Set(rows.filter((r) => r.label === 'benign').map(group))].sort()
  const policy = screenPolicySchema.parse({})
  const out: OofScore[] = []
  groups.forEach((g, k) => {
    const fold = (e: number) =>
      onStep(k * opts.epochs + e, `fold ${k + 1}/${groups.length} (${g}) epoch ${e}/${opts.epochs}`)
    const model = trainModel(
      examples.filter((e) => group(e.row) !== g),
      opts,
      fold,
    )
    const screen = compileScreen(policy, model, demoted)
    for (const row of rows)
      if (row.label === 'benign' && group(row) === g) {
        const r = scanText(screen, row.text)
        out.push({ row, attack: r.attackLogit, sure: r.sureLogit })
      }
  })
  return out
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
  const demoted = demotedRules(rows)
  const examples = featurize(rows, opts.bits)
  const benignGroups = new Set(rows.filter((r) => r.label === 'benign').map(groupOf(rows))).size
  const bar = progress('train:screen', (benignGroups + 1) * opts.epochs)
  const oof = outOfGroupBenign(rows, examples, opts, demotedMask(demoted), (d, detail) => bar.update(d, detail))
  const thresholds = chooseThresholds(oof)
  const final = trainModel(examples, opts, (e) =>
    bar.update(benignGroups * opts.epochs + e, `all rows epoch ${e}/${opts.epochs}`),
  )
  bar.done()
  const { gain, offset, flag } = shippedCalibration(thresholds, oof)
  writeFileSync(MODEL_PATH, `${JSON.stringify(toModelFile({ ...final, gain, offset }))}\n`)
  const audit: RuleAuditFile = { maxBenignFireRate: MAX_BENIGN_FIRE_RATE, demoted }
  writeFileSync(AUDIT_PATH, `${JSON.stringify(audit)}\n`)
  const defaults: ThresholdsFile = {
    attackFlag: Number(flag.toFixed(3)),
    blockFprMax: BLOCK_FPR_MAX,
    flagBudget: FLAG_BENIGN_BUDGET,
  }
  // One line, spaced as biome formats JSON (shared/ is linted; model/ is not).
  const line = Object.entries(defaults).map(([k, v]) => `"${k}": ${JSON.stringify(v)}`)
  writeFileSync(THRESHOLDS_PATH, `{ ${line.join(', ')} }\n`)
  console.log(
    `trained on ${rows.length} rows (${examples.filter((e) => e.y).length} attacks), bits=${opts.bits}; ` +
      `${demoted.length} rules demoted (fire on > ${MAX_BENIGN_FIRE_RATE * 100}% of a benign source); ` +
      `leave-one-group-out thresholds: block raw ${thresholds.block.toFixed(3)} → ${DEFAULT_ATTACK_THRESHOLD}, ` +
      `flag raw ${thresholds.flag.toFixed(3)} → ${defaults.attackFlag}; calibrated ×${gain.toFixed(3)} ` +
      `${offset >= 0 ? '+' : ''}${offset.toFixed(3)}`,
  )
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main()
