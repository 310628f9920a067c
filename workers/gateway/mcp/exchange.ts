// One HTTP exchange on the MCP endpoint: a POST (parse strictly, check each message, forward the rest signed,
// rewrite the answer — JSON or SSE — message by message), the GET stream, and DELETE of a session. The edge's own
// refusals are JSON-RPC errors with stable codes (shared/mcp/errors.ts), never HTTP 500s.
import type { Context } from 'hono'
import { GatewayError } from '../../../shared/errors.ts'
import type { McpContextClaims } from '../../../shared/mcp/claims.ts'
import { type JsonRpcErrorMessage, MCP_ERRORS, mcpError } from '../../../shared/mcp/errors.ts'
import { type ClientMessage, parseClientBody } from '../../../shared/mcp/jsonrpc.ts'
import type { McpPolicy } from '../../../shared/mcp/policy-schema.ts'
import { toolPatternsOf } from '../../../shared/mcp/scopes.ts'
import { resolveVarRef } from '../../../shared/policy/resolve.ts'
import type { AppEnv, ClientContext } from '../env.ts'
import { readBodyCapped } from '../ingress/body.ts'
import { backendFromEnv } from '../limit/backends.ts'
import type { DefinitionCache } from './definitions.ts'
import { refreshToolList } from './refresh.ts'
import { prepareBody } from './requests.ts'
import { type AnswerContext, newStats, type PendingAnswer, rewriteServerData } from './responses.ts'
import { rewriteSse } from './sse.ts'
import { toolLimiter } from './tool-limits.ts'
import { callMcpServer, type McpUpstreamOptions, passedHeaders } from './upstream.ts'

export interface ExchangeDeps {
  readonly upstream: McpUpstreamOptions
  readonly definitions: DefinitionCache
  readonly now: () => number
  readonly log: (line: string) => void
}

export interface McpTarget {
  readonly url: string
  readonly path: string
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })
const encoder = new TextEncoder()
const JSON_HEADERS = { 'content-type': 'application/json' }

export function targetOf(c: Context<AppEnv>, policy: McpPolicy): McpTarget {
  const url = resolveVarRef(policy.upstream.url, c.env)
  if (url === null) throw new GatewayError('upstream.unavailable')
  return { url, path: new URL(url).pathname }
}

function rpcReply(status: number, body: unknown, headers: HeadersInit = JSON_HEADERS): Response {
  return new Response(JSON.stringify(body), { status, headers })
}

function answerContext(
  c: Context<AppEnv>,
  policy: McpPolicy,
  deps: ExchangeDeps,
  pending: ReadonlyMap<string, PendingAnswer>,
): AnswerContext {
  const tenant = c.get('tenant')
  return {
    tenant: tenant.compiled.id,
    mcp: policy,
    screen: tenant.policy.screen,
    callerPatterns: toolPatternsOf(c.get('caller').scopes),
    cache: deps.definitions,
    now: deps.now,
    enforce: tenant.policy.mode !== 'shadow',
    pending,
    stats: newStats(),
  }
}

function logLine(c: Context<AppEnv>, deps: ExchangeDeps, fields: Record<string, unknown>): void {
  deps.log(
    JSON.stringify({
      level: 'info',
      msg: 'mcp',
      requestId: c.get('requestId'),
      tenant: c.get('tenant').compiled.id,
      sub: c.get('caller').sub,
      ...fields,
    }),
  )
}

export async function handlePost(
  c: Context<AppEnv>,
  policy: McpPolicy,
  client: ClientContext,
  deps: ExchangeDeps,
): Promise<Response> {
  const media = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase()
  if (media !== 'application/json') throw new GatewayError('ingress.unsupported_media_type')
  const declared = c.req.header('content-length')
  const tooLarge = () => rpcReply(413, mcpError('mcp.body_too_large', null))
  if (declared !== undefined && !(/^[0-9]{1,15}$/.test(declared) && Number(declared) <= policy.maxBodyBytes))
    return tooLarge()
  const read = await readBodyCapped(c.req.raw.body, policy.maxBodyBytes)
  if (!read.ok) return read.reason === 'too_large' ? tooLarge() : rpcReply(400, mcpError('mcp.parse_error', null))
  let text: string
  try {
    text = utf8.decode(read.bytes)
  } catch {
    return rpcReply(400, mcpError('mcp.parse_error', null))
  }
  const parsed = parseClientBody(text, policy.maxBatch)
  if (!parsed.ok) {
    logLine(c, deps, { methods: [], codes: parsed.errors.map((e) => e.error.data.code) })
    return rpcReply(parsed.status, parsed.errors.length === 1 ? parsed.errors[0] : parsed.errors)
  }

  const target = targetOf(c, policy)
  const tenant = c.get('tenant')
  const ctx = answerContext(c, policy, deps, new Map())
  const prepared = await prepareBody(
    {
      mcp: policy,
      screen: tenant.policy.screen,
      callerPatterns: ctx.callerPatterns,
      enforce: ctx.enforce,
      admitTool: toolLimiter({
        tenant: ctx.tenant,
        subject: c.get('caller').sub,
        mcp: policy,
        limits: tenant.policy.limits,
        backend: () => backendFromEnv(c.env, tenant.policy.limits),
      }).admit,
      definitionOf: async (name) => {
        const ttl = policy.tools.definitionTtlSeconds
        const known = deps.definitions.get(ctx.tenant, name, deps.now(), ttl)
        if (known !== null || deps.definitions.fresh(ctx.tenant, deps.now(), ttl)) return known
        const listed = await refreshToolList(c, policy, target, client, deps)
        return listed.get(name) ?? null
      },
    },
    parsed.messages,
  )
  const reply = (answers: readonly JsonRpcErrorMessage[]) => (parsed.batch ? answers : answers[0])
  // Shadow mode: what would have been refused is forwarded, and the context token says so (as the screen stage does).
  if (!ctx.enforce) c.get('decisions').shadowed.push(...prepared.codes)
  const screen =
    prepared.screen && !ctx.enforce
      ? { ...prepared.screen, enforced: prepared.screen.verdict === 'allow' }
      : prepared.screen
  const mcpClaims: McpContextClaims = {
    methods: prepared.forward.map((raw) => (typeof raw.method === 'string' ? raw.method : 'response')),
    tools: prepared.tools,
    refused: prepared.answers.length,
    session: c.req.header('mcp-session-id') !== undefined,
  }
  logLine(c, deps, {
    methods: parsed.messages.map(methodOf),
    tools: prepared.tools,
    codes: prepared.codes,
    screen: prepared.screen?.verdict ?? null,
  })
  if (prepared.forward.length === 0) return rpcReply(200, reply(prepared.answers))

  const bytes = prepared.changed
    ? encoder.encode(JSON.stringify(parsed.batch ? prepared.forward : prepared.forward[0]))
    : read.bytes
  const upstream = await callMcpServer(
    c,
    policy,
    target,
    client,
    { method: 'POST', path: target.path, bytes, mcp: mcpClaims, screen },
    deps.upstream,
  )
  const answers = { ...ctx, pending: prepared.pending }
  return rewriteAnswer(c, policy, deps, upstream, answers, prepared.answers, parsed.batch)
}

function methodOf(m: ClientMessage): string {
  return m.kind === 'response' ? 'response' : m.method
}

async function rewriteAnswer(
  c: Context<AppEnv>,
  policy: McpPolicy,
  deps: ExchangeDeps,
  upstream: Response,
  ctx: AnswerContext,
  edgeAnswers: readonly JsonRpcErrorMessage[],
  batch: boolean,
): Promise<Response> {
  const headers = passedHeaders(upstream)
  const type = headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() ?? ''
  const done = () =>
    logLine(c, deps, { answer: true, status: upstream.status, ...ctx.stats, flags: [...ctx.stats.flags] })
  const screenable = type === 'application/json' || type === 'text/event-stream'
  if (upstream.status === 202 || upstream.status >= 400 || upstream.body === null) {
    // Notifications only (202) or a transport-level refusal (400/404 unknown session, 405, 409): nothing to
    // screen. The edge's own answers still have to reach the client.
    if (edgeAnswers.length > 0 && upstream.status < 400) {
      await upstream.body?.cancel().catch(() => {})
      headers.set('content-type', 'application/json')
      return rpcReply(200, batch ? edgeAnswers : edgeAnswers[0], headers)
    }
    if (upstream.status < 400) await upstream.body?.cancel().catch(() => {})
    return new Response(upstream.status < 400 ? null : upstream.body, { status: upstream.status, headers })
  }
  if (!screenable) {
    // A 2xx body the edge cannot read message by message is never passed on unscreened.
    await upstream.body.cancel().catch(() => {})
    return rpcReply(MCP_ERRORS['mcp.upstream_bad_response'].status, mcpError('mcp.upstream_bad_response', null))
  }
  if (type === 'text/event-stream') {
    const body = rewriteSse(upstream.body, {
      maxEventChars: policy.maxResultBytes,
      prefix: edgeAnswers.map((a) => JSON.stringify(a)),
      rewrite: async (data) => JSON.stringify(await rewriteServerData(ctx, data)),
      overflow: JSON.stringify(mcpError('mcp.upstream_bad_response', null)),
      onDone: done,
    })
    return new Response(body, { status: upstream.status, headers })
  }
  const read = await readBodyCapped(upstream.body, policy.maxResultBytes)
  let text: string | null = null
  if (read.ok) {
    try {
      text = utf8.decode(read.bytes)
    } catch {}
  }
  if (text === null)
    return rpcReply(MCP_ERRORS['mcp.upstream_bad_response'].status, mcpError('mcp.upstream_bad_response', null))
  const value = await rewriteServerData(ctx, text)
  done()
  const merged = edgeAnswers.length === 0 ? value : [...edgeAnswers, ...(Array.isArray(value) ? value : [value])]
  return rpcReply(upstream.status, merged, headers)
}

/** A bodyless exchange (the GET stream, the DELETE that ends a session), signed and forwarded like any other. */
function callWithoutBody(
  c: Context<AppEnv>,
  policy: McpPolicy,
  client: ClientContext,
  deps: ExchangeDeps,
  method: 'GET' | 'DELETE',
): Promise<Response> {
  const target = targetOf(c, policy)
  const mcp: McpContextClaims = {
    methods: [],
    tools: [],
    refused: 0,
    session: c.req.header('mcp-session-id') !== undefined,
  }
  const call = { method, path: target.path, bytes: new Uint8Array(), mcp, screen: null }
  return callMcpServer(c, policy, target, client, call, deps.upstream)
}

/** The server's stream of its own requests and notifications: screened like any answer, nothing pending. */
export async function handleGet(
  c: Context<AppEnv>,
  policy: McpPolicy,
  client: ClientContext,
  deps: ExchangeDeps,
): Promise<Response> {
  const upstream = await callWithoutBody(c, policy, client, deps, 'GET')
  return rewriteAnswer(c, policy, deps, upstream, answerContext(c, policy, deps, new Map()), [], false)
}

export async function handleDelete(
  c: Context<AppEnv>,
  policy: McpPolicy,
  client: ClientContext,
  deps: ExchangeDeps,
): Promise<Response> {
  const upstream = await callWithoutBody(c, policy, client, deps, 'DELETE')
  await upstream.body?.cancel().catch(() => {})
  return new Response(null, { status: upstream.status, headers: passedHeaders(upstream) })
}
