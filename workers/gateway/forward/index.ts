// Forward: rebuild the upstream request from scratch (an allowlist, never the client's headers), send exactly
// the sealed body bytes. Streams go back chunk by chunk, bounded by the policy's response cap and idle timeout;
// a non-streamed answer is read within the cap, the idle timeout and the overall deadline, and a 2xx JSON answer
// that does not parse (cut mid-body) becomes upstream.bad_response. Upstream failures become stable codes.
import type { MiddlewareHandler } from 'hono'
import { type ErrorCode, GatewayError } from '../../../shared/errors.ts'
import { outboundBytes } from '../body.ts'
import type { AppEnv } from '../env.ts'
import { type BoundedFailure, readBounded } from './bounded.ts'
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

const READ_FAILURE: Record<BoundedFailure, ErrorCode> = {
  too_large: 'upstream.bad_response',
  broken: 'upstream.bad_response',
  idle: 'upstream.timeout',
  aborted: 'upstream.timeout',
}
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

/** A 2xx JSON answer must be one whole JSON document; a cut-off one would reach the client as a 200. */
function isWholeJson(bytes: Uint8Array): boolean {
  try {
    JSON.parse(utf8.decode(bytes))
    return true
  } catch {
    return false
  }
}

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

    const { timeoutMs, idleTimeoutMs, maxResponseBytes } = tenant.policy.upstream
    const timeout = new AbortController()
    // The deadline covers the headers and, for a non-streamed answer, the whole body; a stream is bounded by
    // the idle timeout between chunks instead (a long generation is legitimate, a silent one is not).
    const timer = setTimeout(() => timeout.abort(), timeoutMs)
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
      clearTimeout(timer)
      throw new GatewayError(timeout.signal.aborted ? 'upstream.timeout' : 'upstream.unavailable')
    }

    try {
      if (upstream.status >= 500 || (upstream.status >= 300 && upstream.status < 400)) {
        await upstream.body?.cancel().catch(() => {})
        throw new GatewayError('upstream.bad_response')
      }
      const out = new Headers()
      for (const name of RESPONSE_HEADERS) {
        const v = upstream.headers.get(name)
        if (v !== null) out.set(name, v)
      }
      const type = out.get('content-type') ?? ''
      if (upstream.body === null) return new Response(null, { status: upstream.status, headers: out })
      if (type.startsWith('text/event-stream')) {
        const bounds = { maxBytes: maxResponseBytes, idleMs: idleTimeoutMs }
        const interrupted = () => {
          const t = c.get('telemetry')
          if (t !== undefined) t.interrupted = true
        }
        return new Response(guardStream(upstream.body, true, bounds, interrupted), {
          status: upstream.status,
          headers: out,
        })
      }
      const read = await readBounded(upstream.body, {
        maxBytes: maxResponseBytes,
        idleMs: idleTimeoutMs,
        signal: timeout.signal,
      })
      if (!read.ok) throw new GatewayError(READ_FAILURE[read.reason])
      if (upstream.status < 300 && type.includes('json') && !isWholeJson(read.bytes))
        throw new GatewayError('upstream.bad_response')
      return new Response(read.bytes, { status: upstream.status, headers: out })
    } finally {
      clearTimeout(timer)
    }
  }
}
