// Sign: turn the edge's decisions into a Txn-Token bound to the exact bytes forward will send (method, path,
// RFC 9530 digest), so the model tier and the mesh can trust what the edge decided and refuse what bypassed it.
// No key, no issuer, no signature → `sign.key_unavailable`: the gateway never forwards an unsigned request.
import type { MiddlewareHandler } from 'hono'
import { GatewayError } from '../../../shared/errors.ts'
import { buildContextClaims, type ClaimsInput, DEFAULT_WORKLOAD } from '../../../shared/txn-token/claims.ts'
import { contentDigest } from '../../../shared/txn-token/digest.ts'
import type { ContextTokenPolicy } from '../../../shared/txn-token/policy-schema.ts'
import { loadSigningKeys, selectSigningKey, signContextToken } from '../../../shared/txn-token/signer.ts'
import { outboundBytes } from '../body.ts'
import type { AppEnv } from '../env.ts'
import { hashClientIp } from './ip-hash.ts'

export interface SignStageOptions {
  /** Requesting workload name (`rctx.req_wl`); the colo comes from the request. Default "portcullis-gateway". */
  readonly workload?: string
  /** Clock in ms since the epoch, for deterministic tests. */
  readonly now?: () => number
}

const EMPTY = new Uint8Array()

export const sign = (opts: SignStageOptions = {}): MiddlewareHandler<AppEnv> => {
  const now = opts.now ?? Date.now
  const workload = opts.workload ?? DEFAULT_WORKLOAD
  return async function sign(c, next) {
    const tenant = c.get('tenant')
    const route = c.get('route')
    const caller = c.get('caller')
    const client = c.get('client')
    const decisions = c.get('decisions')
    const policy = tenant.policy.contextToken
    if (!policy.enabled) return next()

    const issuer = c.env.TXN_ISSUER
    const keys = await loadSigningKeys(c.env.TXN_SIGNING_KEYS)
    const key = keys.ok ? selectSigningKey(keys.keys, policy.algorithm) : null
    if (typeof issuer !== 'string' || issuer === '' || key === null) {
      const reason = !keys.ok ? keys.reason : key === null ? `no ${policy.algorithm} key` : 'no TXN_ISSUER'
      console.log(JSON.stringify({ level: 'error', msg: 'txn-token signing unavailable', reason }))
      throw new GatewayError('sign.key_unavailable')
    }

    // Forward sends the sealed bytes for POST and no body otherwise; the digest must cover exactly that.
    const bytes = route.method === 'POST' ? outboundBytes(c.get('body')) : EMPTY
    const digest = await contentDigest(bytes)
    const claims = buildContextClaims({
      issuer,
      audience: tenant.policy.upstream.audience,
      nowSeconds: now() / 1000,
      lifetimeSeconds: policy.lifetimeSeconds,
      requestId: c.get('requestId'),
      traceparent: c.get('traceparent') ?? null,
      policy: { id: tenant.compiled.id, version: tenant.compiled.version, sha256: tenant.compiled.sha256 },
      mode: tenant.policy.mode,
      caller: { sub: caller.sub, scopes: caller.scopes, method: caller.method },
      workload: { name: workload, colo: client.colo },
      clientIp: await clientIpClaim(client.ip, policy.clientIp, c.env.IP_HASH_KEY),
      country: client.country,
      asn: client.asn,
      ...(decisions.grant ? { grant: decisions.grant } : {}),
      ...(decisions.limit ? { limit: decisions.limit } : {}),
      ...(decisions.screen ? { screen: decisions.screen } : {}),
      shadowed: decisions.shadowed,
      request: { method: route.method, path: route.path, digest },
    })
    const token = await signContextToken(claims, key)
    c.set('upstreamHeaders', { ...c.get('upstreamHeaders'), 'txn-token': token, 'content-digest': digest })
    await next()
  }
}

/** Reduce the client IP per policy. Without IP_HASH_KEY a hash would be a reversible lookup of the IPv4 space,
 * so `hash` then omits the address rather than publishing a guessable one. */
export async function clientIpClaim(
  ip: string | null,
  form: ContextTokenPolicy['clientIp'],
  hashKey: string | undefined,
): Promise<ClaimsInput['clientIp']> {
  if (ip === null || form === 'omit') return null
  if (form === 'plain') return { form, value: ip }
  if (typeof hashKey !== 'string' || hashKey === '') return null
  return { form, value: await hashClientIp(ip, hashKey) }
}
