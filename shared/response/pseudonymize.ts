// Request side of reversible PII: the policy's pseudonymize types in every caller text are replaced by typed
// placeholders ([EMAIL_1], equal values share a number) before the body is signed and forwarded, and the mapping
// stays in this request's memory for the response guard to restore. The mapping is never logged or sent anywhere.
import { findPii, ungatedPii } from '../screen/pii.ts'
import { callerTexts, type Endpoint, type JsonObject } from '../screen/request.ts'

export interface Pseudonymized {
  /** The body with placeholders, or null when nothing was replaced. */
  readonly json: JsonObject | null
  /** Placeholder → original value. */
  readonly mapping: ReadonlyMap<string, string>
  /** Replacements by placeholder type (the only part that may be recorded). */
  readonly counts: Readonly<Record<string, number>>
}

const PLACEHOLDER_TYPE: Record<string, string> = { ip: 'IP_ADDRESS' }

export function pseudonymizeRequest(endpoint: Endpoint, json: JsonObject, types: readonly string[]): Pseudonymized {
  const enabled = new Set(types)
  const texts = enabled.size === 0 ? [] : callerTexts(endpoint, json)
  const byValue = new Map<string, string>()
  const mapping = new Map<string, string>()
  const counts: Record<string, number> = {}
  const numbers: Record<string, number> = {}
  let body: JsonObject | null = null
  for (const t of texts) {
    const findings = findPii(t.text, enabled, ungatedPii(t.text))
    if (findings.length === 0) continue
    let out = ''
    let at = 0
    for (const f of findings) {
      if (f.start < at) continue
      const type = PLACEHOLDER_TYPE[f.type] ?? f.type.toUpperCase()
      const value = t.text.slice(f.start, f.end)
      const key = `${type}\u0000${value}`
      let placeholder = byValue.get(key)
      if (placeholder === undefined) {
        numbers[type] = (numbers[type] ?? 0) + 1
        placeholder = `[${type}_${numbers[type]}]`
        byValue.set(key, placeholder)
        mapping.set(placeholder, value)
      }
      counts[type] = (counts[type] ?? 0) + 1
      out += t.text.slice(at, f.start) + placeholder
      at = f.end
    }
    body ??= structuredClone(json)
    setAt(body, t.path, out + t.text.slice(at))
  }
  return { json: body, mapping, counts }
}

function setAt(root: JsonObject, path: readonly (string | number)[], value: string): void {
  let node: unknown = root
  for (let k = 0; k < path.length - 1; k++) node = (node as Record<string | number, unknown>)[path[k]!]
  ;(node as Record<string | number, unknown>)[path[path.length - 1]!] = value
}

/** The system and developer texts of a request (what leak fingerprints are taken from). */
export function systemTexts(endpoint: Endpoint, json: JsonObject): string[] {
  return callerTexts(endpoint, json)
    .filter((t) => t.role === 'system' || t.role === 'developer')
    .map((t) => t.text)
}
