// The screen stage: after limits, before signing. Scans every caller-controlled text of the body with the tenant's
// compiled screen, then enforces the verdict: block → screen.<category> (403), redact → placeholders in the
// forwarded body, flag → forwarded and recorded. Shadow (policy mode or a category/rule action) only records.
// A throwing engine fails closed (screen.unavailable) unless the policy's failMode is open. Never logs raw text.
// The conversation's seams (shared/request/texts.ts) are scanned too, so an attack split across messages blocks.
import type { MiddlewareHandler } from 'hono'
import { type ErrorCode, GatewayError } from '../../../shared/errors.ts'
import type { Endpoint } from '../../../shared/request/endpoints.ts'
import { callerTexts, conversationWindows } from '../../../shared/request/texts.ts'
import { INSTRUCTION_CATEGORIES } from '../../../shared/screen/categories.ts'
import { type CompiledScreen, compileScreen, scanText } from '../../../shared/screen/engine.ts'
import type { ScreenPolicy } from '../../../shared/screen/policy-schema.ts'
import { decide, type ScanOutcome, scanRequest } from '../../../shared/screen/request.ts'
import type { ScreenDecision } from '../../../shared/screen/types.ts'
import { patchChangedTexts } from '../body.ts'
import type { AppEnv, JsonObject } from '../env.ts'
import { isShadowMode, refuseOrRecord } from '../shadow.ts'

export interface ScreenStageOptions {
  /** Replaces the engine (tests: a throwing engine for the fail-closed/open cases). */
  readonly scan?: (compiled: CompiledScreen, endpoint: Endpoint, json: JsonObject) => ScanOutcome
}

// A split payload is an instruction (attack or smuggling); PII and secrets are whole within one text already.
const SEAM_CATEGORIES = INSTRUCTION_CATEGORIES

/** The whole-body outcome, with a block found only across message seams added to it. */
function withSeams(compiled: CompiledScreen, endpoint: Endpoint, json: JsonObject, outcome: ScanOutcome): ScanOutcome {
  if (outcome.blockCategory !== null || endpoint !== 'chat') return outcome
  const windows = conversationWindows(callerTexts(endpoint, json))
  if (windows.length === 0) return outcome
  const seams = decide(
    compiled,
    windows,
    windows.map((w) => scanText(compiled, w.text, w.role)),
    null,
  )
  const shadowed = [...outcome.shadowed, ...seams.shadowed.filter((c) => SEAM_CATEGORIES.has(c))]
  const category = seams.blockCategory
  if (category === null || !SEAM_CATEGORIES.has(category)) return { ...outcome, shadowed }
  const decision: ScreenDecision = {
    ...outcome.decision,
    verdict: 'block',
    enforced: true,
    categories: [...new Set([...outcome.decision.categories, category])],
    rules: [...new Set([...outcome.decision.rules, ...seams.decision.rules])].sort(),
  }
  return { decision, redacted: null, blockCategory: category, shadowed }
}

const NOT_SCREENED: ScreenDecision = {
  verdict: 'allow',
  enforced: true,
  score: 0,
  categories: [],
  rules: [],
  redactions: {},
  spans: [],
  texts: 0,
}

export const screen = (opts: ScreenStageOptions = {}): MiddlewareHandler<AppEnv> =>
  async function screen(c, next) {
    const policy: ScreenPolicy = c.get('tenant').policy.screen
    // The body as earlier stages left it (pseudonyms already in place): what is forwarded is what is judged.
    const json = c.get('body')?.current ?? null
    if (!policy.enabled || json === null || c.get('route').endpoint === 'models') {
      c.get('decisions').screen = NOT_SCREENED
      return next()
    }
    const endpoint = c.get('route').endpoint
    let outcome: ScanOutcome
    try {
      const compiled = compileScreen(policy)
      outcome = withSeams(compiled, endpoint, json, (opts.scan ?? scanRequest)(compiled, endpoint, json))
    } catch (err) {
      console.log(
        JSON.stringify({
          level: 'error',
          msg: 'screen failed',
          requestId: c.get('requestId') ?? null,
          error: (err as Error).name,
        }),
      )
      if (policy.failMode === 'closed') throw new GatewayError('screen.unavailable')
      c.get('decisions').screen = { ...NOT_SCREENED, enforced: false, failedOpen: true }
      return next()
    }
    const { decision, redacted, blockCategory } = outcome
    // Categories under a shadow action are recorded whatever the mode; a block goes through the shadow helper.
    for (const category of outcome.shadowed) c.get('decisions').shadowed.push(`screen.${category}`)
    if (isShadowMode(c)) {
      c.get('decisions').screen = { ...decision, enforced: decision.verdict === 'allow' }
      if (blockCategory !== null) refuseOrRecord(c, `screen.${blockCategory}` as ErrorCode)
      return next()
    }
    c.get('decisions').screen = decision
    if (decision.enforced && decision.verdict === 'block' && blockCategory !== null)
      refuseOrRecord(c, `screen.${blockCategory}` as ErrorCode)
    if (decision.enforced && decision.verdict === 'redact' && redacted !== null)
      patchChangedTexts(c.get('body'), 'redaction', callerTexts(endpoint, json), redacted)
    return next()
  }
