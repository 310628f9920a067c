// Detectors over a window of answer text: credentials and PII (the request screen's own finders), tenant deny
// patterns, image/link URLs to hosts outside the allowlist, and the request's pseudonyms to restore. The policy is
// compiled once per isolate; a cheap trigger test skips the scan for windows no enabled detector could match.
import { findPii, ungatedPii } from '../screen/pii.ts'
import { findSecrets, SECRET_PREFIXES } from '../screen/secrets.ts'
import type { ResponsePolicy } from './policy-schema.ts'
import type { ResponseAction, ResponseCategory } from './types.ts'

const MAX_URL_CHARS = 2048 // a longer URL is cut here and still judged by its host

export interface Hit {
  readonly start: number
  readonly end: number
  /** 'restore' puts a pseudonym back; everything else is a guard category. */
  readonly category: ResponseCategory | 'restore'
  /** Detector name (email, openai_key, image_url) or tenant rule id. Never the text. */
  readonly detection: string
  readonly action: ResponseAction | 'restore'
  /** What replaces the span when it is redacted or restored. */
  readonly replacement: string
}

export interface CompiledResponse {
  readonly policy: ResponsePolicy
  readonly piiTypes: ReadonlySet<string>
  readonly numericPii: boolean
  readonly rules: readonly {
    readonly id: string
    readonly action: ResponseAction
    readonly regexes: readonly RegExp[]
    readonly phrases: readonly string[]
  }[]
  readonly allowExact: ReadonlySet<string>
  readonly allowSuffixes: readonly string[]
  /** A char or literal every enabled detector's match contains; a window without one cannot hold a hit. Indexed
   * by whether pseudonyms are being restored ('[' only matters then). null: tenant rules, so always scan. */
  readonly triggers: readonly [RegExp | null, RegExp | null]
}

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')

/** Every detector's match contains one of these: '-'/'_' or the literal prefix of a credential, '@' of an e-mail,
 * a digit of a number, ':' of an IPv6, ']' or '=' of a link marker, '[' of a placeholder. */
function triggerRegex(policy: ResponsePolicy, restoring: boolean): RegExp | null {
  if (policy.rules.length > 0) return null
  const parts = new Set<string>()
  if (policy.secret.action !== 'off')
    for (const prefix of SECRET_PREFIXES) {
      const sep = prefix.search(/[-_]/)
      parts.add(escapeRegex(sep >= 0 ? prefix[sep]! : prefix))
    }
  if (policy.pii.action !== 'off') {
    if (policy.pii.types.includes('email')) parts.add('@')
    if (policy.pii.types.some((t) => t !== 'email')) parts.add('[0-9]')
    if (policy.pii.types.includes('ip')) parts.add(':')
  }
  if (policy.exfiltration.action !== 'off') parts.add('\\]').add('=')
  if (restoring) parts.add('\\[')
  return parts.size === 0 ? /$^/ : new RegExp([...parts].join('|'))
}

/** False when no enabled detector can match anywhere in `text` (the common case: plain prose). */
export function mayMatch(c: CompiledResponse, text: string, restoring: boolean): boolean {
  const trigger = c.triggers[restoring ? 1 : 0]
  return trigger === null || trigger.test(text)
}

const compiledCache = new WeakMap<ResponsePolicy, CompiledResponse>()

/** Compiled once per policy object per isolate (policies are validated at build time, never per request). */
export function compileResponse(policy: ResponsePolicy): CompiledResponse {
  const cached = compiledCache.get(policy)
  if (cached) return cached
  const hosts = policy.exfiltration.allowHosts
  const compiled: CompiledResponse = {
    policy,
    piiTypes: new Set(policy.pii.types),
    numericPii: policy.pii.types.some((t) => t !== 'email'),
    rules: policy.rules.map((r) => ({
      id: r.id,
      action: r.action,
      regexes: r.patterns.map((p) => new RegExp(p, 'giu')),
      phrases: r.phrases.map((p) => p.toLowerCase()),
    })),
    allowExact: new Set(hosts.filter((h) => !h.startsWith('*.'))),
    allowSuffixes: hosts.filter((h) => h.startsWith('*.')).map((h) => h.slice(1)),
    triggers: [triggerRegex(policy, false), triggerRegex(policy, true)],
  }
  compiledCache.set(policy, compiled)
  return compiled
}

export const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 13 || c === 9
export const isTokenChar = (c: number): boolean =>
  (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122) || c === 45 || c === 95

/** Every hit in `text`, sorted by start, overlaps resolved in favour of the earlier (then the stronger) one. */
export function scanWindow(c: CompiledResponse, text: string, pseudonyms: ReadonlyMap<string, string>): Hit[] {
  const hits: Hit[] = []
  const p = c.policy
  if (p.secret.action !== 'off')
    for (const f of findSecrets(text))
      hits.push({ ...span(f), category: 'secret', action: p.secret.action, replacement: '[REDACTED_SECRET]' })
  if (p.pii.action !== 'off') {
    for (const f of findPii(text, c.piiTypes, ungatedPii(text)))
      hits.push({
        ...span(f),
        category: 'pii',
        action: p.pii.action,
        replacement: `[REDACTED_${f.type.toUpperCase()}]`,
      })
  }
  // One lower-cased copy per window for the link markers and every tenant phrase (same length as text for the
  // ASCII and Latin text they are written in).
  const lower = p.exfiltration.action !== 'off' || c.rules.length > 0 ? text.toLowerCase() : text
  if (p.exfiltration.action !== 'off') findLinks(c, text, lower, hits)
  for (const rule of c.rules) findRule(rule, text, lower, hits)
  if (pseudonyms.size > 0) findPlaceholders(text, pseudonyms, hits)
  hits.sort((a, b) => a.start - b.start || b.end - a.end)
  const kept: Hit[] = []
  for (const h of hits) {
    const prev = kept[kept.length - 1]
    if (prev !== undefined && h.start < prev.end) continue
    kept.push(h)
  }
  return kept
}

const span = (f: { start: number; end: number; type: string }) => ({ start: f.start, end: f.end, detection: f.type })

const PLACEHOLDER = /\[[A-Z][A-Z_]{0,30}_\d{1,6}\]/y

function findPlaceholders(text: string, pseudonyms: ReadonlyMap<string, string>, hits: Hit[]): void {
  for (let at = text.indexOf('['); at >= 0; at = text.indexOf('[', at + 1)) {
    PLACEHOLDER.lastIndex = at
    const m = PLACEHOLDER.exec(text)
    const value = m ? pseudonyms.get(m[0]) : undefined
    if (m === null || value === undefined) continue
    hits.push({
      start: at,
      end: at + m[0].length,
      category: 'restore',
      detection: 'pseudonym',
      action: 'restore',
      replacement: value,
    })
    at += m[0].length - 1
  }
}

function findRule(rule: CompiledResponse['rules'][number], text: string, lower: string, hits: Hit[]): void {
  const base = { category: 'tenant_rule' as const, detection: rule.id, action: rule.action, replacement: '[REDACTED]' }
  for (const regex of rule.regexes) {
    regex.lastIndex = 0
    for (let m = regex.exec(text); m !== null; m = regex.exec(text)) {
      if (m[0].length === 0) regex.lastIndex++
      else hits.push({ ...base, start: m.index, end: m.index + m[0].length })
    }
  }
  if (rule.phrases.length === 0) return
  for (const phrase of rule.phrases)
    for (let at = lower.indexOf(phrase); at >= 0; at = lower.indexOf(phrase, at + phrase.length))
      hits.push({ ...base, start: at, end: at + phrase.length })
}

const URL_STOP = new Set([32, 10, 13, 9, 34, 39, 41, 62, 60]) // whitespace " ' ) > <

/** Image and link targets in markdown (`](url`, `]: url`) and HTML (`src=`, `href=`) with an absolute URL. */
function findLinks(c: CompiledResponse, text: string, lower: string, hits: Hit[]): void {
  for (const marker of ['](', ']:', 'src=', 'href=']) {
    for (let at = lower.indexOf(marker); at >= 0; at = lower.indexOf(marker, at + 1)) {
      let u = at + marker.length
      while (
        u < text.length &&
        u - at < marker.length + 4 &&
        (isSpace(text.charCodeAt(u)) || '<"\''.includes(text[u]!))
      )
        u++
      const scheme = lower.startsWith('https://', u)
        ? 8
        : lower.startsWith('http://', u)
          ? 7
          : lower.startsWith('//', u)
            ? 2
            : 0
      if (scheme === 0) continue
      let end = u + scheme
      while (end < text.length && end - u < MAX_URL_CHARS && !URL_STOP.has(text.charCodeAt(end))) end++
      const host = hostOf(lower.slice(u + scheme, end))
      if (hostAllowed(c, host)) continue
      hits.push({
        start: u,
        end,
        category: 'exfiltration',
        detection: marker === '](' && text.charCodeAt(text.lastIndexOf('[', at) - 1) === 33 ? 'image_url' : 'link_url',
        action: c.policy.exfiltration.action,
        replacement: '[REDACTED_LINK]',
      })
    }
  }
}

/** The host of `authority/path…`: userinfo (`allowed.com@evil.com`) and port dropped, trailing dot removed. */
function hostOf(rest: string): string {
  let end = 0
  while (end < rest.length && !'/?#\\'.includes(rest[end]!)) end++
  const authority = rest.slice(0, end)
  const host = authority.slice(authority.lastIndexOf('@') + 1)
  const colon = host.startsWith('[') ? host.indexOf(']') + 1 : host.indexOf(':')
  return (colon > 0 ? host.slice(0, colon) : host).replace(/\.$/, '')
}

function hostAllowed(c: CompiledResponse, host: string): boolean {
  if (host === '') return false
  return c.allowExact.has(host) || c.allowSuffixes.some((s) => host.endsWith(s) || host === s.slice(1))
}
