// After the response: read the real usage (JSON body or final SSE chunk), refund or charge the difference to
// every token budget that was reserved, and stamp RateLimit headers. A broken or cancelled stream, or a 2xx
// without usage, keeps the reservation — conservative, since we cannot know what was generated.
import type { Context } from 'hono'
import type { LimiterBackend, WaitUntil } from '../../../shared/limit/backend.ts'
import { rateLimitHeaders } from '../../../shared/limit/headers.ts'
import type { PlannedCheck } from '../../../shared/limit/plan.ts'
import type { LimitItem } from '../../../shared/limit/types.ts'
import { type BodyEnd, extractJsonUsage, MAX_PARSED_BYTES, observeUsage } from '../../../shared/limit/usage.ts'
import type { AppEnv } from '../env.ts'

export interface Reservation {
  readonly backend: LimiterBackend
  /** The admitted token-budget checks, each charged `reserved`. */
  readonly tokenChecks: readonly PlannedCheck[]
  readonly reserved: number
  readonly items: readonly LimitItem[]
  readonly dropUsageChunk: boolean
}

/** Tokens to add (positive) or give back (negative); null keeps the reservation as it is. */
export function reconcileDelta(reserved: number, status: number, end: BodyEnd): number | null {
  if (end.kind !== 'completed') return null
  if (end.usage !== null) return end.usage.totalTokens - reserved
  return status >= 400 ? -reserved : null // an error answer generated nothing
}

export function backgroundTask(ctx: WaitUntil, task: Promise<unknown>, what: string): void {
  ctx.waitUntil(
    task.catch((error: unknown) => {
      console.warn(`limit: ${what} failed`, error instanceof Error ? error.name : 'error')
    }),
  )
}

function applyDelta(r: Reservation, delta: number, ctx: WaitUntil): void {
  if (delta === 0 || r.tokenChecks.length === 0) return
  const adjustments = r.tokenChecks.map((c) => ({
    key: c.key,
    partition: c.partition,
    windowSeconds: c.windowSeconds,
    delta,
    ...(c.shards === undefined ? {} : { shards: c.shards }),
  }))
  backgroundTask(ctx, r.backend.adjust(adjustments, ctx), 'reconcile')
}

/** Token items show the budget after reconciliation, when it is known before the headers go out. */
function reconciledItems(items: readonly LimitItem[], delta: number): LimitItem[] {
  return items.map((i) =>
    i.kind === 'tokens' ? { ...i, remaining: Math.min(i.limit, Math.max(0, i.remaining - delta)) } : i,
  )
}

function withHeaders(res: Response, body: BodyInit | null, items: readonly LimitItem[], dropLength: boolean): Response {
  const out = new Response(body, res)
  for (const [name, value] of Object.entries(rateLimitHeaders(items))) out.headers.set(name, value)
  if (dropLength) out.headers.delete('content-length')
  return out
}

/** Hono's `c.res` setter copies the old response's headers onto the new one (content-length included), so the
 * old one is cleared first: the new response already carries every header it should. */
function replaceResponse(c: Context<AppEnv>, res: Response): void {
  c.res = undefined
  c.res = res
}

export async function finishResponse(c: Context<AppEnv>, r: Reservation, ctx: WaitUntil): Promise<void> {
  const res = c.res
  const type = res.headers.get('content-type') ?? ''
  const length = Number(res.headers.get('content-length') ?? '0')
  if (r.reserved === 0 || res.body === null) {
    replaceResponse(c, withHeaders(res, res.body, r.items, false))
    return
  }
  if (!type.includes('text/event-stream') && type.includes('json') && length <= MAX_PARSED_BYTES) {
    // Non-streamed answers arrive whole: read them, so the headers can show the reconciled budget.
    const text = await res.text()
    const usage = extractJsonUsage(text)
    if (usage !== null) c.get('decisions').usage = usage // for the decision log
    const delta = reconcileDelta(r.reserved, res.status, { kind: 'completed', usage }) ?? 0
    applyDelta(r, delta, ctx)
    replaceResponse(c, withHeaders(res, text, reconciledItems(r.items, delta), true))
    return
  }
  const sse = type.includes('text/event-stream')
  let settle: (end: BodyEnd) => void = () => {}
  const ended = new Promise<BodyEnd>((resolve) => {
    settle = resolve
  })
  const body = observeUsage(res.body, { sse, dropUsageChunk: sse && r.dropUsageChunk }, (end) => {
    if (end.kind === 'completed' && end.usage !== null) c.get('decisions').usage = end.usage // for the decision log
    settle(end)
  })
  backgroundTask(
    ctx,
    ended.then((end) => {
      const delta = reconcileDelta(r.reserved, res.status, end)
      if (delta !== null) applyDelta(r, delta, ctx)
    }),
    'stream reconcile',
  )
  replaceResponse(c, withHeaders(res, body, r.items, sse && r.dropUsageChunk))
}
