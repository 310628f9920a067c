// Limits section of the tenant policy: request rates and token budgets per subject, tenant and IP.
// Defaults are small on purpose: a person can hit them by hand in the local stack (tens of requests or
// ~100k tokens per minute per subject), and per-day caps bound slow extraction as well as bursts.
import { z } from 'zod'

const MAX_WINDOW_SECONDS = 7 * 86_400 // a week: longer windows outlive Redis key expiry assumptions
const MAX_LIMIT = 1_000_000_000 // beyond this a limit is no limit; keeps counters well inside 2^53

export const windowLimitSchema = z
  .object({
    limit: z.number().int().positive().max(MAX_LIMIT).describe('How many units (requests or tokens) per window.'),
    windowSeconds: z
      .number()
      .int()
      .min(1)
      .max(MAX_WINDOW_SECONDS)
      .describe('Sliding window length in seconds (e.g. 60 for a burst limit, 86400 for a daily cap).'),
  })
  .strict()
export type WindowLimit = z.output<typeof windowLimitSchema>

/** At most one entry per window length, so header names ("requests-subject-60s") stay unique. */
const windowList = (what: string) =>
  z
    .array(windowLimitSchema)
    .max(4)
    .refine((list) => new Set(list.map((w) => w.windowSeconds)).size === list.length, {
      message: 'each windowSeconds may appear once',
    })
    .describe(what)

export const limitPolicySchema = z
  .object({
    enabled: z.boolean().default(true).describe('false: no limits are checked and no RateLimit headers are sent.'),
    backend: z
      .enum(['durable-object', 'upstash'])
      .default('durable-object')
      .describe('durable-object: embedded, needs the LIMITER binding. upstash: global, needs UPSTASH_REDIS_REST_*.'),
    failMode: z
      .enum(['closed', 'open'])
      .default('closed')
      .describe('Limiter unreachable or slow: closed refuses with limit.unavailable (503); open forwards unchecked.'),
    timeoutMs: z
      .number()
      .int()
      .min(10)
      .max(5_000)
      .default(500)
      .describe('How long the stage waits for the limiter before failMode decides.'),
    overAdmission: z
      .number()
      .min(0)
      .max(0.2)
      .default(0.02)
      .describe(
        'Share of a window the limiter may admit above its limit in exchange for answering from per-isolate quota ' +
          'leases without a round trip (0.02: at most 2 % over). 0: every check asks the object (exact).',
      ),
    tenantShards: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(4)
      .describe(
        'Objects each tenant-wide window is split over (equal shares of the limit), so one busy tenant is not ' +
          'serialised through one Durable Object. Subject and IP windows are never split.',
      ),
    requests: z
      .object({
        subject: windowList('Requests per window per caller (`sub`).').default([
          { limit: 30, windowSeconds: 60 },
          { limit: 1_000, windowSeconds: 86_400 },
        ]),
        tenant: windowList('Requests per window for the whole tenant.').default([{ limit: 600, windowSeconds: 60 }]),
        ip: windowList('Requests per window per client IP (after authentication).').default([
          { limit: 60, windowSeconds: 60 },
        ]),
      })
      .strict()
      .prefault({}),
    tokens: z
      .object({
        subject: windowList('Token budget per window per caller: estimated prompt + max_tokens, reconciled.').default([
          { limit: 100_000, windowSeconds: 60 },
          { limit: 1_000_000, windowSeconds: 86_400 },
        ]),
        tenant: windowList('Token budget per window for the whole tenant.').default([
          { limit: 2_000_000, windowSeconds: 60 },
        ]),
      })
      .strict()
      .prefault({}),
    ipShield: z
      .object({
        enabled: z
          .boolean()
          .default(true)
          .describe('Use the native IP_SHIELD rate-limit binding before authentication, when it is bound.'),
        limit: z
          .number()
          .int()
          .positive()
          .max(MAX_LIMIT)
          .default(120)
          .describe('Must equal the binding simple.limit in wrangler.toml; used only for the RateLimit headers.'),
        periodSeconds: z
          .union([z.literal(10), z.literal(60)])
          .default(60)
          .describe('Must equal the binding simple.period (Cloudflare allows 10 or 60).'),
        failMode: z
          .enum(['closed', 'open'])
          .default('open')
          .describe('The shield is a cheap first layer; by default a binding error lets the real limits decide.'),
      })
      .strict()
      .prefault({}),
  })
  .strict()

export type LimitPolicyInput = z.input<typeof limitPolicySchema>
export type LimitPolicy = z.output<typeof limitPolicySchema>
