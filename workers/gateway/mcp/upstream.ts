// One request to the MCP server, rebuilt from an allowlist: the transport headers MCP needs (session id, protocol
// version, resumption id, accept) and what the edge sets (request id, traceparent, Txn-Token, Content-Digest, the
// server's own credential). The caller's bearer token is never passed on (MCP authorization spec: no token
// passthrough). Failures become stable codes; redirects and 5xx are not followed or relayed.
import type { Context } from 'hono'
import { GatewayError } from '../../../shared/errors.ts'
import type { McpPolicy } from '../../../shared/mcp/policy-schema.ts'
import type { AppEnv, ClientContext } from '../env.ts'
import { type McpForwardBinding, type McpSignOptions, signMcpRequest } from './sign.ts'

export interface McpUpstreamOptions extends McpSignOptions {
  readonly fetch?: typeof fetch
}

/** Client request headers MCP's Streamable HTTP transport defines, passed through by name. */
const PASSED_REQUEST_HEADERS = ['mcp-session-id', 'mcp-protocol-version', 'last-event-id'] as const
/** Response headers passed back to the client. */
export const PASSED_RESPONSE_HEADERS = [
  'content-type',
  'cache-control',
  'mcp-session-id',
  'mcp-protocol-version',
] as const
const MAX_HEADER_CHARS = 256 // a session id is a UUID or similar; anything longer is not one

export async function callMcpServer(
  c: Context<AppEnv>,
  policy: McpPolicy,
  target: { url: string; path: string },
  client: ClientContext,
  binding: McpForwardBinding,
  opts: McpUpstreamOptions,
): Promise<Response> {
  const headers = new Headers()
  headers.set('accept', binding.method === 'GET' ? 'text/event-stream' : 'application/json, text/event-stream')
  headers.set('user-agent', 'portcullis')
  headers.set('x-request-id', c.get('requestId'))
  headers.set('traceparent', c.get('traceparent'))
  for (const name of PASSED_REQUEST_HEADERS) {
    const v = c.req.header(name)
    if (v === undefined) continue
    if (v.length > MAX_HEADER_CHARS || !/^[\x21-\x7e]+$/.test(v))
      throw new GatewayError('ingress.invalid_request', name)
    headers.set(name, v)
  }
  const secretName = policy.upstream.credentialSecret
  const credential = secretName === null ? undefined : c.env[secretName]
  if (typeof credential === 'string' && credential !== '') headers.set('authorization', `Bearer ${credential}`)
  for (const [name, value] of Object.entries(await signMcpRequest(c, policy, client, binding, opts)))
    headers.set(name, value)
  if (binding.method === 'POST') headers.set('content-type', 'application/json')

  const doFetch = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init))
  const timeout = new AbortController()
  const timer = setTimeout(() => timeout.abort(), policy.upstream.timeoutMs)
  let upstream: Response
  try {
    upstream = await doFetch(target.url, {
      method: binding.method,
      headers,
      body: binding.method === 'POST' ? binding.bytes : undefined,
      signal: timeout.signal,
      redirect: 'manual',
    })
  } catch {
    throw new GatewayError(timeout.signal.aborted ? 'upstream.timeout' : 'upstream.unavailable')
  } finally {
    clearTimeout(timer)
  }
  if (upstream.status >= 500 || (upstream.status >= 300 && upstream.status < 400)) {
    await upstream.body?.cancel().catch(() => {})
    throw new GatewayError('upstream.bad_response')
  }
  return upstream
}

/** The allowlisted response headers of an upstream answer. */
export function passedHeaders(upstream: Response): Headers {
  const out = new Headers()
  for (const name of PASSED_RESPONSE_HEADERS) {
    const v = upstream.headers.get(name)
    if (v !== null) out.set(name, v)
  }
  return out
}
