// Picks the limiter a tenant's policy names from the Worker's bindings. Upstash backends are memoised per
// isolate so their Ratelimit instances and ephemeral block cache survive across requests.
import type { LimiterBackend } from '../../../shared/limit/backend.ts'
import type { LimitPolicy } from '../../../shared/limit/policy-schema.ts'
import { createUpstashBackend } from '../../../shared/limit/upstash.ts'
import type { Env } from '../env.ts'
import { createDurableObjectBackend } from './do-backend.ts'

const upstashBackends = new Map<string, LimiterBackend>()
const MAX_MEMOISED = 16 // one per (URL, token, timeout); more means misconfiguration, not load

/** The backend for this policy, or null when its binding or secrets are missing (failMode decides). */
export function backendFromEnv(env: Env, policy: LimitPolicy): LimiterBackend | null {
  // LIMIT_BACKEND lets a deployment (or `npm run dev:redis`) switch every tenant's backend without editing
  // policies; the context token and decision log record the backend actually used.
  const choice =
    env.LIMIT_BACKEND === 'upstash' || env.LIMIT_BACKEND === 'durable-object' ? env.LIMIT_BACKEND : policy.backend
  if (choice === 'durable-object') {
    return env.LIMITER ? createDurableObjectBackend({ namespace: env.LIMITER }) : null
  }
  const url = env.UPSTASH_REDIS_REST_URL
  const token = env.UPSTASH_REDIS_REST_TOKEN
  if (typeof url !== 'string' || url === '' || typeof token !== 'string' || token === '') return null
  const id = `${url}\n${token}\n${policy.timeoutMs}`
  let backend = upstashBackends.get(id)
  if (backend === undefined) {
    if (upstashBackends.size >= MAX_MEMOISED) upstashBackends.clear()
    backend = createUpstashBackend({ url, token, timeoutMs: policy.timeoutMs })
    upstashBackends.set(id, backend)
  }
  return backend
}
