// The optional per-IP shield before authentication: Cloudflare's native rate-limit binding (IP_SHIELD), a
// cheap, eventually consistent, per-colo counter. It stops floods before any JWT work; the precise per-IP
// sliding window is the limit stage's `requests.ip`. Its quota lives in wrangler.toml, mirrored in the policy.
import type { MiddlewareHandler } from 'hono'
import type { AppEnv } from '../env.ts'
import { refuseOrRecord } from '../shadow.ts'

const SHIELD_NAME = 'ip-shield'

export const ipShield = (): MiddlewareHandler<AppEnv> =>
  async function ipShield(c, next) {
    const limits = c.get('tenant').policy.limits
    const shield = limits.ipShield
    const binding = c.env.IP_SHIELD
    const ip = c.get('client').ip
    if (!limits.enabled || !shield.enabled || binding === undefined || ip === null) return next()
    let success: boolean
    try {
      ;({ success } = await binding.limit({ key: `${c.get('tenant').compiled.id}/${ip}` }))
    } catch {
      if (shield.failMode === 'closed') refuseOrRecord(c, 'limit.unavailable')
      return next()
    }
    if (success) return next()
    // The binding does not say when its fixed window ends: a full period is the honest upper bound.
    refuseOrRecord(c, 'limit.ip', {
      'Retry-After': String(shield.periodSeconds),
      'RateLimit-Policy': `"${SHIELD_NAME}";q=${shield.limit};w=${shield.periodSeconds}`,
      RateLimit: `"${SHIELD_NAME}";r=0;t=${shield.periodSeconds}`,
    })
    return next()
  }
