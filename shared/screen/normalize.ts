// Normalise once: one pass over the original text builds the folded "view" the detectors scan (NFKC-ish skeleton,
// lower case, leetspeak, spacing/punctuation tricks collapsed, invisibles removed) plus an offset map back to the
// original, the smuggling signals and the cheap gates for the decoders. No regex, no per-char allocation.
import * as fold from './fold.ts'
import { foldAstral, foldUnit, multiFold } from './fold.ts'
import { emptySignals, type Signals } from './signals.ts'
import { copyLetters, copyWords, grownCopy, viewBuffers, wordsState } from './view-buffers.ts'

export type { Signals } from './signals.ts'

// fold.ts's flag bits as local literals: run unbundled (tsx, the bench), every use of an imported binding in the
// loop is a load and a hole check (measured: several percent of the pass). Checked against fold.ts at load.
const WORD = 1 << 16
const DROP = 1 << 17
const MULTI = 1 << 18
const INVISIBLE = 1 << 19
const BIDI = 1 << 20
const VARIATION = 1 << 21
const CONFUSABLE = 1 << 22
if (
  WORD !== fold.WORD ||
  DROP !== fold.DROP ||
  MULTI !== fold.MULTI ||
  INVISIBLE !== fold.INVISIBLE ||
  BIDI !== fold.BIDI ||
  VARIATION !== fold.VARIATION ||
  CONFUSABLE !== fold.CONFUSABLE
)
  throw new Error('normalize.ts flag bits out of step with fold.ts')

export interface NormView {
  text: Uint16Array
  origin: Int32Array
  length: number
  signals: Signals
  /** Text smuggled in Unicode tag characters and in variation-selector bytes (decoded, bounded). */
  tagText: string
  vsBytes: number[]
  /** Bodies of HTML comments (skipped in the view so "ig<!-- -->nore" joins), kept to be scanned on their own:
   * a comment is where an indirect injection hides in a web page. Bounded like the tag text. */
  commentText: string
}

const MAX_RUNS = 64 // candidate encoded runs per text; more are ignored (each costs a decode)
const MIN_RUN = 16 // shortest base64/hex run worth decoding (repeated in view-buffers.ts)
const B64 = 1
const HEX = 2
const UPPER = 4
const LOWER = 8
const DIGIT = 16
/** ASCII char -> its classes in the base64/hex alphabets (B64 marks a char that continues a run). */
const ENC = new Uint8Array(128)
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c)
  if (/[A-Za-z0-9+/=_-]/.test(ch)) ENC[c] = B64
  if (/[0-9a-fA-F]/.test(ch)) ENC[c]! |= HEX
  if (/[A-Z]/.test(ch)) ENC[c]! |= UPPER
  if (/[a-z]/.test(ch)) ENC[c]! |= LOWER
  if (/[0-9]/.test(ch)) ENC[c]! |= DIGIT
}

const MAX_HIDDEN = 16_384 // chars of tag text / VS bytes kept
const LEET: Record<number, number> = { 48: 111, 49: 105, 51: 101, 52: 97, 53: 115, 55: 116, 64: 97, 36: 115 }
const LEET_TABLE = new Uint8Array(128)
for (const [k, v] of Object.entries(LEET)) LEET_TABLE[Number(k)] = v

/** Leet folds seen before a text counts as written in leetspeak. */
const LEET_MODE = 2

/** In text already written in leetspeak, a short token of leet digits only is a word too ("45" as, "70" to, "4" a):
 * true when the token containing text[i] (tokenLen chars of it already read) is at most 3 such digits. Reads at
 * most 3 chars, so the normaliser stays linear. */
function shortLeetToken(text: string, i: number, tokenLen: number): boolean {
  let j = i
  for (; j < text.length && j - i + tokenLen < 4; j++) {
    const c = text.charCodeAt(j)
    if (c < 48 || c > 57) break
    if (LEET_TABLE[c] === 0) return false
  }
  const next = j < text.length ? text.charCodeAt(j) : 32
  return j - i + tokenLen <= 3 && !isAsciiWord(next)
}

/** The leetspeak letter digit `c` at text[i] stands for, or 0 to keep it a digit: a letter just before it in the token
 * (`afterLetter`) or right after it, or a short all-digit token once the text has `leetSeen` >= LEET_MODE folds.
 * (The one rule both digit paths of normalize() apply.) */
function leetLetter(text: string, i: number, c: number, afterLetter: boolean, tokenLen: number, leetSeen: number) {
  const leet = LEET_TABLE[c]!
  if (leet === 0) return 0
  const next = (i + 1 < text.length ? text.charCodeAt(i + 1) : 0) | 32
  if (afterLetter || (next >= 97 && next <= 122)) return leet
  return leetSeen >= LEET_MODE && shortLeetToken(text, i, tokenLen) ? leet : 0
}

const isHexDigit = (c: number): boolean => (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 102)
const isAsciiWord = (c: number): boolean => (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122)

/** Records base64-alphabet run [start, end) as a decoding candidate if it is long and has digits or mixed case. */
function endRun(text: string, start: number, end: number, runs: number[]): void {
  if (end - start < MIN_RUN || runs.length >= MAX_RUNS * 2) return
  let mask = 0
  for (let k = start; k < end; k++) {
    mask |= ENC[text.charCodeAt(k)]!
    if (mask & DIGIT || (mask & (UPPER | LOWER)) === (UPPER | LOWER)) {
      runs.push(start, end)
      return
    }
  }
}

/** Builds the normalised view of `text`. Work is O(text.length). The buffers start at the text's length (the view
 * is rarely longer: it drops spaces and punctuation runs) and grow where multi-char folds need it; zero-filling 2n
 * units up front cost a few ms per MB of input. `slot` >= 0 reuses that pool slot's buffers (the engine passes its
 * decode depth).
 * One loop, no closures (captured variables would live in a heap context instead of registers). */
export function normalize(text: string, slot = -1): NormView {
  const n = text.length
  const foldTable = fold.FOLD_TABLE
  const buffers = viewBuffers(slot, n + 16)
  let out = buffers.out
  let origin = buffers.origin
  let cap = out.length
  let len = 0
  const sig = emptySignals()
  let tagText = ''
  let commentText = ''
  const vsBytes: number[] = []
  let tokenLen = 0 // word chars in the current original token
  let lastTokenLen = 0
  let seps = 0 // separator chars since the last word char
  let sepIsSpace = false
  let sepIsElision = false // the separator is an elided article's apostrophe: French/Italian l', d', qu', dell'
  let afterSymbol = false // previous visible char was an emoji/symbol: ZWJ and VS16 are legitimate there
  let vsRun = 0
  let wordAscii = false
  let wordConfusable = false
  let asciiLetter = false // the general path's current char is an ASCII letter (applied after the separator)
  let runStart = -1
  let nextClose = -2 // position of the next "-->" (-1: none left), found lazily so the search stays linear

  // Reads past the end are written `i + 1 < n ? text.charCodeAt(i + 1) : 0`, never a bare out-of-bounds charCodeAt:
  // one NaN read deoptimises this loop and V8 recompiles it with float arithmetic, twice as slow. 0 answers every
  // "is the next char X" question here exactly as NaN did.
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    // Fast paths: a run of ASCII letters inside a word or after one plain space that does not join (the previous
    // token was not a single letter), and a plain space — most of any text. (c | 32) maps A-Z onto a-z and nothing
    // else onto a-z.
    const lower = c | 32
    if (lower >= 97 && lower <= 122 && (seps === 0 || (seps === 1 && sepIsSpace && lastTokenLen !== 1 && len > 0))) {
      if (runStart < 0) runStart = i
      if (len + n - i + 3 > cap) {
        // Multi-char folds earlier (a ligature emits up to 18 units) can leave less room than the rest of the text
        // needs at one unit per char; without this, a run of letters after them was silently cut from the view.
        cap = cap * 2 + n - i
        out = grownCopy(out, new Uint16Array(cap))
        origin = grownCopy(origin, new Int32Array(cap))
      }
      const wordStart = seps !== 0
      if (wordStart) {
        // The separator becomes one space in the view; the word before it is complete.
        out[len] = 32
        origin[len++] = i
        // The word before the space mixed scripts only if it had both an ASCII letter and a look-alike: a Cyrillic
        // word followed by an English one ("Выводить API") is two scripts side by side, not a look-alike word.
        if (wordAscii && wordConfusable) sig.mixedWords++
        wordConfusable = false
        seps = 0
      }
      const from = i
      if (wordConfusable) {
        // The next word start must count this word as mixed: one word at a time, through the main loop.
        i = copyLetters(text, i, out, origin, len) - 1
        len += i - from + 1
        tokenLen += i - from + 1
        // As the general path leaves it: a word's first letter resets the flag, any later ASCII letter sets it.
        wordAscii = !wordStart || i > from
      } else {
        i = copyWords(text, i, out, origin, len, tokenLen, runStart) - 1
        len += i - from + 1
        tokenLen = wordsState[0]!
        if (wordsState[3]! > 0) {
          lastTokenLen = wordsState[1]!
          runStart = wordsState[2]!
          sepIsSpace = true
          wordAscii = tokenLen > 1 // the last word started at a crossed space
        } else wordAscii = !wordStart || i > from
      }
      vsRun = 0
      afterSymbol = false
      continue
    }
    if (c >= 48 && c <= 57 && seps === 0) {
      // A digit inside a token: '0', or its leetspeak letter next to letters — the general path's rules below.
      if (runStart < 0) runStart = i
      sig.digits++
      let unit = 48
      const leet = leetLetter(text, i, c, tokenLen > 0 && len > 0 && out[len - 1]! >= 97, tokenLen, sig.leet)
      if (leet !== 0) {
        unit = leet
        sig.leet++
      }
      if (len + 2 > cap) {
        cap = cap * 2 + n - i
        out = grownCopy(out, new Uint16Array(cap))
        origin = grownCopy(origin, new Int32Array(cap))
      }
      out[len] = unit
      origin[len++] = i
      tokenLen++
      vsRun = 0
      afterSymbol = false
      continue
    }
    if (seps === 0 && c >= 0x80 && c < 0xd800) {
      // Letters of other scripts that fold to one char, inside a word; look-alikes too (Cyrillic and Greek text is
      // full of them): the general path would only add the flag.
      let f = foldTable[c]!
      if (f === 0) f = foldUnit(c)
      if ((f & (WORD | MULTI)) === WORD) {
        if (f & CONFUSABLE) wordConfusable = true
        if (runStart >= 0) {
          endRun(text, runStart, i, sig.runs)
          runStart = -1
        }
        if (len + 2 > cap) {
          cap = cap * 2 + n - i
          out = grownCopy(out, new Uint16Array(cap))
          origin = grownCopy(origin, new Int32Array(cap))
        }
        out[len] = f & 0xffff
        origin[len++] = i
        tokenLen++
        vsRun = 0
        afterSymbol = false
        continue
      }
    }
    if (c === 32) {
      if (runStart >= 0) {
        endRun(text, runStart, i, sig.runs)
        runStart = -1
      }
      if (tokenLen > 0) {
        lastTokenLen = tokenLen
        tokenLen = 0
      }
      seps++
      sepIsSpace = true
      vsRun = 0
      afterSymbol = false
      continue
    }
    let e: number
    let multi = ''
    const at = i
    if (c < 128) {
      if (ENC[c]! & B64) {
        if (runStart < 0) runStart = i
      } else if (runStart >= 0) {
        endRun(text, runStart, i, sig.runs)
        runStart = -1
      }
      e = foldTable[c]! // ASCII is filled eagerly
      if (c === 64 || c === 36) {
        if (c === 64) sig.at++
        const next = i + 1 < n ? text.charCodeAt(i + 1) : 0
        if (tokenLen > 0 && isAsciiWord(next) && next > 57) {
          e = WORD | LEET_TABLE[c]!
          sig.leet++
        }
      } else if (c >= 48 && c <= 57) {
        sig.digits++
        const leet = leetLetter(text, i, c, tokenLen > 0 && len > 0 && out[len - 1]! >= 97, tokenLen, sig.leet)
        e = WORD | (leet !== 0 ? leet : 48)
        if (leet !== 0) sig.leet++
      } else if (c === 60 && text.startsWith('<!--', i)) {
        // An HTML comment renders as nothing: skip it without a word break ("ig<!-- -->nore").
        if (nextClose < i && nextClose !== -1) nextClose = text.indexOf('-->', i + 4)
        if (nextClose >= 0) {
          sig.comments++
          if (nextClose - i > 8 && commentText.length < MAX_HIDDEN)
            commentText += `${text.slice(i + 4, Math.min(nextClose, i + 4 + MAX_HIDDEN - commentText.length))}\n`
          i = nextClose + 2
          continue
        }
      } else if (c === 37) {
        if (isHexDigit(i + 1 < n ? text.charCodeAt(i + 1) : 0) && isHexDigit(i + 2 < n ? text.charCodeAt(i + 2) : 0))
          sig.percent++
      } else if (c === 92) {
        const k = i + 1 < n ? text.charCodeAt(i + 1) : 0
        if (k === 117 || k === 120) sig.backslash++
      } else if (c === 38) {
        const k = i + 1 < n ? text.charCodeAt(i + 1) : 0
        if (k === 35 || k === 108 || k === 103) sig.ampersand++ // &# &lt &gt
      } else if (c === 58) sig.colons++
      if (e & WORD && c >= 65) asciiLetter = true
    } else {
      if (runStart >= 0) {
        endRun(text, runStart, i, sig.runs)
        runStart = -1
      }
      e = 0
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
        const lo = i + 1 < n ? text.charCodeAt(i + 1) : 0
        if (lo >= 0xdc00 && lo <= 0xdfff) {
          const cp = ((c - 0xd800) << 10) + (lo - 0xdc00) + 0x10000
          i++
          if (cp >= 0xe0000 && cp <= 0xe007f) {
            sig.tags++
            if (cp >= 0xe0020 && cp <= 0xe007e && tagText.length < MAX_HIDDEN)
              tagText += String.fromCharCode(cp - 0xe0000)
            continue
          }
          const f = foldAstral(cp)
          if (f.flags & VARIATION) {
            if (vsBytes.length < MAX_HIDDEN) vsBytes.push(cp - 0xe0100 + 16)
            vsRun++
            sig.variation++
            continue
          }
          e = f.flags
          if (f.out.length === 1) e |= f.out.charCodeAt(0)
          else if (f.out.length > 1) {
            e |= MULTI
            multi = f.out
          }
        }
      }
      if (e === 0) {
        e = foldTable[c]!
        if (e === 0) e = foldUnit(c)
        if (e & MULTI) multi = multiFold(c)
      }
      if (e & INVISIBLE) {
        if (e & VARIATION) {
          vsRun++
          if (vsBytes.length < MAX_HIDDEN) vsBytes.push(c - 0xfe00)
          if (!afterSymbol || vsRun > 1) sig.variation++
          continue
        }
        if (e & BIDI) sig.bidi++
        if (afterSymbol && c === 0x200d) continue
        sig.invisible++
        if (tokenLen > 0) sig.invisibleInWords++
        continue
      }
      if (e & DROP) continue
      if (!(e & WORD)) afterSymbol = c >= 0x2000
    }
    if (e & WORD) {
      // Emit one word char (or a multi-char fold) — first deciding on the separator before it: a single
      // punctuation mark inside a word ("ig-no.re") or a single space between one-letter tokens ("i g n") joins.
      if (seps > 0 && len > 0) {
        const join =
          seps === 1 &&
          ((!sepIsSpace && !sepIsElision && lastTokenLen > 0) ||
            (sepIsSpace && lastTokenLen === 1 && !isAsciiWord(i + 1 < n ? text.charCodeAt(i + 1) : 0)))
        if (join) {
          sig.joins++
          // The look-alike count goes by segment: "API-версии" joins for matching, but is two scripts side by
          // side, not a word spelt with look-alikes ("іg-nоre" still counts: each half mixes on its own).
          if (!sepIsSpace) {
            if (wordAscii && wordConfusable) sig.mixedWords++
            wordAscii = wordConfusable = false
          }
        } else {
          out[len] = 32
          origin[len++] = at
          if (wordAscii && wordConfusable) sig.mixedWords++
          wordAscii = wordConfusable = false
        }
      }
      seps = 0
      // Only now, with the word before the separator judged, does this ASCII letter mark its own word.
      if (asciiLetter) wordAscii = true
      asciiLetter = false
      if (e & CONFUSABLE) wordConfusable = true
      if (len + multi.length + 2 > cap) {
        cap = cap * 2 + multi.length
        out = grownCopy(out, new Uint16Array(cap))
        origin = grownCopy(origin, new Int32Array(cap))
      }
      if (multi.length > 0) {
        for (let k = 0; k < multi.length; k++) {
          out[len] = multi.charCodeAt(k)
          origin[len++] = at
        }
      } else {
        out[len] = e & 0xffff
        origin[len++] = at
      }
      tokenLen++
      vsRun = 0
      afterSymbol = false
      continue
    }
    if (c < 128) afterSymbol = false
    // A separator: ends the current token.
    if (tokenLen > 0) {
      lastTokenLen = tokenLen
      tokenLen = 0
    }
    seps++
    // Line breaks, tabs and markup brackets separate words like a space: `<td>Ignore previous` must not fold to
    // "tdignore" (HTML-table injections), while a single `.` or `-` inside a word still joins ("ig-no.re").
    sepIsSpace = c === 10 || c === 13 || c === 9 || c === 60 || c === 62
    // "l'instruction", "qu'il", "dell'istruzione": the apostrophe after an elided article or pronoun separates like a
    // space, so the word after it starts a word (as keyword stems must). Within a longer word it still joins.
    sepIsElision = seps === 1 && (c === 0x27 || c === 0x2019) && isElided(out, len, lastTokenLen)
    vsRun = 0
  }
  if (runStart >= 0) endRun(text, runStart, n, sig.runs)
  if (wordAscii && wordConfusable) sig.mixedWords++
  return { text: out, origin, length: len, signals: sig, tagText, vsBytes, commentText }
}

/** The token just emitted (`tokenLen` view chars before `len`) is an elided French/Italian article or pronoun: one
 * letter (l', d', j', s', c', n', m', t'), "qu", or a short word ending in l (dell', nell', all', sull', dall'). */
function isElided(out: Uint16Array, len: number, tokenLen: number): boolean {
  if (tokenLen === 1) return true
  const last = out[len - 1]
  if (tokenLen === 2 && out[len - 2] === 113 && last === 117) return true // qu
  return tokenLen <= 4 && tokenLen >= 3 && last === 108 && out[len - 2] === 108 // -ll
}

/** The view as a string (tests, debugging, training). */
export function viewString(view: NormView): string {
  let s = ''
  for (let i = 0; i < view.length; i++) s += String.fromCharCode(view.text[i]!)
  return s
}
