// One pass over the normalised view for both of its readers: the phrase automaton (automaton.ts) and the model's
// hashed n-grams (model.ts). Run one after the other, each paid its own loop, its own load of every view char and a
// mispredicted branch at every space; fused, those are paid once (about a quarter less time than the two passes).
// The model half is modelLogit's loop bit for bit (model.test.ts and view-scan.test.ts check they agree).
import { type Automaton, DENSE, type MatchHandler } from './automaton.ts'
import { EDGE, HASH_MUL, MAX_TOKEN, type ScreenModel } from './model.ts'

const PENDING = 3 * 512
const pending = new Int32Array(PENDING) // (state, view index, word) of reporting states; reused, the scan is sync

/** Reports the pending matches in order; returns the new (empty) count. */
function flush(automaton: Automaton, view: Uint16Array, len: number, onMatch: MatchHandler, count: number): number {
  for (let k = 0; k < count; k += 3) automaton.report(pending[k]!, view, pending[k + 1]!, len, pending[k + 2]!, onMatch)
  return 0
}

export interface ViewScan {
  /** Symbols fed to the automaton (view chars that are not spaces): work units, as Automaton.scan returns. */
  symbols: number
  /** The model's summed int8 weights and the chars of dropped tokens: logitOfSum(model, sum, len, dropped) is
   * modelLogit's result. Not computed here: its rarely taken branches, inlined into this loop, deoptimised it. */
  sum: number
  dropped: number
}

/** Feeds view[0..len) to the automaton (reporting matches to onMatch) and scores it with the model. */
export function scanView(
  automaton: Automaton,
  model: ScreenModel,
  view: Uint16Array,
  len: number,
  onMatch: MatchHandler,
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
  let count = 0 // used entries of `pending`
  for (let i = 0; i < len; i++) {
    const c = view[i]!
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
    // A reporting state: noted, reported after the loop (or when the buffer fills), so the handler's calls stay out
    // of this loop's optimised code. Order is kept, so the handler sees what Automaton.scan would show it.
    pending[count++] = s
    pending[count++] = i
    pending[count++] = word
    if (count === PENDING) count = flush(automaton, view, len, onMatch, count)
  }
  flush(automaton, view, len, onMatch, count)
  // The trailing EDGE.
  const n5 = Math.imul(h4 ^ EDGE, HASH_MUL)
  const n4 = Math.imul(h3 ^ EDGE, HASH_MUL)
  const n3 = Math.imul(h2 ^ EDGE, HASH_MUL)
  if (len - tokStart > MAX_TOKEN && tokBits <= 127) dropped += len - tokStart
  else sum += tokSum
  sum += w[n3 >>> shift]! + w[n4 >>> shift]! + w[n5 >>> shift]!
  return { symbols: len - word, sum, dropped }
}
