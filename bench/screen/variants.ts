// The screen variants the nested evaluation compares: the phrase rules alone, and the learned model on top of them
// with different feature families (scripts/screen/train-model.ts): today's char n-grams (positive-only, damped),
// word concepts + structure, both, and both without a negative side. Each training caps rows per (source, lang,
// label) cell and caches features by row id, so one training takes seconds and the nested loop fits. Add one here.
import type { CorpusRow } from '../../scripts/screen/corpus.ts'
import {
  CHAR_NGRAM_MODEL,
  DEFAULT_MODEL,
  type ModelOptions,
  rowFeatures,
  trainModel,
} from '../../scripts/screen/train-model.ts'
import { ZERO_MODEL } from '../../scripts/train-screen.ts'
import { type CompiledScreen, compileScreen } from '../../shared/screen/engine.ts'
import { screenPolicySchema } from '../../shared/screen/policy-schema.ts'
import type { ScreenVariant } from './variant.ts'

const policy = screenPolicySchema.parse({})

export const rulesOnly: ScreenVariant = {
  name: 'rules',
  train: (_rows, progress) => {
    progress?.(1)
    return compileScreen(policy, ZERO_MODEL())
  },
}

function learned(name: string, options: Partial<ModelOptions>): ScreenVariant {
  const opts = { ...DEFAULT_MODEL, ...options }
  return {
    name,
    train: (rows, progress): CompiledScreen => compileScreen(policy, trainModel(rows, opts, progress)),
  }
}

/** Today's model: char n-grams only, positive-only, damped ×0.25 and capped at +1 (shared/screen/README.md). */
export const charNgrams = learned('ngram', CHAR_NGRAM_MODEL)
export const concepts = learned('concepts', { chars: false })
export const conceptsAndChars = learned('concepts+ngram', {})
/** With a negative side for word concepts (char n-grams stay ≥ 0): may lower a score by up to 2 logits. */
export const conceptsAndCharsSigned = learned('concepts+ngram signed', { negative: true, capMin: -2 })

/** Features of every row, ahead of the loop (so the first fold's ETA is not skewed by the cache filling). */
export function warmFeatures(rows: readonly CorpusRow[]): void {
  for (const r of rows) rowFeatures(r)
}

export const VARIANTS: readonly ScreenVariant[] = [
  rulesOnly,
  charNgrams,
  concepts,
  conceptsAndChars,
  conceptsAndCharsSigned,
]
/** The variant the shipped screen is trained with (npm run train:screen). */
export const SHIPPED_VARIANT = charNgrams
