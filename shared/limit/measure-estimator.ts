// Node-only: measures the token estimator against a real tokenizer (js-tiktoken) on the in-repo dev corpus.
// Used by estimate.test.ts (asserts the error bounds) and bench/limit.ts (reports the figure); never bundled.
import { getEncoding, type TiktokenEncoding } from 'js-tiktoken'
import { corpusPath, loadCorpus } from '../../scripts/screen/corpus.ts'
import { estimateTextTokens } from './estimate.ts'

export interface EstimatorError {
  readonly encoding: TiktokenEncoding
  readonly samples: number
  /** Mean of |estimate - real| / real over samples, in percent. */
  readonly meanAbsErrorPct: number
  /** Mean of (estimate - real) / real: positive means the estimator over-reserves. */
  readonly meanSignedErrorPct: number
  /** Share of samples where the estimate is below the real count (an under-reservation), in percent. */
  readonly underCountPct: number
  /** Sum of estimates over sum of real tokens. */
  readonly totalRatio: number
}

export { corpusPath } from '../../scripts/screen/corpus.ts'

/** The first `max` non-empty texts of the in-repo corpus (scripts/screen/corpus.ts), in file order. */
export function loadCorpusTexts(path = corpusPath(), max = 5_000): string[] {
  return loadCorpus(path)
    .map((r) => r.text)
    .filter((t) => t.length > 0)
    .slice(0, max)
}

export function measureEstimator(texts: readonly string[], encoding: TiktokenEncoding): EstimatorError {
  const enc = getEncoding(encoding)
  let abs = 0
  let signed = 0
  let under = 0
  let est = 0
  let real = 0
  let samples = 0
  for (const text of texts) {
    const r = enc.encode(text).length
    if (r === 0) continue
    const e = estimateTextTokens(text)
    abs += Math.abs(e - r) / r
    signed += (e - r) / r
    if (e < r) under++
    est += e
    real += r
    samples++
  }
  const pct = (x: number) => Math.round((x / samples) * 1000) / 10
  return {
    encoding,
    samples,
    meanAbsErrorPct: pct(abs),
    meanSignedErrorPct: pct(signed),
    underCountPct: pct(under),
    totalRatio: Math.round((est / real) * 1000) / 1000,
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const texts = loadCorpusTexts()
  for (const encoding of ['o200k_base', 'cl100k_base'] as const) console.log(measureEstimator(texts, encoding))
}
