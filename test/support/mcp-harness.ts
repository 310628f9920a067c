// The MCP test and bench harness: the dev MCP server (official SDK, Txn-Token verified) and the real gateway in
// workerd over tenants built here, so one run can compare policies side by side. Caller tokens come from a key made
// per run; the MCP server trusts the gateway's dev signing keys inline (it starts before the gateway does).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import type { Miniflare } from 'miniflare'
import { devGatewayVars } from '../../scripts/dev/local-services.ts'
import { DEV_MCP_AUDIENCE, type DevMcpServer, startDevMcpServer } from '../../scripts/dev/mcp-server.ts'
import { freePort, GATEWAY_BINDINGS, startWorker } from '../../scripts/dev/stack.ts'
import { readToolPins, signingFetch } from '../../scripts/mcp-pin.ts'
import type { McpPolicy } from '../../shared/mcp/policy-schema.ts'
import { mcpPolicySchema } from '../../shared/mcp/policy-schema.ts'
import { type CompiledPolicy, type PolicyInput, policySchema } from '../../shared/policy/schema.ts'
import { screenPolicySchema } from '../../shared/screen/policy-schema.ts'
import { parsePrivateJwks, publicOnly } from '../../shared/txn-token/keys.ts'
import { createTxnTokenVerifier } from '../../shared/txn-token/verifier.ts'

export const MCP_ISSUER = 'https://mcp-idp.test'
const AUDIENCE = 'portcullis'

export interface McpHarness {
  /** TXN_ISSUER of every gateway in the run. */
  readonly gatewayUrl: string
  readonly server: DevMcpServer
  /** The server's tools as the pin CLI reads them, name → pin. */
  readonly pins: Readonly<Record<string, string>>
  /** TXN_ISSUER and signing keys of the gateway (for verifiers in tests). */
  readonly vars: Record<string, string>
  mint(scope: string, sub?: string): Promise<string>
  /** An SDK client connected through the gateway to `host`'s tenant (dispatchFetch: Host picks the tenant). */
  connect(host: string, token: string): Promise<{ client: Client; transport: StreamableHTTPClientTransport }>
  /** fetch through the gateway with `host` as the URL host. */
  fetch(host: string, path: string, init?: RequestInit): Promise<Response>
  stop(): Promise<void>
}

export type TenantSpec = {
  readonly tenant: string
  readonly host: string
  readonly mcp: (pins: Record<string, string>) => Record<string, unknown>
  readonly extra?: Partial<PolicyInput>
}

export async function startMcpHarness(specs: readonly TenantSpec[]): Promise<McpHarness> {
  const kp = await generateKeyPair('ES256', { extractable: true })
  const jwks = { keys: [{ ...(await exportJWK(kp.publicKey)), kid: 'mcp-test', alg: 'ES256', use: 'sig' }] }
  const devDir = await mkdtemp(join(tmpdir(), 'portcullis-mcp-'))
  // One issuer for every gateway of the run: the MCP server checks their tokens with inline keys, not a JWKS URL.
  const gatewayUrl = 'http://portcullis-edge.test'
  const vars = await devGatewayVars({ idpUrl: MCP_ISSUER, upstreamUrl: 'http://127.0.0.1:9', gatewayUrl, dir: devDir })
  const parsed = parsePrivateJwks(vars.TXN_SIGNING_KEYS)
  if (!parsed.ok) throw new Error(parsed.detail)
  const server = await startDevMcpServer({
    gatewayUrl,
    verifier: createTxnTokenVerifier({
      issuer: gatewayUrl,
      audience: DEV_MCP_AUDIENCE,
      jwks: { keys: parsed.keys.map(publicOnly) },
    }),
  })
  const gateways = new Map<string, Miniflare>()
  try {
    const screen = screenPolicySchema.parse({})
    const reviewed = await readToolPins({
      url: server.url,
      fetch: signingFetch({
        issuer: gatewayUrl,
        audience: DEV_MCP_AUDIENCE,
        signingKeys: vars.TXN_SIGNING_KEYS as string,
        tenant: 'test',
      }),
      mcp: mcpPolicySchema.parse({ upstream: { url: server.url, audience: DEV_MCP_AUDIENCE } }) as McpPolicy,
      screen,
    })
    const pins = Object.fromEntries(reviewed.map((t) => [t.name, t.pin]))
    const tenants: CompiledPolicy[] = specs.map((s) => {
      const policy = policySchema.parse({
        tenant: s.tenant,
        version: 'test',
        hosts: [s.host],
        upstream: { url: 'http://127.0.0.1:9', audience: 'unused-model-tier' },
        auth: { issuers: [{ issuer: MCP_ISSUER, audience: AUDIENCE, jwks, algorithms: ['ES256'] }] },
        scopes: { chat: { endpoints: ['chat'], models: ['*'] } },
        limits: { ipShield: { enabled: false } },
        mcp: { upstream: { url: server.url, audience: DEV_MCP_AUDIENCE }, ...s.mcp(pins) },
        ...s.extra,
      })
      return { id: policy.tenant, version: policy.version, sha256: '0'.repeat(64), source: 'test', policy }
    })
    // One gateway per tenant (TENANT pins it): Miniflare's dispatchFetch always sends a loopback Host.
    for (const t of tenants) {
      const started = await startWorker('bench/workers/gateway.ts', await freePort(), {
        bindings: { ...vars, TENANT: t.id, BENCH_TENANTS: JSON.stringify(tenants), BENCH_TOKEN: '' },
        ...GATEWAY_BINDINGS,
        quiet: true,
      })
      gateways.set(specs.find((s) => s.tenant === t.id)?.host as string, started.mf)
    }
    const dispatch = (host: string) =>
      (async (input: RequestInfo | URL, init?: RequestInit) => {
        const mf = gateways.get(host)
        if (!mf) throw new Error(`no tenant for ${host}`)
        return mf.dispatchFetch(String(input instanceof Request ? input.url : input), init as never)
      }) as unknown as typeof fetch
    return {
      gatewayUrl,
      server,
      pins,
      vars,
      mint: (scope, sub = 'alice') =>
        new SignJWT({ scope })
          .setProtectedHeader({ alg: 'ES256', kid: 'mcp-test' })
          .setIssuer(MCP_ISSUER)
          .setAudience(AUDIENCE)
          .setSubject(sub)
          .setIssuedAt()
          .setExpirationTime('10m')
          .sign(kp.privateKey),
      async connect(host, token) {
        const client = new Client({ name: 'portcullis-test', version: '1.0.0' })
        const transport = new StreamableHTTPClientTransport(new URL(`http://${host}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${token}` } },
          fetch: dispatch(host),
        })
        await client.connect(transport)
        return { client, transport }
      },
      fetch: (host, path, init) => dispatch(host)(`http://${host}${path}`, init),
      async stop() {
        await Promise.allSettled([...gateways.values()].map((g) => g.dispose()))
        await server.stop()
        await rm(devDir, { recursive: true, force: true })
      },
    }
  } catch (err) {
    await Promise.allSettled([...gateways.values()].map((g) => g.dispose()))
    await server.stop()
    await rm(devDir, { recursive: true, force: true })
    throw err
  }
}
