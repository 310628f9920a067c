// What the local gateway needs besides its code: dev secrets (context-token keys, IP hash key, log HMAC key, an
// upstream credential) created once in .dev/, the vars that point it at the dev IdP and model tier, and — with --redis —
// a real redis-server behind the local Upstash REST bridge. Shared by `npm start` and the test stack.
import { randomBytes } from 'node:crypto'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ensureDevTxnKeys } from '../txn-keys.ts'
import { DEV_DIR } from './idp-key.ts'
import { startDevMcpServer } from './mcp-server.ts'
import { startRedis } from './redis.ts'
import { startUpstashBridge } from './upstash-bridge.ts'

/** The dev model tier's identity: the default tenant's `upstream.audience`. */
export const DEV_MODEL_AUDIENCE = 'portcullis-dev-model'

/** A random secret generated once into .dev/<name> and reused. */
async function devSecret(name: string, dir = DEV_DIR): Promise<string> {
  const file = join(dir, name)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  await writeFile(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' }).catch(
    (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err
    },
  )
  return (await readFile(file, 'utf8')).trim()
}

/** Gateway vars + secrets for local runs. TXN_ISSUER is the gateway's own URL so its jwks_uri resolves. */
export async function devGatewayVars(opts: {
  idpUrl: string
  upstreamUrl: string
  gatewayUrl: string
  extra?: Record<string, string>
  dir?: string
}): Promise<Record<string, string>> {
  const txn = await ensureDevTxnKeys(opts.dir ?? DEV_DIR)
  return {
    DEV_IDP_ISSUER: opts.idpUrl,
    DEV_IDP_JWKS_URL: `${opts.idpUrl}/.well-known/jwks.json`,
    UPSTREAM_URL: opts.upstreamUrl,
    UPSTREAM_API_KEY: await devSecret('upstream-api-key', opts.dir),
    TXN_ISSUER: opts.gatewayUrl,
    TXN_SIGNING_KEYS: txn.signingKeys,
    TXN_PUBLISHED_KEYS: txn.publishedKeys,
    IP_HASH_KEY: await devSecret('ip-hash-key', opts.dir),
    LOG_HMAC_KEY: await devSecret('log-hmac-key', opts.dir),
    ...opts.extra,
  }
}

/** How the dev model tier verifies that requests came through this gateway. */
export function devModelBindings(gatewayUrl: string, audience = DEV_MODEL_AUDIENCE): Record<string, string> {
  return {
    EDGE_ISSUER: gatewayUrl,
    EDGE_JWKS_URL: `${gatewayUrl}/.well-known/jwks.json`,
    EDGE_AUDIENCE: audience,
  }
}

export interface LocalServices {
  readonly gatewayBindings: Record<string, string>
  /** The dev MCP server's endpoint (the default tenant's `mcp.upstream.url` via MCP_UPSTREAM_URL). */
  readonly mcpUrl: string
  readonly modelBindings: Record<string, string>
  stop(): Promise<void>
}

export async function startLocalServices(opts: {
  redis: boolean
  gatewayUrl: string
  /** The tenant's `upstream.audience`, which the dev model tier accepts as its identity. */
  modelAudience?: string
  /** The dev MCP server's port; 0 (default) picks a free one. */
  mcpPort?: number
}): Promise<LocalServices> {
  const modelBindings = devModelBindings(opts.gatewayUrl, opts.modelAudience)
  // The dev MCP server (Node, official SDK) checks the gateway's Txn-Token against its published JWKS.
  const mcp = await startDevMcpServer({ gatewayUrl: opts.gatewayUrl, port: opts.mcpPort ?? 0 })
  const mcpBindings = { MCP_UPSTREAM_URL: mcp.url }
  if (!opts.redis) return { gatewayBindings: mcpBindings, mcpUrl: mcp.url, modelBindings, stop: () => mcp.stop() }
  const redis = await startRedis().catch(async (err: unknown) => {
    await mcp.stop()
    throw new Error(`--redis needs redis-server (apt-get install -y redis-server): ${String(err)}`)
  })
  const token = randomBytes(24).toString('base64url')
  const bridge = await startUpstashBridge({ redisPort: redis.port, token })
  return {
    gatewayBindings: {
      ...mcpBindings,
      UPSTASH_REDIS_REST_URL: bridge.url,
      UPSTASH_REDIS_REST_TOKEN: bridge.token,
      LIMIT_BACKEND: 'upstash',
    },
    mcpUrl: mcp.url,
    modelBindings,
    stop: async () => {
      await bridge.stop()
      await redis.stop()
      await mcp.stop()
    },
  }
}
