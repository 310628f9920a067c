// Screen section of the tenant policy: what each category does (block/redact/flag/shadow/off) and at what score,
// per-role weights, PII types and tenant rules. Defaults are the measured default screen (see shared/screen/README.md):
// attacks blocked at a threshold tuned for <= 1% false blocks on benign text, PII redacted, credentials blocked.
import { z } from 'zod'
import { PII_TYPES } from './pii.ts'
import { checkLinearRegex } from './regex-safety.ts'
import thresholdsData from './thresholds.json' with { type: 'json' }

export const SCREEN_ACTIONS = ['block', 'redact', 'flag', 'shadow', 'off'] as const
export type ScreenAction = (typeof SCREEN_ACTIONS)[number]

/** The block default of the phrase-scored attack categories. Never tuned by hand: `npm run train:screen` chooses the
 * block threshold on leave-one-group-out scores (at most 0.5% of every benign source blocked) and calibrates the
 * model so that threshold lands here. */
export const DEFAULT_ATTACK_THRESHOLD = 0.85

/** Per-category block defaults. Injection, jailbreak and extraction share the calibrated threshold; exfiltration is
 * mostly scored by the markdown-link detector (fixed scores), so it keeps its own. */
export const DEFAULT_THRESHOLDS = {
  injection: DEFAULT_ATTACK_THRESHOLD,
  jailbreak: DEFAULT_ATTACK_THRESHOLD,
  extraction: DEFAULT_ATTACK_THRESHOLD,
  exfiltration: 0.9,
} as const

/** What train:screen writes to thresholds.json: the flag default and the criterion it was chosen with. */
export interface ThresholdsFile {
  /** Score from which a text below the block threshold is flagged (forwarded, recorded in the Txn-Token). */
  readonly attackFlag: number
  /** Largest blocked share of any benign source allowed when choosing the block threshold. */
  readonly blockFprMax: number
  /** Largest mean flagged-or-blocked share of benign sources allowed when choosing the flag threshold. */
  readonly flagBudget: number
}

/** Default flag tier of the attack categories: a score between this and the block threshold is forwarded as `flag`
 * (decision log and Txn-Token) so the cluster's heavier detectors can decide. Chosen by train:screen (thresholds.json)
 * for at most 5% of benign text flagged or blocked on average over sources, leave-one-group-out. */
export const DEFAULT_ATTACK_FLAG = (thresholdsData as ThresholdsFile).attackFlag

const categoryRule = (action: ScreenAction, threshold: number, what: string, flag?: number) =>
  z
    .object({
      action: z
        .enum(SCREEN_ACTIONS)
        .default(action)
        .describe('block: 403; redact: placeholders; flag: forward and record; shadow: record only; off.'),
      threshold: z
        .number()
        .min(0)
        .max(1)
        .default(threshold)
        .describe('Category score (0..1) at which the action applies.'),
      flag: z
        .number()
        .min(0)
        .max(1)
        .nullable()
        .default(flag ?? null)
        .describe(
          'Score (0..1) from which a text below the threshold is flagged: forwarded and recorded. null: no flag tier.',
        ),
    })
    .strict()
    .prefault({})
    .describe(what)

const roleWeight = (value: number, who: string) =>
  z.number().min(0).max(4).default(value).describe(`Odds multiplier for attack scores of ${who} text (1 = as is).`)

const linearPattern = z
  .string()
  .superRefine((source, ctx) => {
    const verdict = checkLinearRegex(source)
    if (!verdict.ok)
      ctx.addIssue({ code: 'custom', message: `pattern ${verdict.reason} (super-linear backtracking risk)` })
  })
  .describe(
    'A regular expression (case-insensitive, on the original text). Must be provably linear: bounded quantifiers only.',
  )

export const tenantRuleSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z][a-z0-9_.-]{0,62}$/)
      .describe('Stable rule id, reported in decisions and logs.'),
    category: z
      .enum(['injection', 'jailbreak', 'extraction', 'exfiltration', 'smuggling', 'pii', 'secret', 'tenant_rule'])
      .default('tenant_rule')
      .describe('Category the rule reports under (its error code on block is screen.<category>).'),
    action: z.enum(SCREEN_ACTIONS).default('block').describe('What a match does.'),
    phrases: z
      .array(z.string().min(2).max(120))
      .max(500)
      .default([])
      .describe('Phrases, matched on the folded text (evasion-resistant).'),
    patterns: z.array(linearPattern).max(50).default([]).describe('Regular expressions, matched on the original text.'),
    shadow: z
      .boolean()
      .default(false)
      .describe('Record matches without enforcing, to try a rule before turning it on.'),
  })
  .strict()
  .refine((r) => r.phrases.length + r.patterns.length > 0, { message: 'a rule needs phrases or patterns' })
export type TenantRule = z.output<typeof tenantRuleSchema>

export const screenPolicySchema = z
  .object({
    enabled: z.boolean().default(true).describe('false: nothing is screened.'),
    failMode: z
      .enum(['closed', 'open'])
      .default('closed')
      .describe(
        'Screen throws: closed refuses with screen.unavailable (503); open forwards unscreened and records it.',
      ),
    roles: z
      .object({
        system: roleWeight(0.5, 'client-supplied system'),
        developer: roleWeight(0.5, 'developer'),
        user: roleWeight(1, 'user'),
        assistant: roleWeight(0.5, 'assistant (replayed history)'),
        tool: roleWeight(1, 'tool result (indirect injection)'),
      })
      .strict()
      .prefault({})
      .describe('Per-role weights: indirect injection arrives in tool results, so those count in full.'),
    categories: z
      .object({
        injection: categoryRule(
          'block',
          DEFAULT_THRESHOLDS.injection,
          'Instruction override / prompt injection.',
          DEFAULT_ATTACK_FLAG,
        ),
        jailbreak: categoryRule(
          'block',
          DEFAULT_THRESHOLDS.jailbreak,
          'Jailbreak personas and safety bypasses.',
          DEFAULT_ATTACK_FLAG,
        ),
        extraction: categoryRule(
          'block',
          DEFAULT_THRESHOLDS.extraction,
          'System-prompt extraction.',
          DEFAULT_ATTACK_FLAG,
        ),
        exfiltration: categoryRule(
          'block',
          DEFAULT_THRESHOLDS.exfiltration,
          'Markdown image/link exfiltration.',
          DEFAULT_ATTACK_FLAG,
        ),
        smuggling: categoryRule(
          'flag',
          0.8,
          'Invisible/tag/variation-selector characters, homoglyph words, encoded payloads.',
        ),
        pii: categoryRule('redact', 0.5, 'Personal data (validated).'),
        secret: categoryRule('block', 0.5, 'Credentials (validated).'),
        tenant_rule: categoryRule('block', 0.5, 'Default action of tenant rules (each rule names its own).'),
      })
      .strict()
      .prefault({}),
    pii: z.array(z.enum(PII_TYPES)).default(['email', 'phone', 'card', 'iban', 'ssn']).describe('PII types detected.'),
    rules: z.array(tenantRuleSchema).max(100).default([]).describe('Tenant deny rules.'),
    allowPhrases: z
      .array(z.string().min(2).max(200))
      .max(200)
      .default([])
      .describe(
        'Text containing one of these is not scored for injection/jailbreak/extraction (known-benign boilerplate).',
      ),
    maxDecodeDepth: z
      .number()
      .int()
      .min(0)
      .max(4)
      .default(3)
      .describe('How many nested encodings are decoded and rescanned.'),
  })
  .strict()
export type ScreenPolicy = z.output<typeof screenPolicySchema>
export type ScreenPolicyInput = z.input<typeof screenPolicySchema>
