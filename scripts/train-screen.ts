// Trains the screen's learned model (scripts/screen/train-model.ts: char n-grams, optionally word concepts) on the
// dev corpus and writes shared/screen/model/screen-model.json; regenerates the confusables table when the `unhomoglyph` package is there.
// The phrase rules and structural detectors enter as a fixed offset, so the model learns what they miss. Then the
// default thresholds: the rule audit on all sources (model/rule-audit.json), and block/flag thresholds chosen on
// leave-one-group-out benign scores (scripts/screen/thresholds.ts), written as the calibration and thresholds.json.
// Usage: npm run train:screen [-- --epochs 3]
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { compileScreen, scanText } from '../shared/screen/engine.ts'
import { type ModelFile, makeModel, type ScreenModel } from '../shared/screen/model.ts'
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
import { DEFAULT_MODEL, type ModelOptions, SHIPPED_MODEL, trainModel } from './screen/train-model.ts'

export type { CorpusRow } from './screen/corpus.ts'

const here = dirname(fileURLToPath(import.meta.url))
export const MODEL_PATH = resolve(here, '../shared/screen/model/screen-model.json')
const CONFUSABLES_PATH = resolve(here, '../shared/screen/model/confusables.json')
const AUDIT_PATH = resolve(here, '../shared/screen/model/rule-audit.json')
const THRESHOLDS_PATH = resolve(here, '../shared/screen/thresholds.json')

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
 * upstream repository), through the full engine with the rule audit of the other groups too (a group's own noisy
 * rules are not demoted for it, as for a source never seen). Attack-only groups need no fold: the thresholds are
 * set by benign scores alone. */
export function outOfGroupBenign(
  rows: readonly CorpusRow[],
  opts: ModelOptions,
  onStep: (done: number, detail: string) => void,
): OofScore[] {
  const group = groupOf(rows)
  const groups = [...new Set(rows.filter((r) => r.label === 'benign').map(group))].sort()
  const policy = screenPolicySchema.parse({})
  const out: OofScore[] = []
  groups.forEach((g, k) => {
    const fold = (f: number) => {
      const e = Math.min(opts.epochs, 1 + Math.floor(f * opts.epochs))
      onStep(k * opts.epochs + f * opts.epochs, `fold ${k + 1}/${groups.length} (${g}) epoch ${e}/${opts.epochs}`)
    }
    const train = rows.filter((r) => group(r) !== g)
    const screen = compileScreen(policy, trainModel(train, opts, fold), demotedMask(demotedRules(train)))
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
  const opts: ModelOptions = { ...SHIPPED_MODEL, epochs: opt('epochs', SHIPPED_MODEL.epochs) }
  generateConfusables()
  const rows = loadCorpus()
  const demoted = demotedRules(rows)
  const benignGroups = new Set(rows.filter((r) => r.label === 'benign').map(groupOf(rows))).size
  const bar = progress('train:screen', (benignGroups + 1) * opts.epochs)
  const oof = outOfGroupBenign(rows, opts, (d, detail) => bar.update(d, detail))
  const thresholds = chooseThresholds(oof)
  const final = trainModel(rows, opts, (f) =>
    bar.update(
      benignGroups * opts.epochs + f * opts.epochs,
      `all rows epoch ${Math.min(opts.epochs, 1 + Math.floor(f * opts.epochs))}/${opts.epochs}`,
    ),
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
    `trained on ${rows.length} rows (${rows.filter((r) => r.label === 'attack').length} attacks), bits=${opts.bits}; ` +
      `${demoted.length} rules demoted (fire on > ${MAX_BENIGN_FIRE_RATE * 100}% of a benign source); ` +
      `leave-one-group-out thresholds: block raw ${thresholds.block.toFixed(3)} → ${DEFAULT_ATTACK_THRESHOLD}, ` +
      `flag raw ${thresholds.flag.toFixed(3)} → ${defaults.attackFlag}; calibrated ×${gain.toFixed(3)} ` +
      `${offset >= 0 ? '+' : ''}${offset.toFixed(3)}`,
  )
  // The flag default is part of the policy schema and its README reference: regenerate both, in fresh processes
  // (this one imported the old thresholds.json), so a retrain never leaves them stale.
  const tsx = resolve(here, '../node_modules/.bin/tsx')
  for (const script of ['build-policies.ts', 'policy/docs.ts']) {
    const r = spawnSync(tsx, [resolve(here, script)], { stdio: ['ignore', 'ignore', 'inherit'] })
    if (r.status !== 0) {
      console.error(`train:screen: scripts/${script} failed; run it by hand before committing`)
      process.exitCode = 1
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main()
