// The contract between the nested evaluation (bench/screen/nested.ts) and whatever produces a screen: a variant
// trains on the rows of the training groups only and hands back a compiled screen. Kept small and stable so model
// and feature experiments plug in without touching the evaluation.
import type { CorpusRow } from '../../scripts/screen/corpus.ts'
import type { CompiledScreen } from '../../shared/screen/engine.ts'

export interface ScreenVariant {
  readonly name: string
  /** Train on these rows (training groups only) and return a compiled screen; scanText(screen, t).attackLogit
   * ranks texts. Rows carry id/source/lang/label so a variant may balance per (source, lang, label) cell and
   * cache features by row id across calls. `progress(f)` reports 0..1 for the ETA. */
  train(rows: readonly CorpusRow[], progress?: (fraction: number) => void): CompiledScreen
}
