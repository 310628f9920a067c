// Re-reading the server's tool list when a tools/call names a tool whose reviewed definition is stale or unknown:
// the edge's own tools/list (signed like any forwarded request, in the caller's session), every page up to a bound,
// each tool reviewed and remembered. This is what turns a "rug pull" (a definition changed after approval) into
// a refused call even when the client never lists again.
import type { Context } from 'hono'
import { GatewayError } from '../../../shared/errors.ts'
import type { McpPolicy } from '../../../shared/mcp/policy-schema.ts'
import type { AppEnv, ClientContext, JsonObject } from '../env.ts'
import { readBodyCapped } from '../ingress/body.ts'
import { reviewTool, type ToolReview } from './definitions.ts'
import type { ExchangeDeps, McpTarget } from './exchange.ts'
import { SseParser } from './sse.ts'
import { callMcpServer } from './upstream.ts'

const MAX_PAGES = 8 // a server with more pages of tools than this is refused rather than read without end
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })
const encoder = new TextEncoder()

export async function refreshToolList(
  c: Context<AppEnv>,
  policy: McpPolicy,
  target: McpTarget,
  client: ClientContext,
  deps: ExchangeDeps,
): Promise<ReadonlyMap<string, ToolReview>> {
  const tenant = c.get('tenant')
  const reviews = new Map<string, ToolReview>()
  let cursor: string | null = null
  for (let page = 0; page < MAX_PAGES; page++) {
    const id = `portcullis-tools-${page}`
    const body = { jsonrpc: '2.0', id, method: 'tools/list', params: cursor === null ? {} : { cursor } }
    const upstream = await callMcpServer(
      c,
      policy,
      target,
      client,
      {
        method: 'POST',
        path: target.path,
        bytes: encoder.encode(JSON.stringify(body)),
        mcp: { methods: ['tools/list'], tools: [], refused: 0, session: c.req.header('mcp-session-id') !== undefined },
        screen: null,
        jtiSuffix: `.tools-${page}`,
      },
      deps.upstream,
    )
    const result = await answerFor(upstream, id, policy.maxResultBytes)
    const tools = Array.isArray(result.tools) ? result.tools : []
    const pageReviews: ToolReview[] = []
    for (const t of tools) {
      const r = await reviewTool(t, policy, tenant.policy.screen)
      if (r) pageReviews.push(r)
    }
    deps.definitions.record(tenant.compiled.id, pageReviews, deps.now(), page === 0)
    for (const r of pageReviews) reviews.set(r.name, r)
    cursor = typeof result.nextCursor === 'string' ? result.nextCursor : null
    if (cursor === null) return reviews
  }
  throw new GatewayError('upstream.bad_response')
}

/** The `result` of the answer with `id`, from a JSON or SSE answer; anything else is a bad answer. */
async function answerFor(upstream: Response, id: string, maxBytes: number): Promise<JsonObject> {
  const read = upstream.status === 200 ? await readBodyCapped(upstream.body, maxBytes) : null
  if (read === null) await upstream.body?.cancel().catch(() => {})
  if (read === null || !read.ok) throw new GatewayError('upstream.bad_response')
  let text: string
  try {
    text = utf8.decode(read.bytes)
  } catch {
    throw new GatewayError('upstream.bad_response')
  }
  const sse = upstream.headers.get('content-type')?.startsWith('text/event-stream') ?? false
  const datas = sse ? new SseParser().push(`${text}\n\n`).map((e) => e.data ?? '') : [text]
  for (const data of datas) {
    let msg: unknown
    try {
      msg = JSON.parse(data)
    } catch {
      continue
    }
    if (isObject(msg) && msg.id === id && isObject(msg.result)) return msg.result
  }
  throw new GatewayError('upstream.bad_response')
}
