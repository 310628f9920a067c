// The optional per-IP shield before authentication: Cloudflare's native rate-limit binding (IP_SHIELD), a
// cheap, eventually consistent, per-colo counter. It stops floods before any JWT work; the precise per-IP
// sliding window is the limit stage's `requests.ip`. Its quota lives in wrangler.toml, mirrored in the policy.
import type { MiddlewareHandler } from 'hono'
import { GatewayError } from '../../../shared/errors.ts'
import type { AppEnv } from '../env.ts'

const SHIELD_NAME = 'ip-shield'

export const ipShield = (): MiddlewareHandler<AppEnv> =>
  async function ipShield(c, next) {
    const limits = c.get('tenant').policy.limits
    const shield = limits.ipShield
    const binding = c.env.IP_SHIELD
    const ip = c.get('client').ip
    if (!limits.enabled || !shield.enabled || binding === undefined || ip === null) return next()
    const shadow = c.get('tenant').policy.mode === 'shadow'
    let success: boolean
    try {
      ;({ success } = await binding.limit({ key: `${c.get('tenant').compiled.id}/${ip}` }))
    } catch {
      if (shield.failMode === 'closed' && !shadow) throw new GatewayError('limit.unavailable')
      return next()
    }
    if (success) return next()
    if (shadow) {
      c.get('decisions').shadowed.push('limit.ip')
      return next()
    }
    // The binding does not say when its fixed window ends: a full period is the honest upper bound.
    throw new GatewayError('limit.ip', null, {
      'Retry-After': String(shield.periodSeconds),
      'RateLimit-Policy': `"${SHIELD_NAME}";q=${shield.limit};w=${shield.periodSeconds}`,
      RateLimit: `"${SHIELD_NAME}";r=0;t=${shield.periodSeconds}`,
    })
  }
