// Corpus rows for the model's training scripts: JSON lines, gzip or plain, from PORTCULLIS_CORPUS or the in-repo copy
// (data/corpus/dev.jsonl.gz). Read once per process and cached: features are keyed by row id across trainings.
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'

export interface CorpusRow {
  readonly id: string
  readonly text: string
  readonly label: 'attack' | 'benign'
  readonly source: string
  readonly category: string
  readonly lang: string
}

const here = dirname(fileURLToPath(import.meta.url))

export function corpusFile(): string {
  return process.env.PORTCULLIS_CORPUS ?? resolve(here, '../../data/corpus/dev.jsonl.gz')
}

let cached: CorpusRow[] | null = null
export function loadRows(path = corpusFile()): CorpusRow[] {
  if (cached) return cached
  const raw = readFileSync(path)
  const text = path.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8')
  cached = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as CorpusRow)
  return cached
}
