// One pass over the normalised view for both of its readers: the phrase automaton (automaton.ts) and the model
// (model.ts: hashed char n-grams, word concepts, best window). Run one after the other, each paid its own loop, its
// own load of every view char and a mispredicted branch at every space; fused, those are paid once. The model half
// adds exactly the reference features of features.ts (view-scan.test.ts checks the logit against modelLogit there).
import { DENSE as AUTOMATON_DENSE, type Automaton, type MatchHandler } from './automaton.ts'
import { WORD_SEED as CONCEPT_WORD_SEED } from './concepts.ts'
import {
  conceptBucket,
  LATE_TAG,
  EDGE as MODEL_EDGE,
  HASH_MUL as MODEL_HASH_MUL,
  LATE_WORDS as MODEL_LATE_WORDS,
  MAX_TOKEN as MODEL_MAX_TOKEN,
  MAX_WORD as MODEL_MAX_WORD,
  WINDOW_WORDS as MODEL_WINDOW_WORDS,
  type ScreenModel,
} from './model.ts'

// Local copies of the imported constants: run unbundled (tsx, the bench), each use of an imported binding in the
// loop is a load and a hole check, measured at several percent of this scan; literals fold into the code.
const DENSE = 37
const EDGE = 32
const HASH_MUL = 0x9e3779b1
const MAX_TOKEN = 40
const MAX_WORD = 20
const LATE_WORDS = 40
const WORD_SEED = 0x2b0f
const RING = 48 // WINDOW_WORDS
if (
  DENSE !== AUTOMATON_DENSE ||
  EDGE !== MODEL_EDGE ||
  HASH_MUL !== MODEL_HASH_MUL ||
  MAX_TOKEN !== MODEL_MAX_TOKEN ||
  MAX_WORD !== MODEL_MAX_WORD ||
  LATE_WORDS !== MODEL_LATE_WORDS ||
  WORD_SEED !== CONCEPT_WORD_SEED ||
  RING !== MODEL_WINDOW_WORDS
)
  throw new Error('view-scan.ts constants out of step with automaton.ts / model.ts / concepts.ts')

// (state, view index, word) of each reporting state, in view order: at most one per view char, so one call of
// scanView feeds at most SEGMENT chars and never has to check for room. The loop never calls out: a call reached
// first in optimised code compiled mid-loop (OSR), without type feedback, deoptimised the scan for several calls;
// and any allocation path inside scanView made its loop half again slower (measured). Reused across scans (the
// scan is synchronous and its matches are reported before the next one starts).
const SEGMENT = 8192
const found = new Int32Array(3 * SEGMENT)
// Per-word contributions of the last RING words (the model's sliding window), reused across scans like `found`.
const ring = new Int32Array(RING)

/** The state of one scan of a view, carried from one segment to the next. */
export interface ViewScan {
  /** Next view index to feed; len + 1 once the trailing EDGE is in (scan done). */
  i: number
  /** Automaton state and spaces so far (i - word is the number of symbols fed: work units). */
  s: number
  word: number
  /** Model: chained hashes (reset at every space), the current token's n-gram sum/start/bits and word hash, the
   * sliding window (ring position, its sum, the best sum so far), the previous
   * concept and its word, whether the text has addressed its reader yet. logitOfBest(model, best) at the end is
   * modelLogit's result (computed outside: its rarely taken branches, inlined into this loop, deoptimised it). */
  h1: number
  h2: number
  h3: number
  h4: number
  tokSum: number
  tokStart: number
  tokBits: number
  wh: number
  rp: number
  win: number
  best: number
  prev: number
  prevWord: number
  seenYou: number
  /** Reporting states of the last segment as (state, view index, word) triples, for reportMatches. */
  readonly found: Int32Array
  foundCount: number
}

/** A scan at the start of a view: every chained hash at x, the state after a space (as at every word start). */
export function startViewScan(_model: ScreenModel): ViewScan {
  const x = Math.imul(EDGE, HASH_MUL)
  ring.fill(0)
  return {
    i: 0,
    s: 0,
    word: 0,
    h1: x,
    h2: x,
    h3: x,
    h4: x,
    tokSum: 0,
    tokStart: 0,
    tokBits: 0,
    wh: WORD_SEED,
    rp: 0,
    win: 0,
    best: -(2 ** 31),
    prev: 0,
    prevWord: 0,
    seenYou: 0,
    found,
    foundCount: 0,
  }
}

/** Reports the last segment's matches to onMatch, in order: exactly the calls Automaton.scan would make. */
export function reportMatches(
  automaton: Automaton,
  scan: ViewScan,
  view: Uint16Array,
  len: number,
  onMatch: MatchHandler,
): void {
  const list = scan.found
  for (let k = 0; k < scan.foundCount; k += 3)
    automaton.report(list[k]!, view, list[k + 1]!, len, list[k + 2]!, onMatch)
}

/** Feeds the next segment of view[0..len) (up to SEGMENT chars; at i === len the trailing EDGE) to the automaton
 * and the model, recording reporting states for reportMatches. Call until scan.i > len. */
export function scanView(automaton: Automaton, model: ScreenModel, view: Uint16Array, len: number, st: ViewScan): void {
  // The constants again as locals: bundled (esbuild turns top-level const into var), each module-level use is a
  // context load, and HASH_MUL a heap number converted per Math.imul. Locals are loaded once, kept in registers.
  const D = DENSE
  const E = EDGE
  const M = HASH_MUL | 0
  const T = MAX_TOKEN
  const MW = MAX_WORD
  const LW = LATE_WORDS
  const SEED = WORD_SEED
  const X = Math.imul(E, M)
  const R = RING
  const { symbolOf, dense, emits } = automaton
  const shift = 32 - model.bits
  const w = model.weights
  const ww = model.wordWeights
  const ws = 32 - model.wordBits
  const { you } = model.concepts
  const slots = model.slots
  const useWords = model.words
  const cshift = 32 - model.concepts.bits
  const cmask = model.concepts.keys.length - 1
  const late = ww[conceptBucket(LATE_TAG, ws)]!
  const list = st.found
  let { s, word, h1, h2, h3, h4, tokSum, tokStart, tokBits, wh, rp, win, best, prev, prevWord, seenYou } = st
  let count = 0 // used entries of `list`
  let i = st.i
  const stop = Math.min(len, i + SEGMENT - 1)
  // To i === len, where the trailing EDGE is fed (the space there counts one word too many: i - word stays the
  // number of symbols fed). Nothing after the loop but stores: see `found`.
  for (; i <= stop; i++) {
    const c = i < len ? view[i]! : E
    const n5 = Math.imul(h4 ^ c, M)
    const n4 = Math.imul(h3 ^ c, M)
    const n3 = Math.imul(h2 ^ c, M)
    h2 = Math.imul(h1 ^ c, M)
    h1 = Math.imul(c, M)
    h3 = n3
    h4 = n4
    const g = w[n3 >>> shift]! + w[n4 >>> shift]! + w[n5 >>> shift]!
    if (c === E) {
      // A space (EDGE is the space): the model settles the word (n-grams unless dropped, its concepts, the window),
      // the automaton counts a word and feeds nothing.
      const size = i - tokStart
      let contrib = g
      if (tokBits > 127 || size <= T) contrib += tokSum
      if (useWords && tokBits <= 127 && size >= 2 && size <= MW) {
        const hk = wh === 0 ? 1 : wh
        let p = hk >>> cshift
        let key = slots[3 * p]!
        while (key !== hk && key !== 0) {
          p = (p + 1) & cmask
          key = slots[3 * p]!
        }
        if (key !== 0) {
          const cid = slots[3 * p + 1]!
          contrib += slots[3 * p + 2]!
          if (prev !== 0 && word - prevWord <= 2) contrib += ww[Math.imul(Math.imul(prev, M) ^ cid, M) >>> ws]!
          if (cid === you && seenYou === 0) {
            seenYou = 1
            if (word >= LW) contrib += late
          }
          prev = cid
          prevWord = word
        }
      }
      win += contrib - ring[rp]!
      ring[rp] = contrib
      rp = rp + 1 === R ? 0 : rp + 1
      if (win > best) best = win
      tokSum = 0
      tokBits = 0
      tokStart = i + 1
      wh = SEED
      word++
      // Every word's n-grams start from the same state: a word scores the same whatever precedes it.
      h1 = h2 = h3 = h4 = X
      continue
    }
    tokSum += g
    tokBits |= c
    wh = Math.imul(wh ^ c, M)
    const sym = symbolOf[c]!
    if (sym < D) {
      const t = dense[s * D + sym]!
      if (t >= 0) {
        s = t
        continue
      }
      s = ~t
    } else {
      s = automaton.sparseStep(s, sym)
      if (emits[s] === 0) continue
    }
    list[count++] = s
    list[count++] = i
    list[count++] = word
  }
  st.i = i
  st.s = s
  st.word = word
  st.h1 = h1
  st.h2 = h2
  st.h3 = h3
  st.h4 = h4
  st.tokSum = tokSum
  st.tokStart = tokStart
  st.tokBits = tokBits
  st.wh = wh
  st.rp = rp
  st.win = win
  st.best = best
  st.prev = prev
  st.prevWord = prevWord
  st.seenYou = seenYou
  st.foundCount = count
}
