// Authorize: the caller's scopes decide the endpoint, the model and the max_tokens ceiling (clamped or
// refused per policy). The effective max_tokens is always written into the forwarded body, so the model tier
// cannot generate past what the edge budgeted for.
import type { MiddlewareHandler } from 'hono'
import { type ErrorCode, GatewayError } from '../../../shared/errors.ts'
import { rewriteBody } from '../body.ts'
import type { AppEnv } from '../env.ts'
import { effectiveMaxTokens, evaluateScopes } from './grant.ts'

export const authorize = (): MiddlewareHandler<AppEnv> =>
  async function authorize(c, next) {
    const { policy } = c.get('tenant')
    const { endpoint } = c.get('route')
    const request = c.get('request')
    const shadow = policy.mode === 'shadow'
    const refuse = (code: ErrorCode) => {
      if (!shadow) throw new GatewayError(code)
      c.get('decisions').shadowed.push(code)
    }

    const scoped = evaluateScopes(c.get('caller').scopes, policy.scopes, endpoint, request.model)
    if (!scoped.ok)
      refuse(scoped.reason === 'endpoint_forbidden' ? 'authz.endpoint_forbidden' : 'authz.model_forbidden')
    const ceiling = scoped.ok ? scoped.ceiling : null

    if (endpoint !== 'chat' && endpoint !== 'completions') {
      c.get('decisions').grant = { model: request.model, maxTokens: null, clamped: false }
      return next()
    }
    const { maxTokens: mode, defaultMaxTokens } = policy.authorize
    const effective = effectiveMaxTokens(request.maxTokens, ceiling, defaultMaxTokens, mode)
    if (!effective.ok) refuse('authz.max_tokens_exceeded')
    const value = effective.ok ? effective.value : (request.maxTokens as number)
    if (value !== request.maxTokens && c.get('body').json !== null) {
      const field = request.maxTokensField ?? 'max_tokens'
      rewriteBody(c.get('body'), { ...c.get('body').json, [field]: value })
    }
    c.get('decisions').grant = { model: request.model, maxTokens: value, clamped: effective.ok && effective.clamped }
    await next()
  }
