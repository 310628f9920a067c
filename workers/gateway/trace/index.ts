// Trace: the first and last stage. Gives every request an id and a W3C trace context (a client traceparent is
// continued only when well-formed), returns them with `Server-Timing`, and writes one decision-log line plus one
// Analytics Engine point per request — when the response body has ended, so a stream's usage and time to first
// byte are in it. Codes, ids and numbers only, never prompt text or credentials (record.ts).
import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv } from '../env.ts'
import { analyticsPoint } from './analytics.ts'
import { promptFingerprint, promptMaterial, subjectHash } from './fingerprint.ts'
import { type BodyOutcome, type DecisionRecord, decisionRecord, type LogLevel } from './record.ts'
import { serverTiming, type Telemetry } from './timing.ts'

export { timed } from './timing.ts'

export interface TraceOptions {
  /** Where the decision log goes; defaults to console.log / warn / error by level (Workers Logs' level). */
  readonly log?: (line: string, level: LogLevel) => void
  readonly randomHex?: (bytes: number) => string
  /** Clock in ms (default performance.now). */
  readonly now?: () => number
  /** false: ids and traceparent only — no timings, log line, metrics or body observer. The bench's baseline for
   * what telemetry costs; nothing else should turn it off. Default true. */
  readonly telemetry?: boolean
}

// W3C Trace Context §3.2: version 00, 32-hex trace-id, 16-hex parent-id, 2-hex flags; all-zero ids are invalid.
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/
const ZERO_TRACE = '0'.repeat(32)
const ZERO_SPAN = '0'.repeat(16)
// A client's x-request-id is recorded only if it is a plain token (UUIDs, ULIDs, hex, dotted ids): never free text.
const CLIENT_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/

export function parseTraceparent(header: string | undefined): { traceId: string; flags: string } | null {
  if (header === undefined || header.length !== 55) return null
  const m = TRACEPARENT.exec(header)
  if (!m || m[1] === ZERO_TRACE || m[2] === ZERO_SPAN) return null
  return { traceId: m[1] as string, flags: m[3] as string }
}

export function parseClientRequestId(header: string | undefined): string | null {
  return header !== undefined && CLIENT_REQUEST_ID.test(header) ? header : null
}

function cryptoHex(bytes: number): string {
  const buf = crypto.getRandomValues(new Uint8Array(bytes))
  let out = ''
  for (const b of buf) out += b.toString(16).padStart(2, '0')
  return out
}

const consoleLog = (line: string, level: LogLevel) => {
  if (level === 'error') console.error(line)
  else if (level === 'warn') console.warn(line)
  else console.log(line)
}

/** Passes the body on and calls `onEnd` once, before the client sees the end, with how it ended. */
function observeBody(
  body: ReadableStream<Uint8Array>,
  t: Telemetry,
  onEnd: (how: BodyOutcome) => Promise<void>,
): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let result: ReadableStreamReadResult<Uint8Array>
        try {
          result = await reader.read()
        } catch (error) {
          await onEnd('broken')
          controller.error(error)
          return
        }
        if (result.done) {
          await onEnd('completed')
          controller.close()
          return
        }
        t.firstByteAt ??= t.clock()
        controller.enqueue(result.value)
      },
      async cancel(reason) {
        await onEnd('cancelled')
        await reader.cancel(reason)
      },
    },
    { highWaterMark: 0 },
  )
}

export const trace = (opts: TraceOptions = {}): MiddlewareHandler<AppEnv> => {
  const log = opts.log ?? consoleLog
  const randomHex = opts.randomHex ?? cryptoHex
  const clock = opts.now ?? (() => performance.now())
  const enabled = opts.telemetry !== false
  return async function trace(c, next) {
    const incoming = parseTraceparent(c.req.header('traceparent'))
    // One draw of randomness per request: 16 bytes request id, 8 bytes span id, 16 bytes trace id if new.
    const random = randomHex(incoming ? 24 : 40)
    const requestId = random.slice(0, 32)
    const spanId = random.slice(32, 48)
    const traceId = incoming?.traceId ?? random.slice(48, 80)
    const traceparent = `00-${traceId}-${spanId}-${incoming?.flags ?? '01'}`
    const t: Telemetry = {
      clock,
      started: clock(),
      stages: {},
      clientRequestId: parseClientRequestId(c.req.header('x-request-id')),
      firstByteAt: null,
      interrupted: false,
    }
    c.set('requestId', requestId)
    c.set('traceparent', traceparent)
    if (enabled) c.set('telemetry', t)
    c.set('decisions', { shadowed: [] })
    c.set('upstreamHeaders', {})
    await next()
    c.res.headers.set('x-request-id', requestId)
    c.res.headers.set('traceparent', traceparent)
    if (!enabled) return
    c.res.headers.set('server-timing', serverTiming(t, clock()))

    let written = false
    const finish = async (body: BodyOutcome) => {
      if (written) return
      written = true
      await writeTelemetry(c, t, log, { requestId, traceId, spanId, body })
    }
    const fromUpstream = t.stages.upstream !== undefined && !c.res.headers.has('x-portcullis-code')
    if (fromUpstream && c.res.body !== null) {
      const res = c.res
      c.res = undefined // hono's setter would merge the old headers into the new response again
      c.res = new Response(observeBody(res.body as ReadableStream<Uint8Array>, t, finish), res)
      return
    }
    await finish('not_streamed')
  }
}

/** Builds the record, writes the log line and the Analytics Engine point. Never throws into the response. */
async function writeTelemetry(
  c: Context<AppEnv>,
  t: Telemetry,
  log: (line: string, level: LogLevel) => void,
  ids: { requestId: string; traceId: string; spanId: string; body: BodyOutcome },
): Promise<void> {
  try {
    const secret = typeof c.env?.LOG_HMAC_KEY === 'string' ? c.env.LOG_HMAC_KEY : undefined
    const route = c.get('route')
    const material = route ? promptMaterial(route.endpoint, c.get('body')?.json ?? null) : null
    const promptHmac = await promptFingerprint(secret, material)
    const record: DecisionRecord = decisionRecord(c, t, { ...ids, promptHmac, now: t.clock() })
    log(JSON.stringify(record), record.level)
    const dataset = c.env?.DECISIONS
    if (dataset === undefined) return
    const sub =
      record.sub === null || record.tenant === null ? null : await subjectHash(secret, record.tenant, record.sub)
    dataset.writeDataPoint(analyticsPoint(record, sub))
  } catch (err) {
    // Telemetry must never turn an answered request into a failure: note it by error name only.
    log(
      JSON.stringify({ level: 'error', msg: 'telemetry failed', requestId: ids.requestId, error: (err as Error).name }),
      'error',
    )
  }
}
