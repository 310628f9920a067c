// Fixture replay: the real gateway bundle in workerd (Miniflare) over the policies under test, bindings taken
// from wrangler.toml's top level, caller tokens minted from each fixture's claims with a per-run key, and a
// capture Worker as every model tier. Used by `npm run policy:check`, `npm run explain` and the tests.
import { randomBytes } from 'node:crypto'
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose'
import { Miniflare, type MiniflareOptions } from 'miniflare'
import { resolveVarRef } from '../../shared/policy/resolve.ts'
import type { CompiledPolicy } from '../../shared/policy/schema.ts'
import { bundleWorker, COMPATIBILITY_DATE, COMPATIBILITY_FLAGS } from '../dev/stack.ts'
import { generateSigningKey, signingSecret } from '../txn-keys.ts'
import { type Fixture, RELATIVE_TIME } from './fixtures.ts'
import type { ReplayEnvelope } from './replay-worker.ts'
import { parseWrangler, workerBindings } from './wrangler-config.ts'

export type { ReplayEnvelope }

const TOKEN_TTL_SECONDS = 300 // default lifetime of a minted caller token, well inside every maxTokenAgeSeconds

export interface ReplayGateway {
  /** Send one fixture's request through the gateway as the given tenant. */
  send(tenantId: string, request: Fixture['request']): Promise<ReplayEnvelope>
  stop(): Promise<void>
}

type CallerKey = { privateKey: CryptoKey; publicJwk: JWK }

async function callerKeys(tenants: readonly CompiledPolicy[]): Promise<Map<string, CallerKey>> {
  const algs = new Set(tenants.flatMap((t) => t.policy.auth.issuers.flatMap((i) => i.algorithms)))
  const keys = new Map<string, CallerKey>()
  for (const alg of algs) {
    const pair = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) })
    const jwk = await exportJWK(pair.publicKey)
    keys.set(alg, { privateKey: pair.privateKey, publicJwk: { ...jwk, kid: `replay-${alg}`, alg, use: 'sig' } })
  }
  return keys
}

/** Same tenants, but an issuer with an inline JWKS gets the replay keys instead (issuer/audience unchanged). */
function withReplayKeys(tenants: readonly CompiledPolicy[], jwks: { keys: JWK[] }): CompiledPolicy[] {
  return tenants.map((t) => ({
    ...t,
    policy: {
      ...t.policy,
      auth: {
        ...t.policy.auth,
        issuers: t.policy.auth.issuers.map((i) => (i.jwks === undefined ? i : { ...i, jwks })),
      },
    },
  }))
}

function resolveTime(value: unknown, nowSeconds: number): unknown {
  if (typeof value !== 'string') return value
  const m = RELATIVE_TIME.exec(value)
  if (!m) return value
  const offset = m[2] === undefined ? 0 : Number(m[2]) * (m[1] === '-' ? -1 : 1)
  return nowSeconds + offset
}

/** The host a fixture's request arrives on: the tenant's first host (a wildcard gets a concrete label). */
export function tenantHost(tenant: CompiledPolicy): string {
  return (tenant.policy.hosts[0] ?? 'localhost').replace(/^\*\./, 'replay.')
}

export async function startReplayGateway(
  tenants: readonly CompiledPolicy[],
  wranglerText: string,
  opts: { now?: () => number } = {},
): Promise<ReplayGateway> {
  const now = opts.now ?? Date.now
  const keys = await callerKeys(tenants)
  const jwks = { keys: [...keys.values()].map((k) => k.publicJwk) }
  const bindings = workerBindings(parseWrangler(wranglerText))
  const txnKeys = [
    await generateSigningKey('ES256', 'replay-txn-es256'),
    await generateSigningKey('EdDSA', 'replay-txn-eddsa'),
  ]
  const vars: Record<string, string> = {
    ...bindings.vars,
    TXN_SIGNING_KEYS: signingSecret(txnKeys),
    IP_HASH_KEY: randomBytes(32).toString('base64url'),
  }
  const byId = new Map(tenants.map((t) => [t.id, t]))
  const [gatewayScript, captureScript] = await Promise.all([
    bundleWorker('scripts/policy/replay-worker.ts'),
    bundleWorker('scripts/policy/capture-worker.ts'),
  ])
  const mf = new Miniflare({
    host: '127.0.0.1',
    workers: [
      {
        name: 'gateway',
        modules: [{ type: 'ESModule', path: 'gateway.js', contents: gatewayScript }],
        compatibilityDate: COMPATIBILITY_DATE,
        compatibilityFlags: COMPATIBILITY_FLAGS,
        bindings: {
          ...vars,
          REPLAY_TENANTS: JSON.stringify(withReplayKeys(tenants, jwks)),
          REPLAY_CALLER_JWKS: JSON.stringify(jwks),
        },
        durableObjects: bindings.durableObjects,
        ratelimits: bindings.ratelimits,
        kvNamespaces: bindings.kvNamespaces,
        analyticsEngineDatasets: bindings.analyticsEngineDatasets,
        serviceBindings: { REPLAY_CAPTURE: 'capture' },
        outboundService: 'capture', // every upstream (and any other subrequest) lands in the capture Worker
      },
      {
        name: 'capture',
        modules: [{ type: 'ESModule', path: 'capture.js', contents: captureScript }],
        compatibilityDate: COMPATIBILITY_DATE,
      },
    ],
  } as MiniflareOptions)
  await mf.ready

  const mint = async (tenant: CompiledPolicy, request: Fixture['request']): Promise<string | null> => {
    if (request.claims === null) return null
    const issuer = tenant.policy.auth.issuers[request.issuer]
    if (!issuer) throw new TypeError(`tenant "${tenant.id}" has no issuer #${request.issuer}`)
    const alg = issuer.algorithms[0] ?? 'ES256'
    const key = keys.get(alg) as CallerKey
    const nowSeconds = Math.floor(now() / 1000)
    const claims: Record<string, unknown> = {
      iss: resolveVarRef(issuer.issuer, vars) ?? issuer.issuer,
      aud: [issuer.audience].flat()[0],
      iat: nowSeconds,
      exp: nowSeconds + TOKEN_TTL_SECONDS,
      jti: crypto.randomUUID(),
    }
    for (const [k, v] of Object.entries(request.claims)) claims[k] = resolveTime(v, nowSeconds)
    for (const k of Object.keys(claims)) if (claims[k] === null) delete claims[k] // null drops a default claim
    return new SignJWT(claims)
      .setProtectedHeader({ alg, kid: key.publicJwk.kid as string, ...(issuer.typ ? { typ: issuer.typ } : {}) })
      .sign(key.privateKey)
  }

  return {
    async send(tenantId, request) {
      const tenant = byId.get(tenantId)
      if (!tenant) throw new TypeError(`unknown tenant "${tenantId}"`)
      const headers = new Headers({ host: tenantHost(tenant) })
      const token = await mint(tenant, request)
      if (token !== null) headers.set('authorization', `Bearer ${token}`)
      let body: string | undefined
      if (request.body !== undefined) {
        body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body)
        headers.set('content-type', 'application/json')
      }
      for (const [k, v] of Object.entries(request.headers)) headers.set(k, v)
      const host = headers.get('host') as string
      const res = await mf.dispatchFetch(`http://${host}${request.path}`, {
        method: request.method,
        headers: Object.fromEntries(headers),
        body,
      })
      return (await res.json()) as ReplayEnvelope
    },
    stop: () => mf.dispose(),
  }
}
