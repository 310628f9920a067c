// Decoders for encoded payloads (base64, hex, percent, \uXXXX / \xXX, HTML entities, rot13, Unicode tag and
// variation-selector smuggling). Each is a single linear pass with no regex; the engine bounds how deep and how many
// bytes it decodes, and only rescans output that reads as text.

export const utf8 = new TextDecoder() // not fatal: malformed bytes become U+FFFD and fail looksLikeText
const MIN_TEXT = 8 // shorter decodings carry no instruction worth rescanning

const HEXVAL = new Int8Array(128).fill(-1)
for (let i = 0; i < 10; i++) HEXVAL[48 + i] = i
for (let i = 0; i < 6; i++) {
  HEXVAL[65 + i] = 10 + i
  HEXVAL[97 + i] = 10 + i
}
export const hexAt = (s: string, i: number): number => {
  const c = s.charCodeAt(i)
  return c < 128 ? HEXVAL[c]! : -1
}

/** True when most of the text is printable and at least a third letters, i.e. it decoded to language (code and
 * emoji-heavy jailbreaks run below half letters; random bytes fail the printable test). */
export function looksLikeText(s: string): boolean {
  if (s.length < MIN_TEXT) return false
  let bad = 0
  let letters = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 0xfffd || (c < 32 && c !== 9 && c !== 10 && c !== 13) || (c >= 127 && c < 160)) bad++
    else if ((c | 32) >= 97 && (c | 32) <= 122) letters++
    else if (c >= 0x370) letters++
  }
  return bad * 10 <= s.length && letters * 3 >= s.length
}

const B64 = new Int8Array(128).fill(-1)
for (let i = 0; i < 64; i++) B64['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.charCodeAt(i)] = i
B64[45] = 62 // '-' (base64url)
B64[95] = 63 // '_' (base64url)

/** Decodes text[start, end) as base64 / base64url; null if it does not decode to text. */
export function decodeBase64(text: string, start: number, end: number): string | null {
  const bytes = new Uint8Array(Math.floor(((end - start) * 3) / 4) + 3)
  let n = 0
  let acc = 0
  let bits = 0
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i)
    if (c === 61) break // '=' padding
    const v = c < 128 ? B64[c]! : -1
    if (v < 0) return null
    acc = ((acc << 6) | v) & 0xffffff
    bits += 6
    if (bits >= 8) {
      bits -= 8
      bytes[n++] = (acc >> bits) & 0xff
    }
  }
  const s = utf8.decode(bytes.subarray(0, n))
  return looksLikeText(s) ? s : null
}

/** Decodes text[start, end) as hex bytes; null unless every char is hex, the length is even and it reads as text. */
export function decodeHex(text: string, start: number, end: number): string | null {
  if ((end - start) % 2 !== 0) return null
  const bytes = new Uint8Array((end - start) / 2)
  for (let i = start, k = 0; i < end; i += 2, k++) {
    const hi = hexAt(text, i)
    const lo = hexAt(text, i + 1)
    if (hi < 0 || lo < 0) return null
    bytes[k] = (hi << 4) | lo
  }
  const s = utf8.decode(bytes)
  return looksLikeText(s) ? s : null
}

/** Percent-decoding (%XX, UTF-8); returns null when fewer than `minEscapes` escapes were decoded. */
export function decodePercent(text: string, minEscapes = 3): string | null {
  let out = ''
  let escapes = 0
  const bytes: number[] = []
  const flush = (): void => {
    if (bytes.length > 0) out += utf8.decode(Uint8Array.from(bytes))
    bytes.length = 0
  }
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 37 && hexAt(text, i + 1) >= 0 && hexAt(text, i + 2) >= 0) {
      bytes.push((hexAt(text, i + 1) << 4) | hexAt(text, i + 2))
      escapes++
      i += 2
      continue
    }
    flush()
    out += text[i]
  }
  flush()
  return escapes >= minEscapes ? out : null
}

/** JavaScript/JSON-style escapes: \uXXXX, \u{X..}, \xXX; null when fewer than `minEscapes` were decoded. */
export function decodeEscapes(text: string, minEscapes = 3): string | null {
  let out = ''
  let escapes = 0
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 92) {
      const kind = text.charCodeAt(i + 1)
      if (kind === 117 && text.charCodeAt(i + 2) === 123) {
        let v = 0
        let j = i + 3
        while (j < i + 10 && hexAt(text, j) >= 0) v = v * 16 + hexAt(text, j++)
        if (text.charCodeAt(j) === 125 && j > i + 3 && v <= 0x10ffff) {
          out += String.fromCodePoint(v)
          escapes++
          i = j
          continue
        }
      } else if (kind === 117 || kind === 120) {
        const digits = kind === 117 ? 4 : 2
        let v = 0
        let ok = true
        for (let k = 0; k < digits; k++) {
          const h = hexAt(text, i + 2 + k)
          if (h < 0) ok = false
          v = v * 16 + h
        }
        if (ok) {
          out += String.fromCharCode(v)
          escapes++
          i += 1 + digits
          continue
        }
      }
    }
    out += text[i]
  }
  return escapes >= minEscapes ? out : null
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: ' ', colon: ':' }

/** HTML character references (&#NN; &#xHH; and a few named ones); null when fewer than `minEscapes` decoded. */
export function decodeEntities(text: string, minEscapes = 3): string | null {
  let out = ''
  let escapes = 0
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 38) {
      const semi = text.indexOf(';', i + 1)
      if (semi > i + 1 && semi - i <= 10) {
        const body = text.slice(i + 1, semi)
        let ch: string | undefined
        if (body.charCodeAt(0) === 35) {
          const hex = (body.charCodeAt(1) | 32) === 120
          const v = Number.parseInt(body.slice(hex ? 2 : 1), hex ? 16 : 10)
          if (Number.isInteger(v) && v > 0 && v <= 0x10ffff) ch = String.fromCodePoint(v)
        } else ch = NAMED[body]
        if (ch !== undefined) {
          out += ch
          escapes++
          i = semi
          continue
        }
      }
    }
    out += text[i]
  }
  return escapes >= minEscapes ? out : null
}

export function rot13(text: string): string {
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    const lower = c | 32
    const base = c >= 97 ? 97 : 65
    out += lower >= 97 && lower <= 122 ? String.fromCharCode(((c - base + 13) % 26) + base) : text[i]
  }
  return out
}

/** Bytes hidden in variation selectors (U+FE00..FE0F = 0..15, U+E0100..E01EF = 16..255) as UTF-8 text. */
export function decodeVariationBytes(bytes: readonly number[]): string | null {
  const s = utf8.decode(Uint8Array.from(bytes))
  return looksLikeText(s) ? s : null
}
