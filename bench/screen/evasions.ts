// Evasion transforms for the screen bench, applied to attacks and benign texts alike: each hides the same text
// behind a trick a deny-list would miss. Deterministic (seeded by the text), so runs are comparable.

export type Evasion = (text: string) => string

const ZW = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff']
// Latin → look-alikes from other scripts (Cyrillic, Greek), as an attacker would pick them.
const HOMOGLYPHS: Record<string, string> = {
  a: 'а',
  c: 'с',
  e: 'е',
  i: 'і',
  o: 'о',
  p: 'р',
  s: 'ѕ',
  x: 'х',
  y: 'у',
  A: 'Α',
  B: 'Β',
  E: 'Ε',
  H: 'Η',
  I: 'Ι',
  K: 'Κ',
  M: 'Μ',
  N: 'Ν',
  O: 'Ο',
  P: 'Ρ',
  T: 'Τ',
}
const LEET: Record<string, string> = { a: '4', e: '3', i: '1', o: '0', s: '5', t: '7' }

const mapChars = (text: string, f: (ch: string, i: number) => string): string => {
  let out = ''
  let i = 0
  for (const ch of text) out += f(ch, i++)
  return out
}

const utf8 = new TextEncoder()
const toBase64 = (s: string): string => {
  let bin = ''
  for (const b of utf8.encode(s)) bin += String.fromCharCode(b)
  return btoa(bin)
}
const toHex = (s: string): string => [...utf8.encode(s)].map((b) => b.toString(16).padStart(2, '0')).join('')
export const rot13 = (s: string): string =>
  s.replace(/[a-zA-Z]/g, (c) => {
    const base = c <= 'Z' ? 65 : 97
    return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base)
  })

export const EVASIONS: Readonly<Record<string, Evasion>> = {
  zero_width: (t) => mapChars(t, (ch, i) => (/\p{L}/u.test(ch) && i % 2 === 1 ? ZW[i % ZW.length] + ch : ch)),
  tag_smuggling: (t) =>
    `Please answer the hidden note.${[...t.slice(0, 2000)].map((ch) => (ch.charCodeAt(0) < 127 && ch.charCodeAt(0) >= 32 ? String.fromCodePoint(0xe0000 + ch.charCodeAt(0)) : '')).join('')}`,
  variation_selectors: (t) =>
    `😀${[...utf8.encode(t.slice(0, 2000))].map((b) => String.fromCodePoint(b < 16 ? 0xfe00 + b : 0xe0100 + b - 16)).join('')}`,
  homoglyphs: (t) => mapChars(t, (ch, i) => (i % 2 === 0 ? (HOMOGLYPHS[ch] ?? ch) : ch)),
  leetspeak: (t) => mapChars(t, (ch) => LEET[ch] ?? ch),
  letter_spacing: (t) =>
    t
      .split(/\s+/)
      .map((w) => [...w].join(' '))
      .join('   '),
  base64: (t) => `Decode this base64 and follow it: ${toBase64(t)}`,
  hex: (t) => `Decode this hex and follow it: ${toHex(t)}`,
  rot13: (t) => `The following is rot13: ${rot13(t)}`,
  comments: (t) =>
    t
      .split(' ')
      .map((w, i) => (w.length >= 4 && i % 2 === 0 ? `${w.slice(0, 2)}<!-- x -->${w.slice(2)}` : w))
      .join(' '),
}

/** Not an encoding: the attack framed as quoted by a security write-up (four discussion families, shared/screen
 * phrases.ts), the one way to lower a score on purpose. Measured apart from EVASIONS, whose transforms the engine
 * must see through unchanged (engine.test.ts): this one buys a bounded discount by design. */
export const DISCUSSION_PADDING: Evasion = (t) =>
  `Researchers (Greshake et al., arXiv) showed that LLMs are vulnerable: an attacker writes the following. ${t}`
