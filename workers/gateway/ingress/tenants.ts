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
  // Bound per env object: one isolate serves one env, tests may use several.
  const active = new WeakMap<object, Map<string, ActiveTenant | null>>()

  const bind = (env: Env, c: CompiledPolicy): ActiveTenant | null => {
    let perEnv = active.get(env)
    if (!perEnv) {
      perEnv = new Map()
      active.set(env, perEnv)
    }
    if (perEnv.has(c.id)) return perEnv.get(c.id) ?? null
    const upstreamUrl = resolveVarRef(c.policy.upstream.url, env)
    const bound =
      upstreamUrl === null ? null : { compiled: c, policy: c.policy, upstreamUrl: upstreamUrl.replace(/\/+$/, '') }
    perEnv.set(c.id, bound)
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
