// Structural detectors on the original text: chat-template / role tokens, markdown-image and link exfiltration,
// and the smuggling score from the normaliser's signals. indexOf-driven (native, linear), bounded windows.
import type { Signals } from './normalize.ts'
import { TEMPLATE_TOKENS } from './phrases.ts'
import type { Finding } from './pii.ts'

const MAX_FINDINGS = 16 // per detector per text: enough to decide and report

const TOKENS_BY_FIRST = new Map<string, string[]>()
for (const t of TEMPLATE_TOKENS) TOKENS_BY_FIRST.set(t[0]!, [...(TOKENS_BY_FIRST.get(t[0]!) ?? []), t])
// The same tokens keyed by their first two char codes (in the same order), so an occurrence of '<' that is not
// followed by a possible second char ('< ', '<!--', '<a') costs one Map lookup, not a startsWith per token.
const TOKENS_BY_PAIR = new Map<number, string[]>()
for (const t of TEMPLATE_TOKENS) {
  const key = t.charCodeAt(0) * 65536 + t.charCodeAt(1)
  TOKENS_BY_PAIR.set(key, [...(TOKENS_BY_PAIR.get(key) ?? []), t])
}

/** A token written as a string literal in code (`stop=["<|im_end|>"]`, `tokens: '[INST]',`): the same quote on both
 * sides, then the end of the line or a separator. That names the token (API docs, prompt-format guides); a forged
 * turn puts the token where the template would, followed by a role name or the turn's text — also when the attacker
 * quotes it (`"<|im_start|>" system`: a letter after the blanks), which this never excuses. */
const LITERAL_SEPARATORS = ',])}:;'
const MAX_BLANKS = 16
const WORD_START = /[\p{L}\p{N}]/u
function quotedLiteral(text: string, start: number, end: number): boolean {
  const q = text.charCodeAt(start - 1)
  if ((q !== 34 && q !== 39 && q !== 96) || text.charCodeAt(end) !== q) return false
  let k = end + 1
  while (k < end + 1 + MAX_BLANKS && (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9)) k++
  const next = text.charCodeAt(k) // NaN at the end of the text
  if (Number.isNaN(next) || next === 10 || next === 13 || LITERAL_SEPARATORS.includes(text[k]!)) return true
  // After blanks, anything but the start of a word (prose continuing: "stops at `<|eot_id|>` — …" is a mention too).
  return k > end + 1 && !WORD_START.test(text[k]!)
}

/** Chat-template tokens ("<|im_start|>", "[INST]", "<<SYS>>", "### System:" …) other than quoted literals: visits
 * only the positions of their first chars ('<', '[', '#'), each found by native indexOf. */
export function findTemplateTokens(text: string): Finding[] {
  const out: Finding[] = []
  for (const first of TOKENS_BY_FIRST.keys()) {
    const high = first.charCodeAt(0) * 65536
    for (let at = text.indexOf(first); at >= 0 && out.length < MAX_FINDINGS; at = text.indexOf(first, at + 1)) {
      const tokens = at + 1 < text.length ? TOKENS_BY_PAIR.get(high + text.charCodeAt(at + 1)) : undefined
      if (tokens === undefined) continue
      for (const token of tokens)
        if (text.startsWith(token, at)) {
          if (!quotedLiteral(text, at, at + token.length))
            out.push({ start: at, end: at + token.length, type: 'template_token', score: 1 })
          break
        }
    }
  }
  return out
}

const URL_MAX = 2048 // longest URL we inspect
export const PLAIN_QUERY_IMAGE = 0.8

/** Does the URL at text[start..) carry data (a query, a template placeholder) to an absolute http(s) host? */
function dataUrlEnd(text: string, start: number): { end: number; suspicious: boolean } | null {
  if (!text.startsWith('http://', start) && !text.startsWith('https://', start)) return null
  let end = start
  let suspicious = false
  while (end < text.length && end - start < URL_MAX) {
    const c = text.charCodeAt(end)
    if (c === 41 || c === 32 || c === 10 || c === 34) break
    if (c === 63 || c === 123 || c === 36 || c === 61) suspicious = true // ? { $ =
    end++
  }
  return { end, suspicious }
}

/** Markdown images `![..](http..?..)` and links with placeholders: the classic zero-click exfiltration channel. */
export function findExfiltration(text: string): Finding[] {
  const out: Finding[] = []
  for (let i = text.indexOf(']('); i >= 0 && out.length < MAX_FINDINGS; i = text.indexOf('](', i + 2)) {
    const url = dataUrlEnd(text, i + 2)
    if (url === null || !url.suspicious) continue
    let open = i
    while (open > 0 && i - open < 256 && text.charCodeAt(open) !== 91) open--
    const image = open > 0 && text.charCodeAt(open - 1) === 33
    const placeholder = text.slice(i + 2, url.end).indexOf('{') >= 0 || text.slice(i + 2, url.end).indexOf('$') >= 0
    if (image || placeholder)
      out.push({
        start: image ? open - 1 : open,
        end: url.end + 1,
        type: image ? 'markdown_image' : 'markdown_link',
        // An image whose URL only carries a query (a README badge, a CDN resize) is common in pasted documents;
        // a template placeholder ({chat}, $DATA) is the zero-click channel itself. Below the 0.9 block default,
        // above every flag tier: the plain query is forwarded flagged.
        score: placeholder ? 0.95 : image ? PLAIN_QUERY_IMAGE : 0.9,
      })
  }
  for (let i = text.indexOf('<img'); i >= 0 && out.length < MAX_FINDINGS; i = text.indexOf('<img', i + 4)) {
    const src = text.indexOf('src=', i)
    if (src < 0 || src - i > 200) continue
    const q = text.charCodeAt(src + 4) === 34 || text.charCodeAt(src + 4) === 39 ? 1 : 0
    const url = dataUrlEnd(text, src + 4 + q)
    if (!url?.suspicious) continue
    const placeholder = /[{$]/.test(text.slice(src, url.end))
    out.push({ start: i, end: url.end, type: 'html_image', score: placeholder ? 0.95 : PLAIN_QUERY_IMAGE })
  }
  return out
}

/** 0..1 from the normaliser's smuggling signals: hidden channels score high, lone oddities low. */
export function smugglingScore(s: Signals, tagTextLength: number): { score: number; detection: string } {
  if (s.tags > 0 && tagTextLength >= 4) return { score: 0.95, detection: 'unicode_tags' }
  if (s.variation >= 8) return { score: 0.9, detection: 'variation_selectors' }
  if (s.invisibleInWords >= 3) return { score: 0.85, detection: 'zero_width' }
  if (s.mixedWords >= 2) return { score: 0.85, detection: 'homoglyphs' }
  if (s.bidi >= 2) return { score: 0.7, detection: 'bidi_controls' }
  if (s.invisible >= 3 || s.tags > 0) return { score: 0.6, detection: 'invisible_chars' }
  if (s.mixedWords === 1) return { score: 0.5, detection: 'homoglyphs' }
  return { score: 0, detection: '' }
}
