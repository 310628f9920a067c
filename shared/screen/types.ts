// What the screen stage records for later stages (context token, decision log). Never holds raw text.

export type { ScreenCategory } from './categories.ts'

import type { ScreenCategory } from './categories.ts'

/** A detection span in the TrustyAI detector shape, offsets into the original (un-normalised) text. */
export interface DetectionSpan {
  readonly start: number
  readonly end: number
  /** Detector name, e.g. "email", "openai_key", "injection". Never the detected text itself. */
  readonly detection: string
  readonly detection_type: string
  readonly score: number
  /** Where the text sits in the request body, e.g. "messages.2.content" (request-level decisions only). */
  readonly path?: string
}

export interface ScreenDecision {
  /** What the policy did: allow, flag (forwarded + recorded), redact (forwarded with placeholders), block. */
  readonly verdict: 'allow' | 'flag' | 'redact' | 'block'
  /** false when the verdict was only recorded (shadow rule or shadow policy). */
  readonly enforced: boolean
  /** Highest category score, 0..1. */
  readonly score: number
  readonly categories: readonly ScreenCategory[]
  /** Stable rule ids that fired (built-in detector ids and tenant rule ids). */
  readonly rules: readonly string[]
  /** Number of redactions by placeholder type, e.g. { EMAIL: 2 }. */
  readonly redactions: Readonly<Record<string, number>>
  readonly spans: readonly DetectionSpan[]
  /** Highest injection/jailbreak/extraction/exfiltration score, 0..1 (the number the quality bench ranks by). */
  readonly attackScore?: number
  /** Categories that fired under a shadow action: recorded, not enforced. */
  readonly shadowed?: readonly ScreenCategory[]
  /** How many caller texts were screened. */
  readonly texts?: number
  /** The screen threw and the policy's failMode was open: forwarded unscreened. */
  readonly failedOpen?: boolean
}
