// The `mcp:` section of a tenant policy: which MCP server the edge guards, which tools callers may see and call,
// the pinned tool definitions, and what screening does in each direction. Validated once at build time; the
// Worker imports only the types. Absent (null) means the tenant serves no MCP route.
import { z } from 'zod'

/** Tool-name patterns: an exact name, `*`, or a prefix ending in `*` (`github_*`). Nothing richer, so a pattern
 * can be read at a glance in review and matched in constant time per tool. */
const TOOL_PATTERN = /^(\*|[A-Za-z0-9_.\-/]{1,128}\*?)$/
export const toolPatternSchema = z.string().regex(TOOL_PATTERN, 'must be a tool name, "*", or a prefix ending in "*"')

/** A pin: sha256 (hex) of the canonical JSON of `{name, description, inputSchema}` (shared/mcp/pin.ts). */
export const PIN = /^sha256:[0-9a-f]{64}$/

const URL_OR_REF = /^(\$\{[A-Z][A-Z0-9_]*(:-https?:\/\/[^}]+)?\}|https?:\/\/\S+)$/

export const MCP_ARGUMENT_ACTIONS = ['block', 'redact', 'flag', 'off'] as const
export const MCP_RESULT_ACTIONS = ['block', 'flag', 'off'] as const

export const mcpPolicySchema = z
  .object({
    upstream: z
      .object({
        url: z
          .string()
          .regex(URL_OR_REF, 'must be an http(s) URL or ${VAR:-http(s)://default}')
          .describe('The MCP server endpoint (Streamable HTTP), e.g. https://tools.internal/mcp. May be ${VAR:-url}.'),
        audience: z.string().min(1).describe('The MCP server identity: `aud` of the context token it receives.'),
        credentialSecret: z
          .string()
          .regex(/^[A-Z][A-Z0-9_]*$/)
          .nullable()
          .default(null)
          .describe('Name of a Worker secret sent to the MCP server as a bearer token (never the caller token).'),
        timeoutMs: z
          .number()
          .int()
          .positive()
          .max(300_000)
          .default(30_000)
          .describe('Until the MCP server answers headers.'),
      })
      .strict()
      .describe('The MCP server behind the edge and how the edge talks to it.'),
    path: z
      .string()
      .regex(/^\/[A-Za-z0-9_\-/]{0,127}$/)
      .refine((p) => !p.startsWith('/v1/') && !p.startsWith('/.well-known/'), 'must not shadow /v1/ or /.well-known/')
      .default('/mcp')
      .describe('Where the gateway serves the MCP endpoint.'),
    tools: z
      .object({
        allow: z
          .array(toolPatternSchema)
          .default(['*'])
          .describe('Tools the tenant exposes at all; a caller also needs an mcp:tools:<pattern> scope.'),
        pins: z
          .record(z.string().min(1).max(128), z.string().regex(PIN, 'must be sha256:<64 hex>'))
          .default({})
          .describe('Approved definitions: tool name → sha256 of canonical {name, description, inputSchema}.'),
        onPinMismatch: z
          .enum(['block', 'flag'])
          .default('block')
          .describe('A definition that differs from its pin: block (hidden, calls refused) or flag (recorded).'),
        unpinned: z
          .enum(['allow', 'block'])
          .default('allow')
          .describe('A tool without a pin: allow, or block until it is reviewed and pinned.'),
        rateLimits: z
          .array(
            z
              .object({
                tools: z.array(toolPatternSchema).min(1).describe('Tools this limit counts, as patterns.'),
                limit: z.number().int().positive().describe('Calls per caller per window, for each matching tool.'),
                windowSeconds: z.number().int().positive().max(86_400).describe('Window length, seconds.'),
              })
              .strict(),
          )
          .max(16)
          .default([])
          .describe('Per-tool call limits per caller (sub), through the tenant limiter (limits.backend, failMode).'),
        definitionTtlSeconds: z
          .number()
          .int()
          .nonnegative()
          .max(3600)
          .default(30)
          .describe('How long a definition seen in tools/list is trusted for tools/call; 0: re-read on every call.'),
      })
      .strict()
      .prefault({})
      .describe('Which tools exist for callers, and their approved definitions.'),
    screen: z
      .object({
        arguments: z
          .object({
            attack: z
              .enum(MCP_ARGUMENT_ACTIONS)
              .default('block')
              .describe('Injection/jailbreak/extraction/exfiltration/smuggling in arguments.'),
            secret: z
              .enum(MCP_ARGUMENT_ACTIONS)
              .default('redact')
              .describe('Credentials in arguments: redacted by default, so the call still runs without the key.'),
            pii: z.enum(MCP_ARGUMENT_ACTIONS).default('redact').describe('Personal data in arguments.'),
          })
          .strict()
          .prefault({})
          .describe('tools/call arguments: injection/jailbreak, credentials, personal data.'),
        results: z
          .enum(MCP_RESULT_ACTIONS)
          .default('block')
          .describe('Tool, resource and prompt results screened for injection aimed at the agent.'),
        descriptions: z
          .enum(MCP_RESULT_ACTIONS)
          .default('block')
          .describe('Tool descriptions screened for injection (tool poisoning) in every tools/list answer.'),
      })
      .strict()
      .prefault({})
      .describe('What a screen hit does in each direction; thresholds and rules are the tenant screen policy.'),
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .max(4 * 1024 * 1024)
      .default(256 * 1024)
      .describe('Largest JSON-RPC request body.'),
    maxBatch: z.number().int().positive().max(100).default(16).describe('Most messages in one JSON-RPC batch.'),
    maxResultBytes: z
      .number()
      .int()
      .positive()
      .max(16 * 1024 * 1024)
      .default(2 * 1024 * 1024)
      .describe('Largest JSON answer or single SSE event from the MCP server; beyond it the answer is refused.'),
  })
  .strict()

export type McpPolicy = z.output<typeof mcpPolicySchema>
