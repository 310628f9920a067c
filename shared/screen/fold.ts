// Per-character folding for the screen's normalised view: NFKD + diacritic removal, case folding and
// confusable-skeleton folding (Unicode confusables, generated table in model/confusables.json).
// Results are cached lazily per code unit in a typed array, so the hot loop costs one lookup per char and the
// isolate never pays to fold characters it has not seen.
import confusablesData from './model/confusables.json' with { type: 'json' }

/** Flag bits in a BMP table entry; the low 16 bits hold the folded code unit. */
export const WORD = 1 << 16 // letter or digit: part of a word
export const DROP = 1 << 17 // emits nothing (combining diacritic, zalgo)
export const MULTI = 1 << 18 // folds to several chars (ligatures, ½): see MULTI_FOLD
export const INVISIBLE = 1 << 19 // format / invisible character: removed and counted as a smuggling signal
export const BIDI = 1 << 20 // bidirectional control
export const VARIATION = 1 << 21 // variation selector
export const CONFUSABLE = 1 << 22 // a non-Latin look-alike folded onto a Latin letter
export const KNOWN = 1 << 23

/** The cache itself, for the normaliser's hot loop: read it inline and call foldUnit only on a 0 (not yet folded).
 * A call per char depended on V8 inlining foldUnit into a large loop, which it stops doing when that loop grows. */
export const FOLD_TABLE = new Int32Array(65536)
const table = FOLD_TABLE
const MULTI_FOLD = new Map<number, string>()
const CONFUSABLES = new Map<number, string>()
{
  const from = [...confusablesData.from]
  const to = confusablesData.to
  for (let i = 0; i < from.length; i++) CONFUSABLES.set(from[i]!.codePointAt(0)!, to[i]!)
}

const isMark = (ch: string): boolean => /\p{M}/u.test(ch)
const isWordChar = (ch: string): boolean => /[\p{L}\p{N}]/u.test(ch)

/** Combining marks that are decoration in Latin/Greek/Cyrillic (diacritics, zalgo); Indic/Thai vowel signs are kept. */
function isDecorativeMark(cp: number): boolean {
  return (
    cp < 0x0590 ||
    (cp >= 0x1ab0 && cp <= 0x1aff) ||
    (cp >= 0x1dc0 && cp <= 0x1dff) ||
    (cp >= 0x20d0 && cp <= 0x20ff) ||
    (cp >= 0xfe20 && cp <= 0xfe2f)
  )
}

function isVariationSelector(cp: number): boolean {
  return (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef)
}

function isBidi(cp: number): boolean {
  return (
    cp === 0x200e || cp === 0x200f || cp === 0x061c || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)
  )
}

/** Invisible or format characters that render as nothing (Cf, plus fillers and blanks that are letters or spaces). */
function isInvisible(cp: number): boolean {
  if (cp === 0x034f || cp === 0x115f || cp === 0x1160 || cp === 0x3164 || cp === 0xffa0 || cp === 0x2800) return true
  if (cp === 0x180e || cp === 0xfeff || cp === 0x00ad) return true
  return /\p{Cf}/u.test(String.fromCodePoint(cp))
}

/** Folds one code point to its skeleton string (may be empty or several chars) and its flags. */
export function foldCodePoint(cp: number): { out: string; flags: number } {
  if (isVariationSelector(cp)) return { out: '', flags: VARIATION | INVISIBLE }
  if (isBidi(cp)) return { out: '', flags: BIDI | INVISIBLE }
  if (isInvisible(cp)) return { out: '', flags: INVISIBLE }
  const ch = String.fromCodePoint(cp)
  if (isMark(ch)) return isDecorativeMark(cp) ? { out: '', flags: DROP } : { out: ch, flags: WORD }
  let out = ''
  let confusable = false
  const latinExtended = cp >= 0x100 && cp <= 0x24f
  for (const part of ch.normalize('NFKD')) {
    const pcp = part.codePointAt(0)!
    if (isMark(part) && isDecorativeMark(pcp)) continue
    const lower = part.toLowerCase()
    const mapped = CONFUSABLES.get(lower.codePointAt(0)!)
    if (mapped !== undefined && lower.length === 1) {
      out += mapped
      // Latin Extended-A/B letters (Turkish ı, Azerbaijani ə …) are their own alphabets' letters: folded for
      // matching, but a word spelt with them is not a cross-script look-alike (the smuggling signal).
      if (!latinExtended) confusable = true
    } else out += lower
  }
  if (out.length === 0) return { out: '', flags: DROP }
  // A letter that folds to ASCII (e.g. full-width, math alphanumerics) is a look-alike too.
  if (
    cp > 0x7f &&
    !latinExtended &&
    /^[a-z]+$/.test(out) &&
    !/^[a-z]$/.test((ch.normalize('NFD')[0] ?? '').toLowerCase())
  )
    confusable = true
  const word = isWordChar(out[0] ?? '')
  return { out, flags: (word ? WORD : 0) | (confusable ? CONFUSABLE : 0) }
}

/** Table entry for a BMP code unit (computed on first use). Surrogates are handled by the caller. */
export function foldUnit(unit: number): number {
  const cached = table[unit]!
  if (cached !== 0) return cached
  const { out, flags } = foldCodePoint(unit)
  let entry = flags | KNOWN
  if (out.length === 1) entry |= out.charCodeAt(0)
  else if (out.length > 1) {
    entry |= MULTI
    MULTI_FOLD.set(unit, out)
  } else entry |= DROP
  table[unit] = entry
  return entry
}

export function multiFold(unit: number): string {
  return MULTI_FOLD.get(unit) ?? ''
}

const astral = new Map<number, { out: string; flags: number }>()
/** Astral code points (math alphanumerics, tags, emoji): cached in a Map, they are rare. */
export function foldAstral(cp: number): { out: string; flags: number } {
  let hit = astral.get(cp)
  if (hit === undefined) {
    hit = cp >= 0xe0000 && cp <= 0xe007f ? { out: '', flags: INVISIBLE } : foldCodePoint(cp)
    if (astral.size < 4096) astral.set(cp, hit)
  }
  return hit
}

// ASCII fast path, filled eagerly: lower-case letters and digits are words; everything else separates.
for (let c = 0; c < 128; c++) {
  const lower = c >= 65 && c <= 90 ? c + 32 : c
  const word = (c >= 48 && c <= 57) || (lower >= 97 && lower <= 122)
  table[c] = KNOWN | (word ? WORD : 0) | lower
}

/** Folds a whole string with the same rules (used to compile phrases into the automaton's alphabet). */
export function foldString(text: string): string {
  let out = ''
  for (const ch of text) {
    const cp = ch.codePointAt(0)!
    const f = cp > 0xffff ? foldAstral(cp) : foldCodePoint(cp)
    if (f.flags & INVISIBLE) continue
    out += f.out
  }
  return out
}
