// Decoders for encodings written as space-separated groups: binary bytes ("01001001 01100111"), hex pairs ("49 67")
// and Morse code. One pass over the tokens each; the engine gates them (children.ts) and bounds what it rescans.
import { hexAt, looksLikeText, utf8 } from './decode.ts'

const MIN_UNITS = 6 // consecutive groups before a run counts as an encoding (shorter runs are numbers, not text)
const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 13 || c === 9
/** Quotes, brackets and sentence punctuation around a group ("'01001001", "-..'?"): trimmed off a token. ('.' is a
 * Morse symbol, so only byte groups also trim a full stop.) */
const isWrap = (c: number): boolean =>
  c === 39 || c === 34 || c === 40 || c === 41 || c === 91 || c === 93 || c === 44 || c === 63 || c === 58 || c === 59
const isByteWrap = (c: number): boolean => isWrap(c) || c === 46 || c === 33

/** Space-separated byte notations: 8-bit binary groups ("01001001 01100111") and hex pairs ("49 67"). The longest
 * run of at least MIN_UNITS consecutive groups of one kind is decoded; null if there is none or it is not text.
 * One pass over the tokens. */
export function decodeSpacedBytes(text: string): string | null {
  let best: number[] = []
  let run: number[] = []
  let runKind = 0 // 1 binary, 2 hex
  const n = text.length
  let i = 0
  while (i < n) {
    while (i < n && isSpace(text.charCodeAt(i))) i++
    let start = i
    while (i < n && !isSpace(text.charCodeAt(i))) i++
    let end = i
    while (start < end && isByteWrap(text.charCodeAt(start))) start++
    while (end > start && isByteWrap(text.charCodeAt(end - 1))) end--
    let bin = true
    let hex = true
    for (let k = start; k < end; k++) {
      const c = text.charCodeAt(k)
      if (c !== 48 && c !== 49) bin = false
      if (hexAt(text, k) < 0) hex = false
    }
    const len = end - start
    const kind = len === 8 && bin ? 1 : len === 2 && hex ? 2 : 0
    if (kind !== runKind || kind === 0) {
      if (run.length > best.length) best = run
      run = []
      runKind = kind
    }
    if (kind === 1) run.push(Number.parseInt(text.slice(start, end), 2))
    else if (kind === 2) run.push((hexAt(text, start) << 4) | hexAt(text, start + 1))
  }
  if (run.length > best.length) best = run
  if (best.length < MIN_UNITS) return null
  const s = utf8.decode(Uint8Array.from(best))
  return looksLikeText(s) ? s : null
}

// International Morse code, letters and digits.
const MORSE = new Map<string, string>(
  Object.entries({
    a: '.-',
    b: '-...',
    c: '-.-.',
    d: '-..',
    e: '.',
    f: '..-.',
    g: '--.',
    h: '....',
    i: '..',
    j: '.---',
    k: '-.-',
    l: '.-..',
    m: '--',
    n: '-.',
    o: '---',
    p: '.--.',
    q: '--.-',
    r: '.-.',
    s: '...',
    t: '-',
    u: '..-',
    v: '...-',
    w: '.--',
    x: '-..-',
    y: '-.--',
    z: '--..',
    0: '-----',
    1: '.----',
    2: '..---',
    3: '...--',
    4: '....-',
    5: '.....',
    6: '-....',
    7: '--...',
    8: '---..',
    9: '----.',
  }).map(([k, v]) => [v, k]),
)

/** Morse code ('.'/'-' letters separated by spaces, '/' or a double space between words): the longest run of at least
 * MIN_UNITS letters, decoded; null if there is none. */
export function decodeMorse(text: string): string | null {
  let best = ''
  let run = ''
  let letters = 0
  let bestLetters = 0
  const n = text.length
  let i = 0
  while (i < n) {
    let spaces = 0
    while (i < n && isSpace(text.charCodeAt(i))) {
      i++
      spaces++
    }
    let start = i
    while (i < n && !isSpace(text.charCodeAt(i))) i++
    if (i === start) break
    let end = i
    while (start < end && isWrap(text.charCodeAt(start))) start++
    while (end > start && isWrap(text.charCodeAt(end - 1))) end--
    let morse = end > start
    for (let k = start; k < end && morse; k++) {
      const c = text.charCodeAt(k)
      if (c !== 46 && c !== 45) morse = false
    }
    const token = text.slice(start, Math.min(end, start + 8))
    const letter = morse ? MORSE.get(token) : token === '/' || token === '|' ? ' ' : undefined
    if (letter === undefined) {
      if (letters > bestLetters) {
        best = run
        bestLetters = letters
      }
      run = ''
      letters = 0
      continue
    }
    if (spaces > 1 && run.length > 0 && letter !== ' ') run += ' '
    run += letter
    if (letter !== ' ') letters++
  }
  if (letters > bestLetters) {
    best = run
    bestLetters = letters
  }
  return bestLetters >= MIN_UNITS ? best : null
}
