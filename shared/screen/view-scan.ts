// One pass over the normalised view for both of its readers: the phrase automaton (automaton.ts) and the model's
// hashed n-grams (model.ts). Run one after the other, each paid its own loop, its own load of every view char and a
// mispredicted branch at every space; fused, those are paid once (about a quarter less time than the two passes).
// The model half hashes exactly as featureIndices does for training (view-scan.test.ts checks the logit against
// modelLogit, which sums those training features).
import { DENSE as AUTOMATON_DENSE, type Automaton, type MatchHandler } from './automaton.ts'
import {
  EDGE as MODEL_EDGE,
  HASH_MUL as MODEL_HASH_MUL,
  MAX_TOKEN as MODEL_MAX_TOKEN,
  type ScreenModel,
} from './model.ts'

// Local copies of the imported constants: run unbundled (tsx, the bench), each use of an imported binding in the
// loop is a load and a hole check, measured at several percent of this scan; literals fold into the code.
const DENSE = 37
const EDGE = 32
const HASH_MUL = 0x9e3779b1
const MAX_TOKEN = 40
if (DENSE !== AUTOMATON_DENSE || EDGE !== MODEL_EDGE || HASH_MUL !== MODEL_HASH_MUL || MAX_TOKEN !== MODEL_MAX_TOKEN)
  throw new Error('view-scan.ts constants out of step with automaton.ts / model.ts')

// (state, view index, word) of each reporting state, in view order: at most one per view char, so one call of
// scanView feeds at most SEGMENT chars and never has to check for room. The loop never calls out: a call reached
// first in optimised code compiled mid-loop (OSR), without type feedback, deoptimised the scan for several calls;
// and any allocation path inside scanView made its loop half again slower (measured). Reused across scans (the
// scan is synchronous and its matches are reported before the next one starts).
const SEGMENT = 8192
const found = new Int32Array(3 * SEGMENT)

/** The state of one scan of a view, carried from one segment to the next. */
export interface ViewScan {
  /** Next view index to feed; len + 1 once the trailing EDGE is in (scan done). */
  i: number
  /** Automaton state and spaces so far (i - word is the number of symbols fed: work units). */
  s: number
  word: number
  /** Model: chained hashes, summed int8 weights, chars of dropped tokens and the current token's sum/start/bits.
   * logitOfSum(model, sum, len, dropped) at the end is modelLogit's result (computed outside: its rarely taken
   * branches, inlined into this loop, deoptimised it). */
  h1: number
  h2: number
  h3: number
  h4: number
  sum: number
  dropped: number
  tokSum: number
  tokStart: number
  tokBits: number
  /** Reporting states of the last segment as (state, view index, word) triples, for reportMatches. */
  readonly found: Int32Array
  foundCount: number
}

/** A scan at the start of a view: the leading EDGE from the zero state sets every chained hash to x (modelLogit). */
export function startViewScan(model: ScreenModel): ViewScan {
  const x = Math.imul(EDGE, HASH_MUL)
  const sum = 3 * model.weights[x >>> (32 - model.bits)]!
  return {
    i: 0,
    s: 0,
    word: 0,
    h1: x,
    h2: x,
    h3: x,
    h4: x,
    sum,
    dropped: 0,
    tokSum: 0,
    tokStart: 0,
    tokBits: 0,
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
  const { symbolOf, dense, emits } = automaton
  const shift = 32 - model.bits
  const w = model.weights
  const list = st.found
  let { s, word, h1, h2, h3, h4, sum, dropped, tokSum, tokStart, tokBits } = st
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
      // A space (EDGE is the space): the model settles the token, the automaton counts a word and feeds nothing.
      if (i - tokStart > T && tokBits <= 127) dropped += i - tokStart
      else sum += tokSum
      sum += g
      tokSum = 0
      tokBits = 0
      tokStart = i + 1
      word++
      continue
    }
    tokSum += g
    tokBits |= c
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
  st.sum = sum
  st.dropped = dropped
  st.tokSum = tokSum
  st.tokStart = tokStart
  st.tokBits = tokBits
  st.foundCount = count
}
