// Node-only: measures the token estimator against a real tokenizer (js-tiktoken) on the shared corpus.
// Used by estimate.test.ts (asserts the error bounds) and bench/limit.ts (reports the figure); never bundled.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { getEncoding, type TiktokenEncoding } from 'js-tiktoken'
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

/** The corpus path: PORTCULLIS_CORPUS, else ../shared/corpus/dev.jsonl relative to the repo root (cwd). */
export function corpusPath(): string {
  return process.env.PORTCULLIS_CORPUS ?? resolve(process.cwd(), '../shared/corpus/dev.jsonl')
}

export function loadCorpusTexts(path = corpusPath(), max = 5_000): string[] {
  const texts: string[] = []
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (texts.length >= max) break
    if (line.trim() === '') continue
    const row = JSON.parse(line) as { text?: unknown }
    if (typeof row.text === 'string' && row.text.length > 0) texts.push(row.text)
  }
  return texts
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
