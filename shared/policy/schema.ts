// The tenant policy schema: the one place that says what a policy may contain, its defaults and its limits.
// Validated once, at build time (scripts/build-policies.ts); the Worker imports only the *types* from here,
// so zod never reaches the bundle. `policies/schema.json` is generated from this file for editors.
import { z } from 'zod'
import { limitPolicySchema } from '../limit/policy-schema.ts'
import { mcpPolicySchema } from '../mcp/policy-schema.ts'
import { ENDPOINT_NAMES } from '../request/endpoints.ts'
import { responsePolicySchema } from '../response/policy-schema.ts'
import { screenPolicySchema } from '../screen/policy-schema.ts'
import { contextTokenPolicySchema } from '../txn-token/policy-schema.ts'

/** Derived from the endpoint catalogue (shared/request/endpoints.ts). */
export const ENDPOINTS = ENDPOINT_NAMES
export const endpointSchema = z.enum(ENDPOINTS)
export type { Endpoint } from '../request/endpoints.ts'

/** Inputs the screen cannot read, refused unless a scope names them: prompts given as token ids, and template
 * overrides (vLLM `chat_template`, `chat_template_kwargs`) that reframe every message. */
export const UNSCREENED_INPUTS = ['token_ids', 'template_override'] as const

/** Asymmetric algorithms only: a caller token signed with a shared secret cannot be checked against a JWKS. */
export const CALLER_ALGORITHMS = ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'] as const

const ID = /^[a-z][a-z0-9-]{0,62}$/
const HOST = /^(\*\.)?[a-z0-9.-]+(:[0-9]{1,5})?$/
// `${VAR}` or `${VAR:-default}`: a value bound from a Worker var when the isolate starts (see shared/policy/resolve.ts).
const VAR_REF = /^\$\{([A-Z][A-Z0-9_]*)(?::-([^}]*))?\}$/

/** A URL, or a `${VAR:-default}` reference whose default is a URL. */
const resolvableUrl = z.string().refine(
  (value) => {
    const m = VAR_REF.exec(value)
    const candidate = m ? m[2] : value
    if (candidate === undefined) return m !== null
    try {
      return /^https?:$/.test(new URL(candidate).protocol)
    } catch {
      return false
    }
  },
  { message: 'must be an http(s) URL or ${VAR:-http(s)://default}' },
)
const resolvableString = z.string().min(1)

const jwkSchema = z.record(z.string(), z.unknown())

export const issuerSchema = z
  .object({
    issuer: resolvableString.describe('Expected `iss` claim (exact match). May be ${VAR:-default}.'),
    audience: z
      .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
      .describe('Accepted `aud` value(s); the token must carry at least one.'),
    jwksUrl: resolvableUrl.optional().describe('Where the issuer publishes its public keys.'),
    jwks: z
      .object({ keys: z.array(jwkSchema).min(1) })
      .strict()
      .optional()
      .describe('Inline public JWKS, instead of jwksUrl.'),
    algorithms: z.array(z.enum(CALLER_ALGORITHMS)).min(1).default(['ES256']),
    typ: z.string().min(1).optional().describe('Required `typ` header, e.g. "at+jwt" (RFC 9068).'),
    maxTokenAgeSeconds: z.number().int().positive().max(86_400).default(900),
    requiredClaims: z.array(z.string().min(1)).default(['sub', 'iat', 'exp']),
    scopeClaim: z.enum(['scope', 'scp']).default('scope'),
  })
  .strict()
  .refine((i) => (i.jwksUrl === undefined) !== (i.jwks === undefined), {
    message: 'exactly one of jwksUrl or jwks is required',
  })

export const scopeGrantSchema = z
  .object({
    endpoints: z.array(endpointSchema).min(1),
    models: z.array(z.string().min(1)).min(1).describe('Model ids, or "*" for any.'),
    maxTokens: z.number().int().positive().optional().describe('Ceiling for max_tokens; absent means no ceiling.'),
    allowUnscreened: z
      .array(z.enum(UNSCREENED_INPUTS))
      .default([])
      .describe('Inputs the screen cannot read that this scope may send (token-id prompts, template overrides).'),
  })
  .strict()

const cidr = z.string().refine((v) => /^[0-9a-fA-F:.]+(\/[0-9]{1,3})?$/.test(v), 'must be an IP or CIDR')

export const policySchema = z
  .object({
    $schema: z.string().optional(),
    tenant: z.string().regex(ID, 'must be a lower-case id (a-z, 0-9, -)'),
    version: z
      .union([z.string().min(1), z.number()])
      .transform(String)
      .describe('Bumped on every change.'),
    description: z.string().optional(),
    hosts: z.array(z.string().regex(HOST, 'must be a hostname')).min(1),
    mode: z.enum(['enforce', 'shadow']).default('enforce').describe('shadow: every decision recorded, none enforced.'),
    upstream: z
      .object({
        url: resolvableUrl.describe('Base URL of the OpenAI-compatible model tier (before /v1).'),
        credentialSecret: z
          .string()
          .regex(/^[A-Z][A-Z0-9_]*$/)
          .nullable()
          .default(null)
          .describe('Name of a Worker secret sent upstream as a bearer token.'),
        timeoutMs: z
          .number()
          .int()
          .positive()
          .max(600_000)
          .default(60_000)
          .describe('Deadline for the answer: its headers, and the whole body of a non-streamed answer.'),
        idleTimeoutMs: z
          .number()
          .int()
          .positive()
          .max(600_000)
          .default(30_000)
          .describe('Longest silence between two chunks of an answer (streamed or not) before it is abandoned.'),
        maxResponseBytes: z
          .number()
          .int()
          .positive()
          .max(128 * 1024 * 1024)
          .default(16 * 1024 * 1024)
          .describe('Cap on an answer, counted after decompression: a non-streamed answer is held whole up to it.'),
        audience: z.string().min(1).describe('The model tier identity: `aud` of the context token.'),
      })
      .strict(),
    ingress: z
      .object({
        endpoints: z
          .array(endpointSchema)
          .min(1)
          .default([...ENDPOINTS]),
        maxBodyBytes: z
          .number()
          .int()
          .positive()
          .max(100 * 1024 * 1024)
          .default(1024 * 1024),
        contentTypes: z.array(z.string().min(1)).min(1).default(['application/json']),
        network: z
          .object({
            allowCountries: z.array(z.string().length(2)).nullable().default(null),
            denyCountries: z.array(z.string().length(2)).default([]),
            denyAsns: z.array(z.number().int().nonnegative()).default([]),
            denyIps: z.array(cidr).default([]),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    auth: z
      .object({
        issuers: z.array(issuerSchema).min(1),
        clockToleranceSeconds: z.number().int().nonnegative().max(300).default(5),
        cfAccess: z
          .object({ enabled: z.boolean().default(false) })
          .strict()
          .prefault({})
          .describe('Also accept Cf-Access-Jwt-Assertion, verified against the same issuers.'),
      })
      .strict(),
    scopes: z.record(z.string().min(1), scopeGrantSchema),
    authorize: z
      .object({
        maxTokens: z.enum(['clamp', 'reject']).default('clamp'),
        defaultMaxTokens: z.number().int().positive().default(1024).describe('Applied when the caller sets none.'),
      })
      .strict()
      .prefault({}),
    limits: limitPolicySchema.prefault({}),
    screen: screenPolicySchema.prefault({}),
    response: responsePolicySchema.prefault({}),
    contextToken: contextTokenPolicySchema.prefault({}),
    mcp: mcpPolicySchema
      .nullable()
      .default(null)
      .describe('An MCP server guarded at the edge (shared/mcp); null: none.'),
  })
  .strict()

export type PolicyInput = z.input<typeof policySchema>
export type Policy = z.output<typeof policySchema>
export type IssuerPolicy = Policy['auth']['issuers'][number]
export type ScopeGrant = z.output<typeof scopeGrantSchema>

/** What the build emits per tenant: the effective policy plus the identity of its exact source. */
export interface CompiledPolicy {
  readonly id: string
  readonly version: string
  /** sha256 (hex) of the canonical JSON of the effective policy. */
  readonly sha256: string
  readonly source: string
  readonly policy: Policy
}
