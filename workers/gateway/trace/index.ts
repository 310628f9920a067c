// Trace: the first and last stage. Gives every request an id and a W3C trace context (a client traceparent is
// continued only when well-formed), initialises the per-request state, and writes one decision-log line at the
// end — codes and decisions only, never prompt text or credentials.
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../env.ts'

export interface TraceOptions {
  /** Where the decision log goes; defaults to console.log (Workers Logs). */
  readonly log?: (line: string) => void
  readonly randomHex?: (bytes: number) => string
  readonly now?: () => number
}

// W3C Trace Context §3.2: version 00, 32-hex trace-id, 16-hex parent-id, 2-hex flags; all-zero ids are invalid.
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/
const ZERO_TRACE = '0'.repeat(32)
const ZERO_SPAN = '0'.repeat(16)

export function parseTraceparent(header: string | undefined): { traceId: string; flags: string } | null {
  if (header === undefined || header.length !== 55) return null
  const m = TRACEPARENT.exec(header)
  if (!m || m[1] === ZERO_TRACE || m[2] === ZERO_SPAN) return null
  return { traceId: m[1] as string, flags: m[3] as string }
}

function cryptoHex(bytes: number): string {
  const buf = crypto.getRandomValues(new Uint8Array(bytes))
  let out = ''
  for (const b of buf) out += b.toString(16).padStart(2, '0')
  return out
}

export const trace = (opts: TraceOptions = {}): MiddlewareHandler<AppEnv> => {
  const log = opts.log ?? ((line: string) => console.log(line))
  const randomHex = opts.randomHex ?? cryptoHex
  const now = opts.now ?? Date.now
  return async function trace(c, next) {
    const started = now()
    const incoming = parseTraceparent(c.req.header('traceparent'))
    // One draw of randomness per request: 16 bytes request id, 8 bytes span id, 16 bytes trace id if new.
    const random = randomHex(incoming ? 24 : 40)
    const requestId = random.slice(0, 32)
    const spanId = random.slice(32, 48)
    const traceId = incoming?.traceId ?? random.slice(48, 80)
    c.set('requestId', requestId)
    c.set('traceparent', `00-${traceId}-${spanId}-${incoming?.flags ?? '01'}`)
    c.set('decisions', { shadowed: [] })
    c.set('upstreamHeaders', {})
    await next()
    c.res.headers.set('x-request-id', requestId)
    const d = c.get('decisions')
    const entry = {
      level: c.res.status >= 500 ? 'error' : 'info',
      msg: 'request',
      requestId,
      traceId,
      tenant: c.get('tenant')?.compiled.id ?? null,
      policyVersion: c.get('tenant')?.compiled.version ?? null,
      policySha256: c.get('tenant')?.compiled.sha256 ?? null,
      endpoint: c.get('route')?.endpoint ?? null,
      status: c.res.status,
      code: c.res.headers.get('x-portcullis-code'),
      sub: c.get('caller')?.sub ?? null,
      grant: d.grant ?? null,
      limit: d.limit ? { checked: d.limit.checked, reservedTokens: d.limit.reservedTokens } : null,
      screen: d.screen
        ? { verdict: d.screen.verdict, categories: d.screen.categories, rules: d.screen.rules, score: d.screen.score }
        : null,
      shadowed: d.shadowed,
      ms: now() - started,
    }
    log(JSON.stringify(entry))
  }
}
