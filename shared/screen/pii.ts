// PII detectors with validators: e-mail, phone, payment card (Luhn), IBAN (ISO 13616 mod-97), US SSN (SSA
// area/group/serial rules), IPv4/IPv6. Each scans the original text once, expanding a bounded window around a cheap
// anchor ('@', a digit run, a ':'), so the cost is linear; validators keep false positives on numbers rare.

export const PII_TYPES = ['email', 'phone', 'card', 'iban', 'ssn', 'ip'] as const
export type PiiType = (typeof PII_TYPES)[number]

export interface Finding {
  readonly start: number
  readonly end: number
  readonly type: string
  readonly score: number
}

const MAX_FINDINGS = 1024 // per text: enough to redact a document; more is a flood, already decided
const MAX_PII_DIGITS = 19 // longest digit count any numeric type accepts (payment cards): longer runs are skipped
const isDigit = (c: number): boolean => c >= 48 && c <= 57
const isAlpha = (c: number): boolean => (c | 32) >= 97 && (c | 32) <= 122
const isUpper = (c: number): boolean => c >= 65 && c <= 90
const isLocal = (c: number): boolean =>
  isAlpha(c) || isDigit(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45
const isDomain = (c: number): boolean => isAlpha(c) || isDigit(c) || c === 46 || c === 45
const isHex = (c: number): boolean => isDigit(c) || ((c | 32) >= 97 && (c | 32) <= 102)

export function luhnValid(digits: string): boolean {
  let sum = 0
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2
    sum += d
  }
  return digits.length > 0 && sum % 10 === 0
}

/** ISO 13616: move the first four chars to the end, letters to 10..35, the number mod 97 must be 1. */
export function ibanValid(iban: string): boolean {
  if (iban.length < 15 || iban.length > 34) return false
  const s = iban.slice(4) + iban.slice(0, 4)
  let rem = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (isDigit(c)) rem = (rem * 10 + (c - 48)) % 97
    else if (isUpper(c)) rem = (rem * 100 + (c - 55)) % 97
    else return false
  }
  return rem === 1
}

/** SSA rules: area 001-899 except 666, group 01-99, serial 0001-9999. */
export function ssnValid(d: string): boolean {
  if (d.length !== 9) return false
  const area = Number(d.slice(0, 3))
  return area !== 0 && area !== 666 && area < 900 && d.slice(3, 5) !== '00' && d.slice(5) !== '0000'
}

function emails(text: string, out: Finding[]): void {
  let from = 0
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    let s = at
    while (s > from && at - s < 64 && isLocal(text.charCodeAt(s - 1))) s--
    let e = at + 1
    let lastDot = -1
    while (e < text.length && e - at < 255 && isDomain(text.charCodeAt(e))) {
      if (text.charCodeAt(e) === 46) lastDot = e
      e++
    }
    while (e > at + 1 && (text.charCodeAt(e - 1) === 46 || text.charCodeAt(e - 1) === 45)) e--
    if (lastDot >= e - 1) lastDot = text.lastIndexOf('.', e - 2)
    const tld = e - lastDot - 1
    if (s < at && lastDot > at + 1 && tld >= 2 && isAlpha(text.charCodeAt(e - 1))) {
      out.push({ start: s, end: e, type: 'email', score: 1 })
      from = e
      at = e - 1
    }
  }
}

/** Runs of digits with phone/card separators; each classified as card, SSN, phone or IBAN. */
// Where a number can start: a digit, '+' or '('. One char class, no quantifier: the regex engine's native loop
// skips the text between candidates about 3x faster than a JS loop over every char (prose has a few numbers per KB).
// Past one candidate per 32 chars (hex, digit floods) the per-call cost wins and the plain loop takes over.
const NUMBER_START = /[0-9+(]/g

function numbers(text: string, out: Finding[]): void {
  const n = text.length
  let dense = false
  for (let i = 0, found = 0; i < n; i++) {
    if (!dense) {
      NUMBER_START.lastIndex = i
      if (!NUMBER_START.test(text)) return
      i = NUMBER_START.lastIndex - 1
      dense = ++found > 8 + (i >> 5)
    }
    const c = text.charCodeAt(i)
    if (c > 57 || (c < 48 && c !== 43 && c !== 40)) continue
    if (i > 0 && (isDigit(text.charCodeAt(i - 1)) || isAlpha(text.charCodeAt(i - 1)))) {
      if (isDigit(c) && i >= 2 && isUpper(text.charCodeAt(i - 1)) && isUpper(text.charCodeAt(i - 2))) {
        const end = iban(text, i - 2, out)
        if (end > i) i = end - 1
      }
      continue
    }
    let j = i
    let digits = 0
    let lastSep = -2
    while (j < n && j - i < 40) {
      const d = text.charCodeAt(j)
      if (isDigit(d)) digits++
      else if (d === 32 || d === 45 || d === 46 || d === 40 || d === 41 || d === 43) {
        if (lastSep === j - 1 && !(text.charCodeAt(j - 1) === 41 && d === 32)) break
        lastSep = j
      } else break
      j++
    }
    while (j > i && !isDigit(text.charCodeAt(j - 1))) j--
    if (j < n && (isAlpha(text.charCodeAt(j)) || isDigit(text.charCodeAt(j)))) {
      i = j
      continue
    }
    // Every numeric PII type has 7 to 19 digits (card ≤ 19, phone ≤ 15, IPv4 ≤ 12, SSN 9): other runs cost no slice.
    if (digits >= 7 && digits <= MAX_PII_DIGITS) {
      const raw = text.slice(i, j)
      const finding = classifyNumber(raw, raw.replace(/\D/g, ''), raw.replace(/\d/g, ''))
      if (finding) out.push({ start: i, end: j, type: finding.type, score: finding.score })
    }
    if (out.length >= MAX_FINDINGS) return
    i = Math.max(i, j - 1)
  }
}

function classifyNumber(raw: string, digits: string, seps: string): { type: PiiType; score: number } | null {
  const onlyDash = /^-*$/.test(seps)
  if (digits.length === 9 && /^\d{3}[- ]\d{2}[- ]\d{4}$/.test(raw) && ssnValid(digits)) return { type: 'ssn', score: 1 }
  if (digits.length >= 13 && digits.length <= 19 && /^[ -]*$/.test(seps) && luhnValid(digits) && /^[2-6]/.test(digits))
    return { type: 'card', score: 1 }
  const intl = raw.charCodeAt(0) === 43 && digits.length >= 8 && digits.length <= 15
  const nanp = digits.length === 10 && /^\(?[2-9]\d{2}\)?[ .-]?[2-9]\d{2}[ .-]\d{4}$/.test(raw)
  const nanp1 = digits.length === 11 && /^1[ .-]\(?[2-9]\d{2}\)?[ .-][2-9]\d{2}[ .-]\d{4}$/.test(raw)
  if (intl || nanp || nanp1) return { type: 'phone', score: 0.9 }
  if (!onlyDash && /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(raw) && raw.split('.').every((p) => Number(p) <= 255))
    return { type: 'ip', score: 0.8 }
  return null
}

/** IBAN at `start` (two upper-case letters, two check digits, then groups), spaces allowed every four chars. */
function iban(text: string, start: number, out: Finding[]): number {
  // Cheap reject first (most candidates in random alphanumerics): the two check digits; no spaces can come before.
  if (start + 3 >= text.length || !isDigit(text.charCodeAt(start + 3))) return start
  let compact = ''
  let j = start
  while (j < text.length && compact.length < 34) {
    const c = text.charCodeAt(j)
    const next = j + 1 < text.length ? text.charCodeAt(j + 1) : 0 // never out of bounds (NaN deoptimises)
    if (isDigit(c) || isUpper(c)) compact += text[j]
    else if (!(c === 32 && compact.length % 4 === 0 && (isDigit(next) || isUpper(next)))) break
    j++
  }
  while (j > start && text.charCodeAt(j - 1) === 32) j--
  if (!isDigit(compact.charCodeAt(2)) || !isDigit(compact.charCodeAt(3)) || !ibanValid(compact)) return start
  out.push({ start, end: j, type: 'iban', score: 1 })
  return j
}

function ipv6(text: string, out: Finding[]): void {
  const n = text.length
  for (let i = 0; i < n; i++) {
    if (!isHex(text.charCodeAt(i)) && text.charCodeAt(i) !== 58) continue
    if (i > 0 && (isHex(text.charCodeAt(i - 1)) || isAlpha(text.charCodeAt(i - 1)) || text.charCodeAt(i - 1) === 58))
      continue
    let j = i
    while (j < n && j - i < 45 && (isHex(text.charCodeAt(j)) || text.charCodeAt(j) === 58)) j++
    const cand = text.slice(i, j)
    if (ipv6Valid(cand)) out.push({ start: i, end: j, type: 'ip', score: 0.8 })
    i = j
  }
}

export function ipv6Valid(s: string): boolean {
  const halves = s.split('::')
  if (halves.length > 2) return false
  const groups = halves.flatMap((h) => (h === '' ? [] : h.split(':')))
  if (groups.some((g) => g.length === 0 || g.length > 4)) return false
  return halves.length === 2 ? groups.length < 8 && groups.length >= 1 : groups.length === 8
}

/** All PII findings of the enabled types, sorted by start. */
/** Gates for a text scanned without the normaliser's signal counts (answers, pseudonymizing): only the e-mail
 * gate is cheap to decide exactly; the number and IPv6 passes run and find nothing if nothing is there. */
export function ungatedPii(text: string): { at: number; digits: number; colons: number } {
  return { at: text.includes('@') ? 1 : 0, digits: 7, colons: 2 }
}

export function findPii(
  text: string,
  enabled: ReadonlySet<string>,
  gates: { at: number; digits: number; colons: number },
): Finding[] {
  const out: Finding[] = []
  if (enabled.has('email') && gates.at > 0) emails(text, out)
  if (gates.digits >= 7) numbers(text, out) // every numeric PII type has at least 7 digits
  if (enabled.has('ip') && gates.colons >= 2) ipv6(text, out)
  return out
    .filter((f) => enabled.has(f.type))
    .sort((a, b) => a.start - b.start)
    .slice(0, MAX_FINDINGS)
}
