// The screen stage: after limits, before signing. Scans every caller-controlled text of the body with the tenant's
// compiled screen, then enforces the verdict: block → screen.<category> (403), redact → placeholders in the
// forwarded body, flag → forwarded and recorded. Shadow (policy mode or a category/rule action) only records.
// A throwing engine fails closed (screen.unavailable) unless the policy's failMode is open. Never logs raw text.
import type { MiddlewareHandler } from 'hono'
import { type ErrorCode, GatewayError } from '../../../shared/errors.ts'
import { type CompiledScreen, compileScreen } from '../../../shared/screen/engine.ts'
import type { ScreenPolicy } from '../../../shared/screen/policy-schema.ts'
import { type ScanOutcome, scanRequest } from '../../../shared/screen/request.ts'
import type { ScreenDecision } from '../../../shared/screen/types.ts'
import { rewriteBody } from '../body.ts'
import type { AppEnv, JsonObject } from '../env.ts'

export interface ScreenStageOptions {
  /** Replaces the engine (tests: a throwing engine for the fail-closed/open cases). */
  readonly scan?: (
    compiled: CompiledScreen,
    endpoint: 'chat' | 'completions' | 'embeddings' | 'models',
    json: JsonObject,
  ) => ScanOutcome
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
    const json = c.get('body')?.json ?? null
    if (!policy.enabled || json === null || c.get('route').endpoint === 'models') {
      c.get('decisions').screen = NOT_SCREENED
      return next()
    }
    let outcome: ScanOutcome
    try {
      outcome = (opts.scan ?? scanRequest)(compileScreen(policy), c.get('route').endpoint, json)
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
    const shadowMode = c.get('tenant').policy.mode === 'shadow'
    const { decision, redacted, blockCategory } = outcome
    for (const category of outcome.shadowed) c.get('decisions').shadowed.push(`screen.${category}`)
    if (shadowMode) {
      c.get('decisions').screen = { ...decision, enforced: decision.verdict === 'allow' }
      if (blockCategory !== null) c.get('decisions').shadowed.push(`screen.${blockCategory}`)
      return next()
    }
    c.get('decisions').screen = decision
    if (decision.enforced && decision.verdict === 'block' && blockCategory !== null)
      throw new GatewayError(`screen.${blockCategory}` as ErrorCode)
    if (decision.enforced && decision.verdict === 'redact' && redacted !== null) rewriteBody(c.get('body'), redacted)
    return next()
  }
