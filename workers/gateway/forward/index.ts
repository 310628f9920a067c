// Forward: rebuild the upstream request from scratch (an allowlist, never the client's headers), send exactly
// the sealed body bytes, and stream the answer back without buffering. Upstream failures become stable codes;
// a stream that breaks mid-way ends cleanly (SSE gets a final error event) instead of hanging the client.
import type { MiddlewareHandler } from 'hono'
import { GatewayError } from '../../../shared/errors.ts'
import { outboundBytes } from '../body.ts'
import type { AppEnv } from '../env.ts'
import { guardStream } from './stream.ts'

export interface ForwardOptions {
  readonly fetch?: typeof fetch
}

// Client headers that may reach the model tier, by name. Everything else — forwarding/proxy headers, cf-*,
// mesh/tracing headers, cookies, the caller's authorization, routing hints — is dropped by construction.
const ACCEPT_VALUES = new Set(['application/json', 'text/event-stream'])
// Response headers passed back to the client; upstream server/mesh internals are not.
const RESPONSE_HEADERS = ['content-type', 'cache-control', 'openai-processing-ms', 'retry-after'] as const
export const FAIRNESS_HEADER = 'x-gateway-inference-fairness-id' // Gateway API Inference Extension flow control

export const forward = (opts: ForwardOptions = {}): MiddlewareHandler<AppEnv> => {
  const doFetch = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init))
  return async function forward(c) {
    const tenant = c.get('tenant')
    const route = c.get('route')
    const caller = c.get('caller')
    const headers = new Headers()
    const accept = c.req.header('accept')?.toLowerCase()
    headers.set('accept', accept && ACCEPT_VALUES.has(accept) ? accept : 'application/json')
    headers.set('user-agent', 'portcullis')
    headers.set('x-request-id', c.get('requestId'))
    headers.set('traceparent', c.get('traceparent'))
    headers.set(FAIRNESS_HEADER, `${tenant.compiled.id}/${caller.sub}`)
    const secretName = tenant.policy.upstream.credentialSecret
    const credential = secretName === null ? undefined : c.env[secretName]
    if (typeof credential === 'string' && credential !== '') headers.set('authorization', `Bearer ${credential}`)
    for (const [name, value] of Object.entries(c.get('upstreamHeaders'))) headers.set(name, value)

    let body: Uint8Array | undefined
    if (route.method === 'POST') {
      body = outboundBytes(c.get('body'))
      headers.set('content-type', 'application/json')
    }

    const timeout = new AbortController()
    const timer = setTimeout(() => timeout.abort(), tenant.policy.upstream.timeoutMs)
    let upstream: Response
    try {
      upstream = await doFetch(`${tenant.upstreamUrl}${route.path}`, {
        method: route.method,
        headers,
        body,
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
    const out = new Headers()
    for (const name of RESPONSE_HEADERS) {
      const v = upstream.headers.get(name)
      if (v !== null) out.set(name, v)
    }
    const isSse = out.get('content-type')?.startsWith('text/event-stream') ?? false
    const interrupted = () => {
      const t = c.get('telemetry')
      if (t !== undefined) t.interrupted = true
    }
    return new Response(upstream.body ? guardStream(upstream.body, isSse, interrupted) : null, {
      status: upstream.status,
      headers: out,
    })
  }
}
