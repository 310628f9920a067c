// Authorize: the caller's scopes decide the endpoint, the model, the max_tokens ceiling (clamped or refused per
// policy) and whether input the screen cannot read (token ids, template overrides) may pass. The effective cap
// is written into every ceiling field the body has (the primary one when it has none), so the model tier cannot
// generate past what the edge budgeted for, whichever field it reads.
import type { MiddlewareHandler } from 'hono'
import type { ErrorCode } from '../../../shared/errors.ts'
import { endpointSpec } from '../../../shared/request/endpoints.ts'
import type { AppEnv } from '../env.ts'
import { refuseOrRecord } from '../shadow.ts'
import { effectiveMaxTokens, evaluateScopes } from './grant.ts'

export const authorize = (): MiddlewareHandler<AppEnv> =>
  async function authorize(c, next) {
    const { policy } = c.get('tenant')
    const { endpoint } = c.get('route')
    const request = c.get('request')
    const refuse = (code: ErrorCode) => refuseOrRecord(c, code)

    const scoped = evaluateScopes(c.get('caller').scopes, policy.scopes, endpoint, request.model)
    if (!scoped.ok)
      refuse(scoped.reason === 'endpoint_forbidden' ? 'authz.endpoint_forbidden' : 'authz.model_forbidden')
    const ceiling = scoped.ok ? scoped.ceiling : null
    const allowed = scoped.ok ? scoped.unscreened : new Set()
    if (
      (request.tokenIds && !allowed.has('token_ids')) ||
      (request.templateOverride && !allowed.has('template_override'))
    )
      refuse('authz.unscreened_input')

    const spec = endpointSpec(endpoint)
    if (!spec.generates) {
      c.get('decisions').grant = { model: request.model, maxTokens: null, clamped: false }
      return next()
    }
    const { maxTokens: mode, defaultMaxTokens } = policy.authorize
    const effective = effectiveMaxTokens(request.maxTokens, ceiling, defaultMaxTokens, mode)
    if (!effective.ok) refuse('authz.max_tokens_exceeded')
    const value = effective.ok ? effective.value : (request.maxTokens as number)
    const body = c.get('body')
    const fields = request.ceilingFields.length > 0 ? request.ceilingFields : spec.ceilings.slice(0, 1)
    for (const field of fields) if (body.json?.[field] !== value) body.patch('ceiling', [field], value)
    c.get('decisions').grant = { model: request.model, maxTokens: value, clamped: effective.ok && effective.clamped }
    await next()
  }
