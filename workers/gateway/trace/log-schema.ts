// The decision-log line as a strict zod schema, for tests and the schema doc (docs/telemetry.md) only — the
// Worker never imports it (no schema library in the bundle). `.strict()` everywhere: a field added to the record
// without being added here (and so to the doc) fails the per-code test.
import { z } from 'zod'
import { ERRORS } from '../../../shared/errors.ts'
import { ENDPOINTS } from '../../../shared/policy/schema.ts'
import { TIMED_STAGES } from './timing.ts'

const codes = Object.keys(ERRORS) as [keyof typeof ERRORS, ...(keyof typeof ERRORS)[]]
const hex = (n: number) => z.string().regex(new RegExp(`^[0-9a-f]{${n}}$`))
const ms = z.number().min(0)

const limitItem = z
  .object({
    name: z.string(),
    kind: z.enum(['requests', 'tokens']),
    scope: z.enum(['subject', 'tenant', 'ip']),
    limit: z.number(),
    remaining: z.number(),
    windowSeconds: z.number(),
    resetSeconds: z.number(),
  })
  .strict()

export const decisionLogSchema = z
  .object({
    level: z.enum(['info', 'warn', 'error']),
    msg: z.literal('request'),
    requestId: hex(32),
    clientRequestId: z.string().max(128).nullable(),
    traceId: hex(32),
    spanId: hex(16),
    tenant: z.string().nullable(),
    policyVersion: z.string().nullable(),
    policySha256: z.string().nullable(),
    endpoint: z.enum(ENDPOINTS).nullable(),
    sub: z.string().nullable(),
    'http.request.method': z.string(),
    'http.response.status_code': z.number().int(),
    'error.type': z.enum(codes).nullable(),
    'gen_ai.operation.name': z.enum(['chat', 'text_completion', 'embeddings']).nullable(),
    'gen_ai.request.model': z.string().nullable(),
    'gen_ai.request.max_tokens': z.number().int().nullable(),
    'gen_ai.usage.input_tokens': z.number().int().nullable(),
    'gen_ai.usage.output_tokens': z.number().int().nullable(),
    'gen_ai.security.action.type': z.enum(['allow', 'flag', 'redact', 'block']).nullable(),
    'gen_ai.security.risk.score': z.number().min(0).max(1).nullable(),
    'gen_ai.security.policy.rule.id': z.array(z.string()),
    grant: z
      .object({ model: z.string().nullable(), maxTokens: z.number().nullable(), clamped: z.boolean() })
      .strict()
      .nullable(),
    limit: z
      .object({
        checked: z.boolean(),
        backend: z.string(),
        reservedTokens: z.number(),
        estimatedPromptTokens: z.number().nullable(),
        refused: z.array(limitItem),
      })
      .strict()
      .nullable(),
    screen: z
      .object({
        verdict: z.enum(['allow', 'flag', 'redact', 'block']),
        enforced: z.boolean(),
        score: z.number(),
        categories: z.array(z.string()),
        rules: z.array(z.string()),
        spans: z.array(
          z
            .object({
              start: z.number().int(),
              end: z.number().int(),
              detection: z.string(),
              score: z.number(),
              path: z.string().optional(),
            })
            .strict(),
        ),
      })
      .strict()
      .nullable(),
    response: z
      .object({
        verdict: z.enum(['allow', 'flag', 'redact', 'block']),
        enforced: z.boolean(),
        code: z.enum(codes).nullable(),
        categories: z.array(z.string()),
        rules: z.array(z.string()),
        redactions: z.record(z.string(), z.number().int().nonnegative()),
        restored: z.number().int().nonnegative(),
        heldMax: z.number().int().nonnegative(),
        spans: z.array(
          z
            .object({
              choice: z.number().int(),
              field: z.string(),
              start: z.number().int(),
              end: z.number().int(),
              detection: z.string(),
            })
            .strict(),
        ),
      })
      .strict()
      .nullable(),
    shadowed: z.array(z.enum(codes)),
    stages: z.object(Object.fromEntries(TIMED_STAGES.map((s) => [s, ms.optional()]))).strict(),
    upstream: z
      .object({
        latencyMs: ms,
        ttfbMs: ms.nullable(),
        streamed: z.boolean(),
        body: z.enum(['completed', 'broken', 'cancelled', 'not_streamed']),
      })
      .strict()
      .nullable(),
    promptHmac: hex(32).nullable(),
    ms,
  })
  .strict()

export type DecisionLogLine = z.infer<typeof decisionLogSchema>
