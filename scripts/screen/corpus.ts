// The development corpus, read from the repository's own gzipped copy (data/corpus/dev.jsonl.gz), and its source
// groups: sources taken from the same upstream repository are one group, held out together, because they share
// authors and style. The one loader every script, test and bench uses; Node-only (node:fs, node:zlib), never bundled.
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'

const here = dirname(fileURLToPath(import.meta.url))
const CORPUS_DIR = resolve(here, '../../data/corpus')

export const LABELS = ['attack', 'benign'] as const
export type Label = (typeof LABELS)[number]

export interface CorpusRow {
  readonly id: string
  readonly text: string
  readonly label: Label
  readonly source: string
  readonly category: string
  readonly lang: string
}

/** PORTCULLIS_CORPUS (plain or .gz JSONL) overrides the in-repo copy, e.g. to try a corpus before committing it. */
export function corpusPath(): string {
  return process.env.PORTCULLIS_CORPUS ?? resolve(CORPUS_DIR, 'dev.jsonl.gz')
}

const loaded = new Map<string, readonly CorpusRow[]>()

/** Every row, parsed and checked once per process and path (the gunzip + parse of 24 MB costs ~0.5 s). */
export function loadCorpus(path = corpusPath()): readonly CorpusRow[] {
  const hit = loaded.get(path)
  if (hit) return hit
  const bytes = readFileSync(path)
  const text = (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8')
  const rows: CorpusRow[] = []
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    const row = JSON.parse(line) as Partial<CorpusRow>
    if (typeof row.id !== 'string' || typeof row.text !== 'string' || typeof row.source !== 'string')
      throw new TypeError(`${path}: row ${rows.length + 1} lacks id, text or source`)
    if (row.label !== 'attack' && row.label !== 'benign')
      throw new TypeError(`${path}: row ${row.id} has label ${String(row.label)}`)
    rows.push({
      id: row.id,
      text: row.text,
      label: row.label,
      source: row.source,
      category: row.category ?? '',
      lang: row.lang ?? '',
    })
  }
  loaded.set(path, rows)
  return rows
}

/** source → group (the upstream repository, owner/name), read from the Repository column of SOURCES.md: the
 * attribution table is the one place that says where each source came from. */
export function sourceGroups(sourcesMd = readFileSync(resolve(CORPUS_DIR, 'SOURCES.md'), 'utf8')): Map<string, string> {
  const groups = new Map<string, string>()
  for (const line of sourcesMd.split('\n')) {
    const cells = line.split('|').map((c) => c.trim())
    // | source | [owner/name](https://github.com/owner/name) | commit | ...
    const repo = /^\[([^\]]+)\]\(/.exec(cells[2] ?? '')
    if (cells[0] === '' && cells[1] && repo) groups.set(cells[1], repo[1]!)
  }
  return groups
}

/** The group of every row's source; a source missing from SOURCES.md is an error (it would have no attribution). */
export function groupOf(rows: readonly CorpusRow[], groups = sourceGroups()): (row: CorpusRow) => string {
  for (const r of rows)
    if (!groups.has(r.source)) throw new TypeError(`source ${r.source} is not listed in data/corpus/SOURCES.md`)
  return (row) => groups.get(row.source)!
}
