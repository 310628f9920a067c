// The response guard, in two halves around screen → sign → forward. `pseudonymize` (before screen) sends the
// policy's PII types upstream as placeholders and keeps the mapping in this request's memory; `respond` (after
// screen, before sign) records that in the screen decision (counts only, so the Txn-Token carries them), then
// screens the answer forward produced: JSON read whole under a cap, SSE rewritten as it flows.
import type { Context, MiddlewareHandler } from 'hono'
import { GatewayError } from '../../../shared/errors.ts'
import type { Endpoint } from '../../../shared/policy/schema.ts'
import { ENDPOINT_CATALOGUE } from '../../../shared/request/endpoints.ts'
import { callerTexts } from '../../../shared/request/texts.ts'
import { compileResponse } from '../../../shared/response/detect.ts'
import { AnswerGuard, type RequestMemory } from '../../../shared/response/guard.ts'
import { guardJsonAnswer } from '../../../shared/response/json.ts'
import { fingerprint } from '../../../shared/response/leak.ts'
import { pseudonymizeRequest, systemTexts } from '../../../shared/response/pseudonymize.ts'
import { redactionSummary, SseRewriter } from '../../../shared/response/sse.ts'
import { guardSseBody } from '../../../shared/response/stream.ts'
import { emptyResponseDecision } from '../../../shared/response/types.ts'
import { patchChangedTexts } from '../body.ts'
import type { AppEnv } from '../env.ts'
import { isShadowMode } from '../shadow.ts'

// Endpoints whose answers carry model-written text, from the catalogue (chat and legacy completions today).
const GENERATING: ReadonlySet<Endpoint> = new Set(ENDPOINT_CATALOGUE.filter((e) => e.generates).map((e) => e.name))
export const REDACTIONS_HEADER = 'x-portcullis-redactions'
const NO_PSEUDONYMS = { mapping: new Map<string, string>(), counts: {} }
const NO_FINGERPRINTS: ReadonlySet<number> = new Set()

export const pseudonymize = (): MiddlewareHandler<AppEnv> =>
  async function pseudonymize(c, next) {
    c.set('pseudonyms', NO_PSEUDONYMS)
    const tenant = c.get('tenant')
    const policy = tenant.policy.response
    const endpoint = c.get('route').endpoint
    const body = c.get('body')
    const json = body?.current ?? null
    // Shadow mode forwards the caller's text as it is: pseudonyms are a rewrite, and shadow enforces nothing.
    if (!policy.enabled || json === null || !GENERATING.has(endpoint) || isShadowMode(c)) return next()
    if (policy.pseudonymize.types.length === 0) return next()
    const r = pseudonymizeRequest(endpoint as 'chat' | 'completions', json, policy.pseudonymize.types)
    if (r.json !== null) {
      patchChangedTexts(body, 'pseudonym', callerTexts(endpoint, json), r.json)
      c.set('pseudonyms', { mapping: r.mapping, counts: r.counts })
    }
    return next()
  }

export const respond = (): MiddlewareHandler<AppEnv> =>
  async function respond(c, next) {
    const tenant = c.get('tenant')
    const policy = tenant.policy.response
    const endpoint = c.get('route').endpoint
    if (!policy.enabled || !GENERATING.has(endpoint)) return next()
    const pseudonyms = c.get('pseudonyms') ?? NO_PSEUDONYMS
    recordPseudonyms(c, pseudonyms.counts)
    const json = c.get('body')?.json ?? null
    const memory: RequestMemory = {
      pseudonyms: pseudonyms.mapping,
      fingerprints:
        policy.leak.action === 'off' || json === null
          ? NO_FINGERPRINTS
          : fingerprint(systemTexts(endpoint as 'chat' | 'completions', json)),
    }
    const decision = emptyResponseDecision()
    c.get('decisions').response = decision
    await next()
    const res = c.res
    if (res.status < 200 || res.status >= 300 || res.body === null) {
      decision.done = true
      return
    }
    const guard = new AnswerGuard(compileResponse(policy), memory, decision, {
      shadowMode: isShadowMode(c),
    })
    const type = res.headers.get('content-type') ?? ''
    if (type.startsWith('text/event-stream')) {
      const body = guardSseBody(res.body, new SseRewriter(guard, policy.failMode === 'open'))
      const out = new Response(body, res)
      out.headers.delete('content-length') // rewritten text changes the length
      replaceResponse(c, out)
      return
    }
    if (!type.includes('json')) {
      await res.body.cancel().catch(() => {})
      throw new GatewayError('upstream.bad_response') // a generating endpoint answering neither JSON nor SSE
    }
    const text = await readBounded(res, policy.maxJsonBytes)
    if (text === null) throw new GatewayError('response.too_large')
    let outcome: ReturnType<typeof guardJsonAnswer>
    try {
      outcome = guardJsonAnswer(text, guard)
    } catch {
      if (policy.failMode === 'closed') throw new GatewayError('response.unavailable')
      outcome = { ok: true, text, changed: false }
    }
    if (!outcome.ok) throw new GatewayError(outcome.code)
    const out = new Response(outcome.text, res)
    out.headers.delete('content-length')
    const summary = redactionSummary(decision.redactions)
    if (summary !== '') out.headers.set(REDACTIONS_HEADER, summary)
    replaceResponse(c, out)
  }

/** The request went upstream with placeholders: that is a redaction, in counts by type (never values). */
function recordPseudonyms(c: Context<AppEnv>, counts: Readonly<Record<string, number>>): void {
  const types = Object.keys(counts)
  const screen = c.get('decisions').screen
  if (types.length === 0 || screen === undefined) return
  const redactions = { ...screen.redactions }
  for (const t of types) redactions[t] = (redactions[t] ?? 0) + counts[t]!
  c.get('decisions').screen = {
    ...screen,
    verdict: screen.verdict === 'allow' || screen.verdict === 'flag' ? 'redact' : screen.verdict,
    categories: screen.categories.includes('pii') ? screen.categories : [...screen.categories, 'pii'],
    redactions,
  }
}

/** The body as text, or null past `max` bytes (Content-Length first, then while reading). */
async function readBounded(res: Response, max: number): Promise<string | null> {
  if (Number(res.headers.get('content-length') ?? '0') > max) {
    await res.body?.cancel().catch(() => {})
    return null
  }
  const reader = (res.body as ReadableStream<Uint8Array>).getReader()
  const decoder = new TextDecoder()
  let size = 0
  let text = ''
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return text + decoder.decode()
    size += value.byteLength
    if (size > max) {
      await reader.cancel().catch(() => {})
      return null
    }
    text += decoder.decode(value, { stream: true })
  }
}

/** Hono's `c.res` setter merges the old headers into the new response; clear it first (as limit/reconcile does). */
function replaceResponse(c: Context<AppEnv>, res: Response): void {
  c.res = undefined
  c.res = res
}
