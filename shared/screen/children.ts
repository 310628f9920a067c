// Encoded payloads: decode what the normaliser flagged (base64/hex runs, %XX, \uXXXX, entities, Unicode tags,
// variation-selector bytes, rot13, HTML comment bodies, space-separated byte groups, Morse) and rescan each one a
// level deeper. A shared byte budget and the depth limit
// keep the total work linear in the input, however the encodings nest.
import {
  decodeBase64,
  decodeEntities,
  decodeEscapes,
  decodeHex,
  decodePercent,
  decodeVariationBytes,
  rot13,
} from './decode.ts'
import { decodeMorse, decodeSpacedBytes } from './decode-groups.ts'
import { type CompiledScreen, emptyResult, scanInto, type TextResult } from './engine.ts'
import type { NormView } from './normalize.ts'

const MIN_ESCAPES = 3 // fewer escapes than this are ordinary text (a stray "%20" or "&amp;")
const MIN_GROUP_DIGITS = 8 // digits of a few hex pairs or one binary byte: below this no byte run can be long enough
// Cheap native gates for the byte-group and Morse decoders (a JS pass over every token of every text with digits cost
// a fifth of the whole scan): four groups in a row (hex pairs of ASCII text start with a digit), written with
// fixed-size quantifiers only, so the regex engine's work per start position is bounded and the test stays linear.
const BYTE_GROUPS = /(?:[01]{8}[ \n]){3}[01]{8}|(?:[0-9][0-9a-f][ \n]){3}[0-9][0-9a-f](?![0-9a-z])/i
const MORSE_GROUPS = /(?:[.-]{1,6} ){3}[.-]{1,6}/
const MAX_CHILDREN = 16 // decoded payloads rescanned per text
const MAX_PAYLOAD = 32_768 // chars of one encoded run decoded (multiple of 4 and 2: base64 and hex stay aligned)

interface Budget {
  decoded: number
}

function isHexRun(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i) | 32
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false
  }
  return true
}

/** Decodes and rescans the payloads of `text`; returns the highest attack probability among them (0 if none). */
export function decodeChildren(
  compiled: CompiledScreen,
  text: string,
  view: NormView,
  depth: number,
  budget: Budget,
  r: TextResult,
  rot13Likely: boolean,
): number {
  const s = view.signals
  const payloads: { kind: string; text: string | null; start: number; end: number }[] = []
  for (let k = 0; k + 1 < s.runs.length && payloads.length < MAX_CHILDREN; k += 2) {
    const start = s.runs[k]!
    const end = Math.min(s.runs[k + 1]!, start + MAX_PAYLOAD) // an instruction fits in 32 KB; the rest is padding
    if (budget.decoded < end - start) break
    const hex = isHexRun(text, start, end)
    const decoded = hex ? decodeHex(text, start, end) : decodeBase64(text, start, end)
    budget.decoded -= end - start
    payloads.push({ kind: hex ? 'hex' : 'base64', text: decoded, start, end })
  }
  // A whole-text decoder is charged only when it finds something: a gate that lets one through for nothing (the
  // digits of a base64 run open the byte-group decoder) must not use up the budget of the payload it sits in. Each
  // runs at most once per level, so the work stays linear.
  const whole = (kind: string, decode: () => string | null): void => {
    if (payloads.length >= MAX_CHILDREN || budget.decoded < text.length) return
    const decoded = decode()
    if (decoded === null) return
    budget.decoded -= text.length
    payloads.push({ kind, text: decoded, start: 0, end: text.length })
  }
  if (s.percent >= MIN_ESCAPES) whole('percent', () => decodePercent(text, MIN_ESCAPES))
  if (s.backslash >= MIN_ESCAPES) whole('escapes', () => decodeEscapes(text, MIN_ESCAPES))
  if (s.ampersand >= MIN_ESCAPES) whole('entities', () => decodeEntities(text, MIN_ESCAPES))
  if (rot13Likely) whole('rot13', () => rot13(text))
  // Byte groups and Morse: gated on the digits the normaliser counted / a native search, then the regex gates above.
  if (s.digits >= 2 * MIN_GROUP_DIGITS && BYTE_GROUPS.test(text)) whole('spaced_bytes', () => decodeSpacedBytes(text))
  if ((text.indexOf('.-') >= 0 || text.indexOf('-.') >= 0) && MORSE_GROUPS.test(text))
    whole('morse', () => decodeMorse(text))
  if (view.commentText.length >= 8)
    payloads.push({ kind: 'html_comment', text: view.commentText, start: 0, end: text.length })
  if (view.tagText.length >= 4) payloads.push({ kind: 'unicode_tags', text: view.tagText, start: 0, end: text.length })
  if (s.variation >= 4)
    payloads.push({ kind: 'variation_selectors', text: decodeVariationBytes(view.vsBytes), start: 0, end: text.length })
  let best = 0
  for (const payload of payloads) {
    if (payload.text === null || budget.decoded < payload.text.length) continue
    budget.decoded -= payload.text.length
    const child = emptyResult()
    const p = scanInto(compiled, payload.text, depth + 1, budget, child)
    r.work += child.work
    for (const [c, v] of Object.entries(child.scores)) {
      const key = c as keyof TextResult['scores']
      if (v > r.scores[key]) r.scores[key] = v
    }
    for (const id of child.rules) r.rules.add(id)
    if (child.sureLogit > r.sureLogit) r.sureLogit = child.sureLogit
    for (const t of child.tenantHits) r.tenantHits.add(t)
    r.rules.add(`decoded.${payload.kind}`)
    if (p > best) best = p
    if (p >= 0.5) {
      r.scores.smuggling = Math.max(r.scores.smuggling, p)
      if (depth === 0 && r.spans.length < 64)
        r.spans.push({
          start: payload.start,
          end: payload.end,
          detection: payload.kind,
          detection_type: 'smuggling',
          score: p,
        })
    }
  }
  return best
}
