// Response section of the tenant policy: what the response stage does with each category found in an answer
// (redact, block, flag, shadow, off), which request PII goes upstream as pseudonyms, and the bounds that keep a
// guarded answer cheap. Defaults: credentials redacted, exfiltration links redacted, system-prompt echoes blocked.
import { z } from 'zod'
import { PII_TYPES } from '../screen/pii.ts'
import { checkLinearRegex } from '../screen/regex-safety.ts'
import { RESPONSE_ACTIONS } from './types.ts'

const action = (fallback: (typeof RESPONSE_ACTIONS)[number], what: string) =>
  z
    .enum(RESPONSE_ACTIONS)
    .default(fallback)
    .describe(`${what} redact: rewritten in place; block: answer stopped; flag: passed and recorded; shadow; off.`)

const linearPattern = z.string().superRefine((source, ctx) => {
  const verdict = checkLinearRegex(source)
  if (!verdict.ok)
    ctx.addIssue({ code: 'custom', message: `pattern ${verdict.reason} (super-linear backtracking risk)` })
})

export const responseRuleSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z][a-z0-9_.-]{0,62}$/)
      .describe('Stable rule id, reported in decisions and logs.'),
    action: z.enum(RESPONSE_ACTIONS).default('block').describe('What a match in an answer does.'),
    phrases: z.array(z.string().min(2).max(120)).max(200).default([]).describe('Phrases, case-insensitive.'),
    patterns: z
      .array(linearPattern)
      .max(50)
      .default([])
      .describe('Regular expressions (case-insensitive), provably linear; a match is at most maxRuleMatchChars long.'),
  })
  .strict()
  .refine((r) => r.phrases.length + r.patterns.length > 0, { message: 'a rule needs phrases or patterns' })

const HOST = /^(\*\.)?[a-z0-9.-]+$/

export const responsePolicySchema = z
  .object({
    enabled: z.boolean().default(true).describe('false: answers pass unscreened and pseudonymize is off.'),
    failMode: z
      .enum(['closed', 'open'])
      .default('closed')
      .describe('The guard throws or cannot parse an answer: closed ends it with an error; open passes the rest.'),
    maxJsonBytes: z
      .number()
      .int()
      .positive()
      .max(32 * 1024 * 1024)
      .default(8 * 1024 * 1024)
      .describe('Largest non-streamed answer read for screening; a larger one fails closed (response.too_large).'),
    secret: z
      .object({ action: action('redact', 'Credentials in answers (the request screen detectors).') })
      .strict()
      .prefault({})
      .describe('Credentials (API keys, tokens, private keys) in answers.'),
    pii: z
      .object({
        action: action('off', 'Personal data in answers (restored pseudonyms are the caller’s own and never count).'),
        types: z
          .array(z.enum(PII_TYPES))
          .default(['email', 'phone', 'card', 'iban', 'ssn'])
          .describe('PII types looked for in answers.'),
      })
      .strict()
      .prefault({})
      .describe('Personal data in answers.'),
    exfiltration: z
      .object({
        action: action('redact', 'Markdown/HTML image and link URLs to hosts outside allowHosts.'),
        allowHosts: z
          .array(z.string().regex(HOST, 'must be a host name or *.suffix'))
          .max(200)
          .default([])
          .describe('Hosts answers may link to; "*.example.com" also allows subdomains.'),
      })
      .strict()
      .prefault({})
      .describe('Image and link targets in answers (the exfiltration channel of injected instructions).'),
    leak: z
      .object({
        action: z
          .enum(['block', 'flag', 'shadow', 'off'])
          .default('block')
          .describe('The request’s system/developer text echoed verbatim: block, flag, shadow or off (no redact).'),
        minChars: z
          .number()
          .int()
          .min(40)
          .max(100_000)
          .default(160)
          .describe('Echoed characters of system/developer text beyond which the action applies.'),
      })
      .strict()
      .prefault({})
      .describe('System-prompt leakage: shingle fingerprints of the request, kept in request memory only.'),
    rules: z.array(responseRuleSchema).max(50).default([]).describe('Tenant deny patterns for answers.'),
    maxRuleMatchChars: z
      .number()
      .int()
      .min(8)
      .max(1024)
      .default(128)
      .describe('Longest text a tenant rule can match: a stream holds back this much while rules are set.'),
    pseudonymize: z
      .object({
        types: z
          .array(z.enum(PII_TYPES))
          .default([])
          .describe('Request PII sent upstream as typed placeholders ([EMAIL_1]) and restored in the answer.'),
      })
      .strict()
      .prefault({})
      .describe('Reversible PII: the model tier never sees these values, the caller gets them back.'),
  })
  .strict()
export type ResponsePolicy = z.output<typeof responsePolicySchema>
export type ResponsePolicyInput = z.input<typeof responsePolicySchema>
