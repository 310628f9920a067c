// System-prompt leakage: the request's system/developer text is fingerprinted as hashed shingles of SHINGLE_WORDS
// consecutive words (in request memory only, never stored), and an answer is followed word by word: a run of
// consecutive shingles found in the fingerprint is an echo, and its length in characters is what the policy bounds.
// Word-level hashing ignores case and punctuation, so light reformatting does not hide an echo.

export const SHINGLE_WORDS = 8 // shorter shingles match common phrases; longer ones miss echoes with small edits
const MAX_SHINGLES = 65_536 // fingerprint bound per request (≈ 64 K words of system text)
const MAX_WORD_CHARS = 64 // longer "words" (base64, URLs) are hashed on their first 64 chars

const isWordChar = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c >= 128

function wordHashes(text: string, visit: (hash: number, start: number, end: number) => void): void {
  let h = 0
  let start = -1
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32
    if (isWordChar(c)) {
      if (start < 0) {
        start = i
        h = 0x811c9dc5
      }
      if (i - start < MAX_WORD_CHARS) h = Math.imul(h ^ (c >= 65 && c <= 90 ? c | 32 : c), 0x01000193) >>> 0
    } else if (start >= 0) {
      visit(h, start, i)
      start = -1
    }
  }
}

function shingle(ring: readonly number[], at: number): number {
  let h = 0x9e3779b9
  for (let k = 0; k < SHINGLE_WORDS; k++) h = Math.imul(h ^ ring[(at + k) % SHINGLE_WORDS]!, 0x85ebca6b) >>> 0
  return h
}

/** Shingle hashes of the texts (each text on its own: a shingle never spans two messages). */
export function fingerprint(texts: readonly string[]): ReadonlySet<number> {
  const out = new Set<number>()
  for (const text of texts) {
    const ring: number[] = []
    let words = 0
    wordHashes(text, (h) => {
      if (out.size >= MAX_SHINGLES) return
      ring[words % SHINGLE_WORDS] = h
      words++
      if (words >= SHINGLE_WORDS) out.add(shingle(ring, words % SHINGLE_WORDS))
    })
  }
  return out
}

/** Follows one answer field; `feed` returns the longest echo seen so far, in characters. */
export class EchoTracker {
  private readonly ring: number[] = []
  private readonly starts: number[] = []
  private words = 0
  private offset = 0 // chars fed so far
  private partial = '' // a word cut by the end of the last feed
  private runStart = -1 // offset where the current echo began, -1 when none
  private longest = 0

  constructor(private readonly prints: ReadonlySet<number>) {}

  feed(text: string, final = false): number {
    if (this.prints.size === 0) return 0
    const joined = this.partial + text
    let cut = joined.length
    if (!final) while (cut > 0 && isWordChar(joined.charCodeAt(cut - 1)) && joined.length - cut < MAX_WORD_CHARS) cut--
    const base = this.offset - this.partial.length
    wordHashes(joined.slice(0, cut), (h, start, end) => {
      const slot = this.words % SHINGLE_WORDS
      this.ring[slot] = h
      this.starts[slot] = base + start
      this.words++
      if (this.words < SHINGLE_WORDS) return
      const first = this.words % SHINGLE_WORDS
      if (this.prints.has(shingle(this.ring, first))) {
        if (this.runStart < 0) this.runStart = this.starts[first]!
        this.longest = Math.max(this.longest, base + end - this.runStart)
      } else this.runStart = -1
    })
    this.partial = joined.slice(cut)
    this.offset += text.length
    return this.longest
  }
}
