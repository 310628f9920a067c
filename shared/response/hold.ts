// How much of a window's tail to hold back: per enabled detector, the tail that could still grow into a match (a
// credential prefix, a link marker, a `[PLACEHOLDER` prefix, a PEM block without its END line, a number, a word
// while e-mail detection is on). Everything before it goes out at once; prose with the default policy holds nothing.
import { SECRET_PREFIXES } from '../screen/secrets.ts'
import { type CompiledResponse, isSpace, isTokenChar } from './detect.ts'

/** Longest span a window holds back: a PEM private-key block (RSA-4096 ≈ 3.3 KB); every other detector's span is
 * shorter (a JWT ≤ 3 × 256 + 2 chars, an e-mail ≤ 64 + 1 + 255, a URL is capped at 2048 chars). */
export const MAX_HOLD_CHARS = 4096
const MAX_NUMBER_CHARS = 48 // a card/IBAN/phone with separators (the PII scanner reads at most 40, an IBAN 34 + 8)
const MAX_PLACEHOLDER_CHARS = 40 // "[IP_ADDRESS_123456]" and margin

const isNumberChar = (c: number, letters: boolean): boolean =>
  (c >= 48 && c <= 57) ||
  c === 32 ||
  c === 43 ||
  c === 40 ||
  c === 41 ||
  c === 45 ||
  c === 46 ||
  (letters && c >= 65 && c <= 90)

/** Earliest offset (>= floor) from which the tail of `text` could still become a match of an enabled detector. */
export function holdFrom(c: CompiledResponse, text: string, floor: number, restoring: boolean): number {
  const n = text.length
  const lo = Math.max(floor, n - MAX_HOLD_CHARS)
  let run = n
  while (run > lo && !isSpace(text.charCodeAt(run - 1))) run--
  let hold = n
  const p = c.policy
  if (p.secret.action !== 'off') hold = Math.min(hold, secretHold(text, run, n), pemHold(text, lo))
  if (p.pii.action !== 'off') {
    if (c.piiTypes.has('email')) hold = Math.min(hold, run) // any word could be an e-mail's local part
    if (c.numericPii) hold = Math.min(hold, numberHold(text, lo, n, c.piiTypes.has('iban')))
  }
  if (restoring) hold = Math.min(hold, placeholderHold(text, lo, n))
  if (p.exfiltration.action !== 'off') hold = Math.min(hold, linkHold(text, run, n))
  if (c.rules.length > 0) hold = Math.min(hold, n - p.maxRuleMatchChars)
  return Math.max(hold, lo)
}

// The credential prefixes by their first char: a boundary starting with any other char cannot begin one.
const SECRET_BY_FIRST = new Map<number, string[]>()
for (const p of SECRET_PREFIXES) {
  const list = SECRET_BY_FIRST.get(p.charCodeAt(0)) ?? []
  list.push(p)
  SECRET_BY_FIRST.set(p.charCodeAt(0), list)
}

/** A credential starts at a token boundary with a known prefix: hold from the first boundary whose tail is a
 * prefix, or is a prefix of one (`sk` may become `sk-…`). */
function secretHold(text: string, run: number, n: number): number {
  for (let i = run; i < n; i++) {
    const c = text.charCodeAt(i)
    const prefixes = SECRET_BY_FIRST.get(c)
    if (prefixes === undefined || (i > run && c !== 45 && isTokenChar(text.charCodeAt(i - 1)))) continue
    const tail = n - i < 16 ? text.slice(i) : null // every prefix is shorter than 16 chars
    for (const prefix of prefixes)
      if (tail !== null && tail.length < prefix.length ? prefix.startsWith(tail) : text.startsWith(prefix, i)) return i
  }
  return n
}

/** A PEM block whose END line has not fully arrived is held whole (it is redacted as one span). */
function pemHold(text: string, lo: number): number {
  const begin = text.lastIndexOf('-----BEGIN ')
  if (begin < lo) return text.length
  const end = text.indexOf('-----END ', begin)
  return end < 0 || text.indexOf('-----', end + 9) < 0 ? begin : text.length
}

function numberHold(text: string, lo: number, n: number, letters: boolean): number {
  let j = n
  let digit = false
  while (j > lo && n - j < MAX_NUMBER_CHARS && isNumberChar(text.charCodeAt(j - 1), letters)) {
    const d = text.charCodeAt(j - 1)
    if (d >= 48 && d <= 57) digit = true
    j--
  }
  return digit ? j : n
}

const PLACEHOLDER_PREFIX = /^\[(?:[A-Z][A-Z_]{0,30}(?:_\d{0,6})?)?$/

function placeholderHold(text: string, lo: number, n: number): number {
  const open = text.lastIndexOf('[')
  if (open < lo || n - open > MAX_PLACEHOLDER_CHARS) return n
  return PLACEHOLDER_PREFIX.test(text.slice(open)) ? open : n
}

const LINK_MARKERS = ['](', ']:', 'src=', 'href=', 'http', '//'] as const

const LINK_WORDS = ['src=', 'href=', 'http'] as const // markers a word can still be in the middle of
// ] = / < [ ! : — a run without one of these holds no complete link marker
const isLinkChar = (c: number): boolean =>
  c === 93 || c === 61 || c === 47 || c === 60 || c === 91 || c === 33 || c === 58

function linkHold(text: string, run: number, n: number): number {
  if (run === n) return n
  let marked = false
  for (let i = run; i < n && !marked; i++) marked = isLinkChar(text.charCodeAt(i))
  if (!marked) {
    // A plain word: it is a link only if it is still becoming "src=", "href=" or "http…".
    if (n - run > 4) return text.slice(run, n).toLowerCase().includes('http') ? run : n
    const word = text.slice(run, n).toLowerCase()
    return LINK_WORDS.some((m) => m.startsWith(word)) ? run : n
  }
  const tail = text.slice(run).toLowerCase()
  const last = tail.charCodeAt(tail.length - 1)
  if (last === 93 || last === 33 || last === 91 || last === 60) return run // ] ! [ < : a link may start here
  if (LINK_MARKERS.some((m) => tail.includes(m))) return run
  // A marker still being written ("sr" of src=, "htt" of http) where a word starts: only the last 4 chars matter.
  for (let i = Math.max(0, tail.length - 4); i < tail.length; i++) {
    if (i > 0 && isTokenChar(tail.charCodeAt(i - 1))) continue
    const rest = tail.slice(i)
    if (LINK_WORDS.some((m) => m.length > rest.length && m.startsWith(rest))) return run
  }
  return n
}
