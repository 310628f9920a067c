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

/** `to` (a larger buffer) holding a copy of `from`. */
export function grownCopy<T extends Uint16Array | Int32Array>(from: T, to: T): T {
  to.set(from)
  return to
}
