// Picks the tenant for a request (pinned by the TENANT var in a per-tenant deployment, else by Host) and binds
// the policy's `${VAR}` references once per isolate.

import { resolveVarRef } from '../../../shared/policy/resolve.ts'
import type { CompiledPolicy } from '../../../shared/policy/schema.ts'
import type { ActiveTenant, Env } from '../env.ts'

export interface TenantDirectory {
  select(env: Env, host: string): ActiveTenant | null
}

export function createTenantDirectory(compiled: readonly CompiledPolicy[]): TenantDirectory {
  const byId = new Map(compiled.map((c) => [c.id, c]))
  const byHost = new Map<string, CompiledPolicy>()
  for (const c of compiled) for (const h of c.policy.hosts) byHost.set(h.toLowerCase(), c)
  // Bound once per (tenant, resolved values): the env object is not guaranteed to be the same across requests,
  // but its values are, so the cache key is what the references resolve to.
  const active = new Map<string, ActiveTenant>()

  const bind = (env: Env, c: CompiledPolicy): ActiveTenant | null => {
    const upstreamUrl = resolveVarRef(c.policy.upstream.url, env)
    if (upstreamUrl === null) return null
    const key = `${c.id}\n${upstreamUrl}`
    let bound = active.get(key)
    if (!bound) {
      bound = { compiled: c, policy: c.policy, upstreamUrl: upstreamUrl.replace(/\/+$/, '') }
      active.set(key, bound)
    }
    return bound
  }

  return {
    select(env, host) {
      if (typeof env.TENANT === 'string' && env.TENANT !== '') {
        const pinned = byId.get(env.TENANT)
        return pinned ? bind(env, pinned) : null
      }
      const h = host.toLowerCase()
      const c = byHost.get(h) ?? byHost.get(h.replace(/:\d+$/, '')) ?? wildcard(byHost, h.replace(/:\d+$/, ''))
      return c ? bind(env, c) : null
    },
  }
}

function wildcard(byHost: Map<string, CompiledPolicy>, hostname: string): CompiledPolicy | undefined {
  const dot = hostname.indexOf('.')
  return dot > 0 ? byHost.get(`*${hostname.slice(dot)}`) : undefined
}
