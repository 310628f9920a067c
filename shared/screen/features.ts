// The model's features of a view, word by word: the definition the fused scan (view-scan.ts) is tested against and
// what training sums. Per word: the char 3/4/5-grams of the token and its trailing space, hashed from the same start
// state for every word so a word scores the same wherever it stands (long ASCII tokens dropped),
// then, for an ASCII word in the concept table, its concepts, the bigram with the previous concept (≤ 2 words back),
// and the register-shift marker. Slower than the scan (it allocates); never on the hot path.
import { findSlot, WORD_SEED } from './concepts.ts'
import {
  conceptBucket,
  EDGE,
  HASH_MUL,
  LATE_TAG,
  LATE_WORDS,
  logitOfBest,
  MAX_TOKEN,
  MAX_WORD,
  pairBucket,
  type ScreenModel,
  WINDOW_WORDS,
} from './model.ts'

export interface ViewFeatures {
  /** Feature indices: char buckets in [0, 2^bits), word buckets at 2^bits + bucket. */
  readonly idx: Int32Array
  /** Per word: the end of its features in idx (word k is idx[ends[k-1] .. ends[k])). */
  readonly ends: Int32Array
}

type FeatureModel = Pick<ScreenModel, 'bits' | 'wordBits' | 'concepts'>

export function viewFeatures(model: FeatureModel, view: Uint16Array, len: number): ViewFeatures {
  const shift = 32 - model.bits
  const wshift = 32 - model.wordBits
  const W = 1 << model.bits
  const t = model.concepts
  const idx: number[] = []
  const ends: number[] = []
  const x = Math.imul(EDGE, HASH_MUL)
  let h1 = x
  let h2 = x
  let h3 = x
  let h4 = x
  let tokStart = 0 // view index of the token's first char
  let tokAt = idx.length // where the token's features start in idx
  let ascii = true
  let wh = WORD_SEED
  let word = 0
  let prev = 0
  let prevWord = 0
  let seenYou = false
  for (let i = 0; i <= len; i++) {
    const c = i === len ? EDGE : view[i]!
    const n5 = Math.imul(h4 ^ c, HASH_MUL)
    const n4 = Math.imul(h3 ^ c, HASH_MUL)
    const n3 = Math.imul(h2 ^ c, HASH_MUL)
    h2 = Math.imul(h1 ^ c, HASH_MUL)
    h1 = Math.imul(c, HASH_MUL)
    h3 = n3
    h4 = n4
    if (c !== EDGE) {
      idx.push(n3 >>> shift, n4 >>> shift, n5 >>> shift)
      wh = Math.imul(wh ^ c, HASH_MUL)
      if (c > 127) ascii = false
      continue
    }
    const size = i - tokStart
    if (size > MAX_TOKEN && ascii) idx.length = tokAt
    idx.push(n3 >>> shift, n4 >>> shift, n5 >>> shift)
    const slot = ascii && size >= 2 && size <= MAX_WORD ? findSlot(t, wh === 0 ? 1 : wh) : -1
    if (slot >= 0) {
      for (let k = t.start[slot]!; k < t.end[slot]!; k++) idx.push(W + conceptBucket(t.ids[k]!, wshift))
      const p = t.ids[t.start[slot]!]!
      if (prev !== 0 && word - prevWord <= 2) idx.push(W + pairBucket(prev, p, wshift))
      if (p === t.you && !seenYou) {
        seenYou = true
        if (word >= LATE_WORDS) idx.push(W + conceptBucket(LATE_TAG, wshift))
      }
      prev = p
      prevWord = word
    }
    ends.push(idx.length)
    h1 = h2 = h3 = h4 = x
    word++
    tokStart = i + 1
    tokAt = idx.length
    ascii = true
    wh = WORD_SEED
  }
  return { idx: Int32Array.from(idx), ends: Int32Array.from(ends) }
}

/** Per-word summed weights of the features (w maps a feature index to its weight). */
export function wordSums(f: ViewFeatures, w: (index: number) => number): Float64Array {
  const out = new Float64Array(f.ends.length)
  let k = 0
  for (let j = 0; j < f.ends.length; j++) {
    let s = 0
    for (; k < f.ends[j]!; k++) s += w(f.idx[k]!)
    out[j] = s
  }
  return out
}

/** The best window over per-word sums: windows end at every word and span at most WINDOW_WORDS words. */
export function bestWindow(sums: Float64Array): { best: number; first: number; last: number } {
  let best = Number.NEGATIVE_INFINITY
  let first = 0
  let last = 0
  let sum = 0
  for (let j = 0; j < sums.length; j++) {
    sum += sums[j]!
    if (j >= WINDOW_WORDS) sum -= sums[j - WINDOW_WORDS]!
    if (sum > best) {
      best = sum
      last = j
      first = Math.max(0, j - WINDOW_WORDS + 1)
    }
  }
  return { best, first, last }
}

/** The model's logit for view[0..len) from the reference features (the fused scan must give the same number). */
export function modelLogit(model: ScreenModel, view: Uint16Array, len: number): number {
  const W = 1 << model.bits
  const f = viewFeatures(model, view, len)
  const sums = wordSums(f, (i) => (i < W ? model.weights[i]! : model.wordWeights[i - W]!))
  return logitOfBest(model, bestWindow(sums).best)
}
