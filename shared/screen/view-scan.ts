// One pass over the normalised view for both of its readers: the phrase automaton (automaton.ts) and the model's
// hashed n-grams (model.ts). Run one after the other, each paid its own loop, its own load of every view char and a
// mispredicted branch at every space; fused, those are paid once (about a quarter less time than the two passes).
// The model half is modelLogit's loop bit for bit (model.test.ts and view-scan.test.ts check they agree).
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

// (state, view index, word) of each reporting state, in view order. At most one per view char, so sized once per
// scan to 3 * len and the loop never calls out: a call reached first in optimised code (the first match of the first
// long text) deoptimised the scan again and again. Reused across scans (the scan is synchronous).
let found = new Int32Array(3 * 4096)
const FOUND_KEEP = 3 * (1 << 18) // a buffer for views over 256 K chars is released after its matches are reported

/** The buffer scanView records matches in, for a view of `len` chars: one entry at most per char. Passed in rather
 * than fetched inside scanView: any allocation path there, even out of line, made V8's code for the loop half again
 * slower (measured). */
export function matchBuffer(len: number): Int32Array {
  if (found.length < 3 * len) found = new Int32Array(3 * len)
  return found
}

/** Reports what scanView found to onMatch, in order: exactly the calls Automaton.scan would make. */
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
  if (found.length > FOUND_KEEP) found = new Int32Array(3 * 4096)
}

export interface ViewScan {
  /** Symbols fed to the automaton (view chars that are not spaces): work units, as Automaton.scan returns. */
  symbols: number
  /** The model's summed int8 weights and the chars of dropped tokens: logitOfSum(model, sum, len, dropped) is
   * modelLogit's result. Not computed here: its rarely taken branches, inlined into this loop, deoptimised it. */
  sum: number
  dropped: number
  /** Reporting states as (state, view index, word) triples, for reportMatches; valid until the next scan. */
  found: Int32Array
  foundCount: number
}

/** Feeds view[0..len) to the automaton and scores it with the model; reportMatches then reports the matches.
 * `list` is matchBuffer(len). */
export function scanView(
  automaton: Automaton,
  model: ScreenModel,
  view: Uint16Array,
  len: number,
  list: Int32Array,
): ViewScan {
  const { symbolOf, dense, emits } = automaton
  const shift = 32 - model.bits
  const w = model.weights
  // Model state as in modelLogit: the leading EDGE from the zero state sets every chained hash to x.
  const x = Math.imul(EDGE, HASH_MUL)
  let h1 = x
  let h2 = x
  let h3 = x
  let h4 = x
  let sum = 3 * w[x >>> shift]!
  let dropped = 0
  let tokSum = 0
  let tokStart = 0
  let tokBits = 0
  let s = 0 // automaton state
  let word = 0 // spaces so far
  let count = 0 // used entries of `list`
  // One loop to i === len, where the trailing EDGE is fed (a space there counts one word too many, taken off
  // below): code after the loop would first run in optimised code compiled mid-loop (OSR) with no type feedback,
  // and its deopts recurred for several calls, each costing as much as a whole 4 KB scan.
  for (let i = 0; i <= len; i++) {
    const c = i < len ? view[i]! : EDGE
    const n5 = Math.imul(h4 ^ c, HASH_MUL)
    const n4 = Math.imul(h3 ^ c, HASH_MUL)
    const n3 = Math.imul(h2 ^ c, HASH_MUL)
    h2 = Math.imul(h1 ^ c, HASH_MUL)
    h1 = Math.imul(c, HASH_MUL)
    h3 = n3
    h4 = n4
    const g = w[n3 >>> shift]! + w[n4 >>> shift]! + w[n5 >>> shift]!
    if (c === EDGE) {
      // A space (EDGE is the space): the model settles the token, the automaton counts a word and feeds nothing.
      if (i - tokStart > MAX_TOKEN && tokBits <= 127) dropped += i - tokStart
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
    if (sym < DENSE) {
      const t = dense[s * DENSE + sym]!
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
  return { symbols: len + 1 - word, sum, dropped, found: list, foundCount: count }
}
