// The gateway as fixtures see it: the REAL createGateway over the policies under test, inside workerd, with
// each issuer's key set swapped for a per-run test key (issuer and audience strings unchanged) and the
// decision-log line handed back with the response. Named exports of the real entry (Durable Object classes)
// are re-exported, so stages that need new bindings work here as soon as wrangler.toml declares them.
import type { CompiledPolicy } from '../../shared/policy/schema.ts'
import { createGateway } from '../../workers/gateway/app.ts'
import { createLocalKeySet } from '../../workers/gateway/authenticate/jwks.ts'
import type { Env } from '../../workers/gateway/env.ts'

export * from '../../workers/gateway/index.ts'

/** What the harness adds to the Worker's own bindings. */
interface ReplayEnv extends Env {
  /** JSON: the compiled tenants under test. */
  readonly REPLAY_TENANTS: string
  /** JSON: the public JWKS every issuer is checked against during replay. */
  readonly REPLAY_CALLER_JWKS: string
  /** The capture Worker standing in for every model tier. */
  readonly REPLAY_CAPTURE: Fetcher
}

export interface ReplayEnvelope {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
  /** The decision-log line the trace stage wrote for this request. */
  readonly decision: Record<string, unknown> | null
  /** What reached the model tier, or null when nothing was forwarded. */
  readonly forwarded: { method: string; url: string; headers: Record<string, string>; body: string } | null
}

let gateway: ReturnType<typeof createGateway> | null = null
const logLines = new Map<string, string>()

function gatewayFor(env: ReplayEnv): ReturnType<typeof createGateway> {
  if (gateway) return gateway
  const callerKeys = createLocalKeySet(JSON.parse(env.REPLAY_CALLER_JWKS))
  gateway = createGateway({
    tenants: JSON.parse(env.REPLAY_TENANTS) as CompiledPolicy[],
    trace: {
      log: (line) => {
        const id = (JSON.parse(line) as { requestId?: unknown }).requestId
        if (typeof id === 'string') logLines.set(id, line)
      },
    },
    authenticate: { keySetFor: () => callerKeys },
  })
  return gateway
}

export default {
  async fetch(request: Request, env: ReplayEnv, ctx: ExecutionContext): Promise<Response> {
    // Miniflare's dispatchFetch rewrites Host to its loopback address; at the edge Host is the URL's host.
    const headers = new Headers(request.headers)
    headers.set('host', new URL(request.url).host)
    const res = await gatewayFor(env).fetch(new Request(request, { headers }), env, ctx)
    const body = await res.text() // drains a stream too, so the log line and capture are complete
    const id = res.headers.get('x-request-id') ?? ''
    const line = logLines.get(id)
    logLines.delete(id)
    const captured = id === '' ? null : await env.REPLAY_CAPTURE.fetch(`http://capture/__captured/${id}`)
    const envelope: ReplayEnvelope = {
      status: res.status,
      headers: Object.fromEntries(res.headers),
      body,
      decision: line ? (JSON.parse(line) as Record<string, unknown>) : null,
      forwarded: captured && captured.status === 200 ? await captured.json() : null,
    }
    return Response.json(envelope)
  },
}
