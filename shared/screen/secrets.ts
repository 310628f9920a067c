// Credential detectors, keyword-gated then validated: each provider's literal prefix is found with indexOf
// (native, no regex), then the token after it is checked for the provider's length, alphabet and, where the
// format has one, its checksum (GitHub's CRC32, a JWT's JSON header). Token scans are bounded, so cost is linear.
import type { Finding } from './pii.ts'

export const SECRET_TYPES = [
  'openai_key',
  'anthropic_key',
  'aws_access_key',
  'github_token',
  'slack_token',
  'stripe_key',
  'google_api_key',
  'private_key',
  'jwt',
] as const
export type SecretType = (typeof SECRET_TYPES)[number]

const MAX_TOKEN = 256 // longest token body we read after a prefix
const MAX_PEM = 16_384 // longest PEM block we look for an END line in

const isAlnum = (c: number): boolean => (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122)
const isTokenChar = (c: number): boolean => isAlnum(c) || c === 45 || c === 95
const isB64Url = (c: number): boolean => isAlnum(c) || c === 45 || c === 95

/** End of the run of token chars starting at `from` (bounded). */
function runEnd(text: string, from: number, ok: (c: number) => boolean = isTokenChar): number {
  let j = from
  while (j < text.length && j - from < MAX_TOKEN && ok(text.charCodeAt(j))) j++
  return j
}

const boundaryBefore = (text: string, i: number): boolean => i === 0 || !isTokenChar(text.charCodeAt(i - 1))

let crcTable: Int32Array | null = null
export function crc32(s: string): number {
  if (crcTable === null) {
    crcTable = new Int32Array(256)
    for (let n = 0; n < 256; n++) {
      let c = n
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
      crcTable[n] = c
    }
  }
  let crc = -1
  for (let i = 0; i < s.length; i++) crc = crcTable[(crc ^ s.charCodeAt(i)) & 0xff]! ^ (crc >>> 8)
  return (crc ^ -1) >>> 0
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
export function base62(n: number, width: number): string {
  let s = ''
  for (let v = n; v > 0; v = Math.floor(v / 62)) s = BASE62[v % 62] + s
  return s.padStart(width, '0')
}

/** GitHub tokens end in a base62 CRC32 of the prefix + random part (6 chars). */
export function githubChecksumValid(token: string): boolean {
  const body = token.slice(0, -6)
  return base62(crc32(body), 6) === token.slice(-6)
}

function hasDigitAndLetter(s: string): boolean {
  let d = false
  let l = false
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 48 && c <= 57) d = true
    else if ((c | 32) >= 97 && (c | 32) <= 122) l = true
  }
  return d && l
}

interface PrefixRule {
  readonly prefix: string
  /** Returns the end offset of a valid token starting at `start`, or -1. */
  readonly validate: (text: string, start: number) => number
  readonly type: SecretType
  readonly score: number
}

const bodyRule =
  (min: number, max: number, ok?: (c: number) => boolean) => (text: string, start: number, skip: number) => {
    const end = runEnd(text, start + skip, ok)
    const len = end - start - skip
    return len >= min && len <= max && hasDigitAndLetter(text.slice(start + skip, end)) ? end : -1
  }

const RULES: readonly PrefixRule[] = [
  {
    prefix: 'sk-',
    type: 'openai_key',
    score: 1,
    validate: (t, s) => (t.startsWith('sk-ant-', s) ? -1 : bodyRule(32, 200)(t, s, 3)),
  },
  { prefix: 'sk-ant-', type: 'anthropic_key', score: 1, validate: (t, s) => bodyRule(40, 200)(t, s, 7) },
  {
    prefix: 'AKIA',
    type: 'aws_access_key',
    score: 1,
    validate: (t, s) => {
      const end = runEnd(t, s, isAlnum)
      return end - s === 20 && /^[A-Z0-9]+$/.test(t.slice(s, end)) ? end : -1
    },
  },
  {
    prefix: 'ASIA',
    type: 'aws_access_key',
    score: 1,
    validate: (t, s) => (/^ASIA[A-Z0-9]{16}$/.test(t.slice(s, runEnd(t, s, isAlnum))) ? s + 20 : -1),
  },
  ...['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'].map(
    (prefix): PrefixRule => ({
      prefix,
      type: 'github_token',
      score: 1,
      validate: (t, s) => {
        const end = runEnd(t, s + 4, isAlnum)
        return end - s === 40 && githubChecksumValid(t.slice(s, end)) ? end : -1
      },
    }),
  ),
  { prefix: 'github_pat_', type: 'github_token', score: 1, validate: (t, s) => bodyRule(70, 100)(t, s, 11) },
  ...['xoxb-', 'xoxp-', 'xoxa-', 'xoxr-', 'xoxs-', 'xapp-'].map(
    (prefix): PrefixRule => ({ prefix, type: 'slack_token', score: 1, validate: (t, s) => bodyRule(20, 200)(t, s, 5) }),
  ),
  ...['sk_live_', 'sk_test_', 'rk_live_', 'rk_test_'].map(
    (prefix): PrefixRule => ({
      prefix,
      type: 'stripe_key',
      score: 1,
      validate: (t, s) => bodyRule(20, 120, isAlnum)(t, s, 8),
    }),
  ),
  {
    prefix: 'AIza',
    type: 'google_api_key',
    score: 1,
    validate: (t, s) => (runEnd(t, s + 4) - s === 39 ? s + 39 : -1),
  },
  {
    prefix: '-----BEGIN ',
    type: 'private_key',
    score: 1,
    validate: (t, s) => {
      const eol = t.indexOf('-----', s + 11)
      if (eol < 0 || eol - s > 80 || !t.slice(s, eol).endsWith('PRIVATE KEY')) return -1
      const end = t.indexOf('-----END ', eol + 5)
      if (end < 0 || end - s > MAX_PEM) return Math.min(t.length, eol + 5 + 64)
      const close = t.indexOf('-----', end + 9)
      return close < 0 ? end + 9 : close + 5
    },
  },
  { prefix: 'eyJ', type: 'jwt', score: 0.9, validate: jwtEnd },
]

/** A JWS compact serialisation (RFC 7515 §7.1) whose header decodes to JSON with an "alg". */
function jwtEnd(text: string, start: number): number {
  const h = runEnd(text, start, isB64Url)
  if (text.charCodeAt(h) !== 46 || h - start < 10) return -1
  const p = runEnd(text, h + 1, isB64Url)
  if (text.charCodeAt(p) !== 46 || p - h < 10) return -1
  const sEnd = runEnd(text, p + 1, isB64Url)
  try {
    const header = JSON.parse(atob(text.slice(start, h).replace(/-/g, '+').replace(/_/g, '/'))) as unknown
    if (typeof header !== 'object' || header === null || !('alg' in header)) return -1
  } catch {
    return -1
  }
  return sEnd
}

/** Every credential prefix the detectors know: a stream guard holds back a tail that could still grow into one. */
export const SECRET_PREFIXES: readonly string[] = RULES.map((r) => r.prefix)

// Rules by the first two chars of their prefix (dense table; a sparse JS array would be a slow dictionary).
const PAIR_INDEX = new Int8Array(128 * 128).fill(-1)
const PAIR_RULES: PrefixRule[][] = []
for (const r of RULES) {
  const k = r.prefix.charCodeAt(0) * 128 + r.prefix.charCodeAt(1)
  if (PAIR_INDEX[k] === -1) {
    PAIR_INDEX[k] = PAIR_RULES.length
    PAIR_RULES.push([])
  }
  PAIR_RULES[PAIR_INDEX[k]!]!.push(r)
}
for (const list of PAIR_RULES) list.sort((a, b) => b.prefix.length - a.prefix.length)

// Anchors: every prefix holds a '-' or '_' at a fixed offset ("sk-", "ghp_", "-----BEGIN ") or is itself rare enough
// to search for ("AKIA", "eyJ"). A credential can only start at an anchor hit minus its offset, so native indexOf
// (memchr-fast) finds the few candidate positions instead of a JS loop over every char pair (the pair loop cost more
// than the PII pass on a 4 KB prompt).
const ANCHORS: { text: string; offset: number }[] = []
for (const { prefix } of RULES) {
  const sep = prefix.search(/[-_]/)
  const anchor = sep >= 0 ? { text: prefix[sep]!, offset: sep } : { text: prefix, offset: 0 }
  if (!ANCHORS.some((a) => a.text === anchor.text && a.offset === anchor.offset)) ANCHORS.push(anchor)
}
const NONE = 0x7fffffff
const heads = new Int32Array(ANCHORS.length) // next candidate start per anchor; reused (the scan is synchronous)

/** The next candidate start >= from of anchor k (NONE if none). */
function nextCandidate(text: string, k: number, from: number): number {
  const a = ANCHORS[k]!
  const at = text.indexOf(a.text, from + a.offset)
  return at < 0 ? NONE : at - a.offset
}

/** The credential starting at `i` (pushed to `out`), as the pair table and the rules say; returns its end or -1. */
function tryAt(text: string, i: number, out: Finding[]): number {
  const c = text.charCodeAt(i)
  const d = text.charCodeAt(i + 1)
  if ((c | d) >= 128) return -1
  const slot = PAIR_INDEX[c * 128 + d]!
  if (slot < 0 || (c !== 45 && !boundaryBefore(text, i))) return -1
  for (const rule of PAIR_RULES[slot]!) {
    if (!text.startsWith(rule.prefix, i)) continue
    const end = rule.validate(text, i)
    if (end > i) {
      out.push({ start: i, end, type: rule.type, score: rule.score })
      return end
    }
  }
  return -1
}

/** Every position from `from` on, in order (for anchor-dense text, where a pair loop beats many indexOf calls). A
 * sliding pair: each char is read once (as the second char, then as the first). */
function pairScan(text: string, from: number, out: Finding[]): void {
  const last = text.length - 1
  let d = text.charCodeAt(from)
  for (let i = from; i < last; i++) {
    const c = d
    d = text.charCodeAt(i + 1)
    if ((c | d) >= 128 || PAIR_INDEX[c * 128 + d]! < 0) continue
    const end = tryAt(text, i, out)
    if (end > i) {
      i = end - 1
      d = end < last ? text.charCodeAt(end) : 0 // the next pair starts at `end`; past `last` the loop stops anyway
    }
  }
}

/** All credentials in `text`, sorted by start: candidates in increasing order, each tried as the pair table says,
 * a found credential's span skipped. */
export function findSecrets(text: string): Finding[] {
  const out: Finding[] = []
  const last = text.length - 1 // a prefix needs two chars
  for (let k = 0; k < ANCHORS.length; k++) heads[k] = nextCandidate(text, k, 0)
  for (let tried = 0; ; tried++) {
    let i = NONE
    for (let k = 0; k < ANCHORS.length; k++) if (heads[k]! < i) i = heads[k]!
    if (i >= last) break
    if (tried > 8 + (i >> 4)) {
      // More than one candidate per 16 chars so far (a flood of '-' or anchors): visit every position instead.
      pairScan(text, i, out)
      break
    }
    const end = tryAt(text, i, out)
    const from = end > i ? end : i + 1
    for (let k = 0; k < ANCHORS.length; k++) if (heads[k]! < from) heads[k] = nextCandidate(text, k, from)
  }
  return out
}
