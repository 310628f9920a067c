// Context-token section of the tenant policy: whether the sign stage runs, how long a token lives, which key
// family signs it and how much of the client's address the model tier may learn. Defaults live here only.
import { z } from 'zod'

/** Hard ceiling for a token's lifetime (s): a verifier's cache and replay window must cover it. */
export const MAX_LIFETIME_SECONDS = 300

export const contextTokenPolicySchema = z
  .object({
    enabled: z.boolean().default(true).describe('Sign every forwarded request with a Txn-Token (recommended).'),
    lifetimeSeconds: z
      .number()
      .int()
      .min(5)
      .max(MAX_LIFETIME_SECONDS)
      .default(60)
      .describe('exp - iat of the token, in seconds (draft-ietf-oauth-transaction-tokens: short-lived).'),
    algorithm: z
      .enum(['ES256', 'EdDSA'])
      .default('ES256')
      .describe('Signing algorithm; a signing key of this family must be configured.'),
    clientIp: z
      .enum(['hash', 'plain', 'omit'])
      .default('hash')
      .describe('hash: HMAC-SHA256 of the client IP keyed by IP_HASH_KEY; plain: the IP itself; omit: nothing.'),
  })
  .strict()

export type ContextTokenPolicy = z.output<typeof contextTokenPolicySchema>
