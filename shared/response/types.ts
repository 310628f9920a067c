// The response guard's closed lists and the decision it records. Zod-free, so the Worker can import it: the
// policy schema (policy-schema.ts) derives its enums from these tables, and no list is written twice.
import type { ErrorCode } from '../errors.ts'

export const RESPONSE_ACTIONS = ['redact', 'block', 'flag', 'shadow', 'off'] as const
export type ResponseAction = (typeof RESPONSE_ACTIONS)[number]

/** What the guard looks for in an answer; each category blocks with its own `response.<category>` code. */
export const RESPONSE_CATEGORIES = {
  secret: { code: 'response.secret', placeholder: 'SECRET' },
  pii: { code: 'response.pii', placeholder: 'PII' },
  tenant_rule: { code: 'response.tenant_rule', placeholder: 'DENIED' },
  exfiltration: { code: 'response.exfiltration', placeholder: 'LINK' },
  leak: { code: 'response.leak', placeholder: 'LEAK' },
} as const satisfies Record<string, { code: ErrorCode; placeholder: string }>
export type ResponseCategory = keyof typeof RESPONSE_CATEGORIES
export const RESPONSE_CATEGORY_NAMES = Object.keys(RESPONSE_CATEGORIES) as ResponseCategory[]

/** Severity order when two actions meet (the stronger one decides the verdict). */
export const ACTION_SEVERITY: Record<ResponseAction, number> = { off: 0, shadow: 1, flag: 2, redact: 3, block: 4 }

/** A detection in the answer: offsets into the text of one field of one choice, as the caller received it. Never
 * the text itself. */
export interface ResponseSpan {
  readonly choice: number
  readonly field: string
  readonly start: number
  readonly end: number
  readonly detection: string
  readonly category: ResponseCategory
}

/** What the response stage did, for the decision log (codes, counts, rule ids, offsets — no text). Mutated while
 * a stream flows; `done` turns true when it ends. */
export interface ResponseDecision {
  verdict: 'allow' | 'flag' | 'redact' | 'block'
  /** false when the tenant's policy is in shadow mode and a block was only recorded. */
  enforced: boolean
  /** The refusal (`response.<category>`) when the answer was blocked. */
  code: ErrorCode | null
  readonly categories: ResponseCategory[]
  readonly rules: string[]
  /** Redactions by placeholder type, e.g. { SECRET: 1, LINK: 2 }. */
  readonly redactions: Record<string, number>
  /** Pseudonyms put back for the caller. */
  restored: number
  readonly spans: ResponseSpan[]
  /** Categories that fired under a shadow action. */
  readonly shadowed: ResponseCategory[]
  /** Most characters of one field held back at once (the window's worst case in this answer). */
  heldMax: number
  done: boolean
}

export const MAX_RECORDED_SPANS = 64 // the decision log line stays bounded however many findings an answer has

export function emptyResponseDecision(): ResponseDecision {
  return {
    verdict: 'allow',
    enforced: true,
    code: null,
    categories: [],
    rules: [],
    redactions: {},
    restored: 0,
    spans: [],
    shadowed: [],
    heldMax: 0,
    done: false,
  }
}
