// Screen section of the tenant policy: what each category does (block/redact/flag/shadow/off) and at what score,
// per-role weights, PII types and tenant rules. Defaults are the measured default screen (see shared/screen/README.md):
// attacks blocked at a threshold tuned for <= 1% false blocks on benign text, PII redacted, credentials blocked.
import { z } from 'zod'
import { SCREEN_CATEGORIES } from './categories.ts'
import { PII_TYPES } from './pii.ts'
import { checkLinearRegex } from './regex-safety.ts'

export const SCREEN_ACTIONS = ['block', 'redact', 'flag', 'shadow', 'off'] as const
export type ScreenAction = (typeof SCREEN_ACTIONS)[number]

/** Calibration anchor: training maps the 0.6% leave-one-source-out benign quantile onto this score. */
export const DEFAULT_ATTACK_THRESHOLD = 0.85

/** Per-category block thresholds of the default policy, chosen on leave-one-source-out scores (bench/screen) for the
 * most held-out attacks blocked with block FPR <= 1% on benign and on hard negatives separately and no more long
 * benign documents blocked. A jailbreak score needs jailbreak phrase evidence (texts without any default to
 * injection), so its threshold can sit lower; injection, the default category, sits a little higher. */
export const DEFAULT_THRESHOLDS = { injection: 0.9, jailbreak: 0.75, extraction: 0.85, exfiltration: 0.9 } as const

/** Default flag tier of the attack categories: a score between this and the block threshold is forwarded and
 * recorded as `flag` (in the decision log and the context token), so a later layer can look again. On the
 * leave-one-source-out scores 3.0% of benign texts end flagged or blocked (0.8% blocked), and 3 more points of
 * attacks than block alone. */
export const DEFAULT_ATTACK_FLAG = 0.5

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
      .enum(SCREEN_CATEGORIES)
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
