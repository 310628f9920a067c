// Word concepts for the learned model: a word of the view is looked up (by its hash) in a table that maps English
// word forms to concept ids (WordNet synsets and hypernyms from model/concepts.json, plus the hand-made closed
// classes below), so synonyms share weights. A hash table, not a trie: one probe per word inside the fused scan.

/** Closed-class words WordNet does not cover, grouped by the role they play in an instruction aimed at the model:
 * who is addressed, who speaks, obligation and time ("you must now"), the model's own roles, order words that point
 * at earlier text ("the above"). Their ids come first, so a new WordNet build does not renumber them. */
// biome-ignore format: word lists read better packed
export const CLOSED_CLASSES = {
  YOU: ['you', 'your', 'yours', 'yourself', 'yourselves', 'youre', 'youve', 'youll', 'youd', 'ur', 'thou', 'thee', 'thy', 'ya'],
  ME: ['me', 'my', 'mine', 'myself', 'im', 'ive'],
  WE: ['we', 'us', 'our', 'ours', 'ourselves', 'lets'],
  MUST: ['must', 'shall', 'should', 'will', 'wont', 'cannot', 'cant', 'mustnt', 'shouldnt', 'need', 'needs', 'have', 'has'],
  TIME: ['now', 'henceforth', 'anymore', 'longer', 'immediately', 'always', 'forever', 'from', 'onwards', 'until'],
  NOT: ['not', 'no', 'dont', 'never', 'without', 'doesnt', 'nothing', 'none', 'nor', 'isnt', 'arent'],
  ROLE: ['system', 'assistant', 'user', 'developer', 'admin', 'administrator', 'sudo', 'root', 'operator', 'ai',
    'chatbot', 'bot', 'llm', 'gpt', 'chatgpt', 'dan', 'jailbreak', 'jailbroken', 'unfiltered', 'uncensored'],
  PLEASE: ['please', 'kindly', 'pls', 'plz'],
  ORDER: ['above', 'below', 'previous', 'prior', 'earlier', 'preceding', 'following', 'aforementioned', 'foregoing',
    'initial', 'original', 'first', 'last', 'next', 'new'],
  ALL: ['all', 'any', 'every', 'each', 'everything', 'anything', 'whatever'],
  COPULA: ['is', 'are', 'am', 'be', 'been', 'was', 'were', 'being'],
  QUESTION: ['what', 'how', 'why', 'who', 'which', 'when', 'where'],
} as const

/** Function words left out of the table: WordNet gives them odd senses ("in" the inch, "it" information
 * technology) and they carry no meaning of their own; they neither map nor break a concept bigram. */
export const STOPWORDS: ReadonlySet<string> = new Set(
  'an the of to in on at by for with as or and but if so do does did it its this that these those there here than then be'.split(
    ' ',
  ),
)

export const WORD_SEED = 0x2b0f // chained per char like the n-grams, from a seed of its own
const HASH_MUL = 0x9e3779b1

/** The hash the fused scan computes for a word (chars of the view, lower case ASCII). Never 0 (the empty slot). */
export function wordHash(word: string): number {
  let h = WORD_SEED
  for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), HASH_MUL)
  return h === 0 ? 1 : h
}

export interface ConceptTable {
  /** Open-addressed by the top bits of wordHash; 0 = empty. */
  readonly keys: Int32Array
  readonly bits: number
  /** Per slot: its concepts as [start, end) into `ids`; the first is the word's primary concept (bigrams). */
  readonly start: Int32Array
  readonly end: Int32Array
  readonly ids: Int32Array
  /** Per slot: the primary concept (ids[start]), kept apart so the scan pays one load for it. */
  readonly prim: Int32Array
  /** Id of the YOU class (the register-shift feature keys on it). */
  readonly you: number
}

export interface ConceptFile {
  readonly groups: readonly string[]
}

/** Concept ids: the closed classes 1..K in declaration order, then the WordNet groups in file order. */
export function buildConceptTable(file: ConceptFile): ConceptTable {
  const byWord = new Map<string, number[]>()
  const groups = [...Object.values(CLOSED_CLASSES).map((ws) => ws.join(' ')), ...file.groups]
  groups.forEach((g, k) => {
    for (const w of g.split(' ')) {
      if (STOPWORDS.has(w)) continue
      const list = byWord.get(w)
      if (list) list.push(k + 1)
      else byWord.set(w, [k + 1])
    }
  })
  let bits = 10
  while (1 << bits < 2 * byWord.size) bits++
  const size = 1 << bits
  const keys = new Int32Array(size)
  const start = new Int32Array(size)
  const end = new Int32Array(size)
  const ids: number[] = []
  for (const [w, list] of byWord) {
    const h = wordHash(w)
    let p = h >>> (32 - bits)
    while (keys[p] !== 0 && keys[p] !== (h | 0)) p = (p + 1) & (size - 1)
    if (keys[p] === (h | 0)) continue // a 32-bit collision between two table words: the first keeps the slot
    keys[p] = h | 0
    start[p] = ids.length
    ids.push(...list)
    end[p] = ids.length
  }
  const prim = Int32Array.from(start, (k, p) => (keys[p] === 0 ? 0 : ids[k]!))
  return { keys, bits, start, end, ids: Int32Array.from(ids), prim, you: 1 }
}

/** Slot of a word hash in the table, or -1. The fused scan inlines this probe. */
export function findSlot(t: ConceptTable, h: number): number {
  const mask = (1 << t.bits) - 1
  for (let p = h >>> (32 - t.bits); ; p = (p + 1) & mask) {
    if (t.keys[p] === (h | 0)) return p
    if (t.keys[p] === 0) return -1
  }
}

/** The table of a model without word weights (the shipped one): no word is in it, so the scan never probes it and
 * the WordNet data (model/concepts.json, ~150 KB gzip) stays out of the Worker bundle (concept-data.ts loads it). */
export const EMPTY_CONCEPTS: ConceptTable = {
  keys: new Int32Array(2),
  bits: 1,
  start: new Int32Array(2),
  end: new Int32Array(2),
  ids: new Int32Array(0),
  prim: new Int32Array(2),
  you: 1,
}
