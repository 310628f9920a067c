// View buffers and the letter-run copy for the normaliser (normalize.ts): kept apart so the hot loop's helpers are
// small functions V8 optimises on their own, and the buffer pool is one place.

// Reusable view buffers, one per decode depth (a child scan must not overwrite its parent's view). A pooled view is
// valid until the next normalize() with the same slot; texts over POOL_MAX_CHARS get their own buffers.
const POOL_MAX_CHARS = 1 << 17
const POOL: { out: Uint16Array; origin: Int32Array }[] = Array.from({ length: 6 }, () => ({
  out: new Uint16Array(0),
  origin: new Int32Array(0),
}))

/** View buffers of at least `cap` units: the pool slot's (grown if needed), or fresh ones. Allocating here and not
 * inline keeps normalize()'s optimised code the same for pooled and unpooled calls (an inline allocation seen first
 * at compile time, e.g. for phrases, made V8's code for the hot loop twice as slow). */
export function viewBuffers(slot: number, cap: number): { out: Uint16Array; origin: Int32Array } {
  if (slot < 0 || slot >= POOL.length || cap > POOL_MAX_CHARS)
    return { out: new Uint16Array(cap), origin: new Int32Array(cap) }
  if (POOL[slot]!.out.length < cap) POOL[slot] = { out: new Uint16Array(cap), origin: new Int32Array(cap) }
  return POOL[slot]!
}

/** Copies the run of ASCII letters at text[i..), folded to lower case, to out/origin from `len`; returns the run's
 * end. Its own small function so V8 optimises this loop (most of any text) on its own feedback. The caller makes room
 * for the rest of the text first (one unit per char). (c | 32) maps A-Z onto a-z and
 * nothing else onto a-z; the loop stops at the end of the text. */
export function copyLetters(text: string, i: number, out: Uint16Array, origin: Int32Array, len: number): number {
  const n = text.length
  let d = text.charCodeAt(i) | 32
  do {
    out[len] = d
    origin[len++] = i
    if (++i === n) break
    d = text.charCodeAt(i) | 32
  } while (d >= 97 && d <= 122)
  return i
}

/** After copyWords: [tokenLen, lastTokenLen, runStart, words crossed] (a typed array: no allocation per call). */
export const wordsState = new Int32Array(4)
// normalize.ts's MIN_RUN, repeated: an imported binding costs a load and a hole check on every use in the loop.
const MIN_RUN = 16

/** copyLetters, continued across single spaces between words: "word word" is most text, and each return to the
 * normaliser's main loop for the space and again for the next word cost more than the letters. A space is crossed
 * only where the main loop would do nothing but emit it: followed by a letter, after a token of two or more word
 * chars, inside a letter run too short to be a base64 candidate (a longer one ends in the main loop, which records it). As there, the space takes the next letter's origin.
 * One unit per char consumed, so the caller's room check for the rest of the text covers it. State at the end goes
 * to wordsState (token lengths and run start as the main loop keeps them). */
export function copyWords(
  text: string,
  i: number,
  out: Uint16Array,
  origin: Int32Array,
  len: number,
  tokenLen: number,
  runStart: number,
): number {
  const n = text.length
  let tok = tokenLen
  let lastTok = 0
  let crossed = 0
  let d = text.charCodeAt(i) | 32
  for (;;) {
    do {
      out[len] = d
      origin[len++] = i
      tok++
      if (++i === n) break
      d = text.charCodeAt(i) | 32
    } while (d >= 97 && d <= 122)
    if (i + 1 >= n || tok === 1 || i - runStart >= MIN_RUN || text.charCodeAt(i) !== 32) break
    const next = text.charCodeAt(i + 1) | 32
    if (next < 97 || next > 122) break
    out[len] = 32
    origin[len++] = i + 1
    lastTok = tok
    tok = 0
    crossed++
    runStart = ++i
    d = next
  }
  wordsState[0] = tok
  wordsState[1] = lastTok
  wordsState[2] = runStart
  wordsState[3] = crossed
  return i
}

/** `to` (a larger buffer) holding a copy of `from`. */
export function grownCopy<T extends Uint16Array | Int32Array>(from: T, to: T): T {
  to.set(from)
  return to
}
