// What the limit stage records for later stages (context token, RateLimit headers).

export interface LimitItem {
  /** Policy name of the limit as it appears in RateLimit headers, e.g. "requests-subject-60s". */
  readonly name: string
  readonly kind: 'requests' | 'tokens'
  readonly scope: 'subject' | 'tenant' | 'ip'
  readonly limit: number
  readonly remaining: number
  readonly windowSeconds: number
  readonly resetSeconds: number
}

export interface LimitDecision {
  /** false when the limiter could not be reached and the policy's failMode is "open". */
  readonly checked: boolean
  readonly backend: 'durable-object' | 'upstash' | 'none'
  readonly items: readonly LimitItem[]
  /** Tokens reserved before forwarding (estimated prompt + max_tokens). */
  readonly reservedTokens: number
  /** The estimated prompt part of the reservation. */
  readonly estimatedPromptTokens?: number
  /** Names of the items that refused the request (set when the limit stage refuses). */
  readonly refused?: readonly string[]
  /** Why the limits were not checked (checked: false): the limiter timed out, failed, or is not configured. */
  readonly uncheckedReason?: 'timeout' | 'transport' | 'misconfigured'
}
