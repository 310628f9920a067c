// The screen variants the nested evaluation compares: the phrase rules alone, and today's hashed char n-gram model
// on top of them (scripts/train-screen.ts), trained on a capped sample per (source, lang, label) cell so that one
// training takes ~1-2 s and the nested loop (~170 trainings) fits the bench budget. Add a variant here.
import type { CorpusRow } from '../../scripts/screen/corpus.ts'
import { DEFAULT_TRAIN, type Example, featurize, trainModel, ZERO_MODEL } from '../../scripts/train-screen.ts'
import { type CompiledScreen, compileScreen } from '../../shared/screen/engine.ts'
import { screenPolicySchema } from '../../shared/screen/policy-schema.ts'
import type { ScreenVariant } from './variant.ts'

/** Rows per (source, lang, label) cell in one training: 26k rows at 8 epochs took ~8 s per training on this VM;
 * 120 per cell (~4.5k rows) at 4 epochs ~1 s, and small cells (most non-English ones) stay whole. */
export const CELL_CAP = 120
export const NESTED_EPOCHS = 4

/** FNV-1a of the row id: a deterministic, order-free pick of which rows of a big cell are kept. */
function idHash(id: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193)
  return h >>> 0
}

/** At most `cap` rows of every (source, lang, label) cell, chosen by id hash, in input order. */
export function capCells(rows: readonly CorpusRow[], cap: number): CorpusRow[] {
  const cells = new Map<string, CorpusRow[]>()
  for (const r of rows) {
    const key = `${r.source}\u0000${r.lang}\u0000${r.label}`
    cells.set(key, [...(cells.get(key) ?? []), r])
  }
  const kept = new Set<string>()
  for (const cell of cells.values())
    for (const r of [...cell].sort((a, b) => idHash(a.id) - idHash(b.id)).slice(0, cap)) kept.add(r.id)
  return rows.filter((r) => kept.has(r.id))
}

const policy = screenPolicySchema.parse({})

export const rulesOnly: ScreenVariant = {
  name: 'rules',
  train: (_rows, progress) => {
    progress?.(1)
    return compileScreen(policy, ZERO_MODEL(DEFAULT_TRAIN.bits))
  },
}

/** Features are a pure function of the row text: computed once per row id per process, reused by every fold. */
const featureCache = new Map<string, Example>()

function examplesOf(rows: readonly CorpusRow[], bits: number): Example[] {
  const missing = rows.filter((r) => !featureCache.has(`${bits}:${r.id}`))
  featurize(missing, bits).forEach((e) => {
    featureCache.set(`${bits}:${e.row.id}`, e)
  })
  return rows.map((r) => featureCache.get(`${bits}:${r.id}`)!)
}

export const hashedNgram: ScreenVariant = {
  name: 'ngram',
  train: (rows, progress): CompiledScreen => {
    const opts = { ...DEFAULT_TRAIN, epochs: NESTED_EPOCHS }
    const model = trainModel(examplesOf(capCells(rows, CELL_CAP), opts.bits), opts)
    progress?.(1)
    return compileScreen(policy, model)
  },
}

/** Features of every row, ahead of the loop (so the first fold's ETA is not skewed by the cache filling). */
export function warmFeatures(rows: readonly CorpusRow[]): void {
  examplesOf(rows, DEFAULT_TRAIN.bits)
}

export const VARIANTS: readonly ScreenVariant[] = [rulesOnly, hashedNgram]
/** The variant the shipped screen is trained with (npm run train:screen). */
export const SHIPPED_VARIANT = hashedNgram
