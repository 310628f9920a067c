// MCP route benchmark: the added latency of the gateway's MCP path over a pass-through Worker for one `tools/call`
// (strict parse, scope and pin check from the reviewed-definition cache, argument and result screening, signing),
// both in workerd through Miniflare against the same canned MCP upstream on loopback, interleaved in one run.
// The upstream is a bare node:http answer, not the SDK server, so what is measured is the edge, not the tool.

import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import type { Miniflare } from 'miniflare'
import { devGatewayVars } from '../scripts/dev/local-services.ts'
import { freePort, GATEWAY_BINDINGS, startWorker } from '../scripts/dev/stack.ts'
import { pinOf } from '../shared/mcp/pin.ts'
import { policySchema } from '../shared/policy/schema.ts'
import { percentile } from './gateway.ts'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1500) // requests per target
const BLOCK = 25 // consecutive requests per target before switching
const ISSUER = 'https://bench-idp.invalid'
const TOOL = {
  name: 'lookup',
  description: 'Look up an order by id.',
  inputSchema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
}
const CALL = JSON.stringify({
  jsonrpc: '2.0',
  id: 7,
  method: 'tools/call',
  params: { name: 'lookup', arguments: { id: 'A-1042' } },
})
const RESULT = JSON.stringify({
  jsonrpc: '2.0',
  id: 7,
  result: { content: [{ type: 'text', text: 'Order A-1042: two items, shipped on Tuesday, arriving Friday.' }] },
})

/** A canned MCP server: tools/list and tools/call answered as JSON, anything else with an empty result. */
async function cannedMcpServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString()
      const listing = body.includes('"tools/list"')
      const id = listing ? (JSON.parse(body) as { id: unknown }).id : 7
      const out = listing ? JSON.stringify({ jsonrpc: '2.0', id, result: { tools: [TOOL] } }) : RESULT
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) })
      res.end(out)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, server }
}

async function timeOne(url: string, init: RequestInit): Promise<number> {
  const t0 = performance.now()
  const res = await fetch(url, init)
  const text = await res.text()
  const ms = performance.now() - t0
  if (res.status !== 200 || !text.includes('A-1042'))
    throw new Error(`${url} answered ${res.status}: ${text.slice(0, 120)}`)
  return ms
}

export async function benchMcp(): Promise<Record<string, number>> {
  const kp = await generateKeyPair('ES256', { extractable: true })
  const jwks = { keys: [{ ...(await exportJWK(kp.publicKey)), kid: 'bench', alg: 'ES256', use: 'sig' }] }
  const token = await new SignJWT({ scope: 'mcp:tools:*' })
    .setProtectedHeader({ alg: 'ES256', kid: 'bench' })
    .setIssuer(ISSUER)
    .setAudience('bench')
    .setSubject('bench-user')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(kp.privateKey)
  const upstream = await cannedMcpServer()
  const devDir = await mkdtemp(join(tmpdir(), 'portcullis-bench-mcp-'))
  const started: Miniflare[] = []
  try {
    const policy = policySchema.parse({
      tenant: 'mcp',
      version: 'bench',
      hosts: ['mcp.bench'],
      upstream: { url: 'http://127.0.0.1:9', audience: 'unused' },
      auth: { issuers: [{ issuer: ISSUER, audience: 'bench', jwks, algorithms: ['ES256'] }] },
      scopes: { chat: { endpoints: ['chat'], models: ['*'] } },
      limits: { enabled: false },
      mcp: {
        upstream: { url: `${upstream.url}/mcp`, audience: 'bench-mcp' },
        tools: { pins: { lookup: await pinOf(TOOL) }, definitionTtlSeconds: 3600 },
      },
    })
    const tenants = [{ id: 'mcp', version: 'bench', sha256: '0'.repeat(64), source: 'bench', policy }]
    const pass = await startWorker('bench/workers/passthrough.ts', await freePort(), {
      bindings: { UPSTREAM_URL: upstream.url },
      quiet: true,
    })
    started.push(pass.mf)
    const port = await freePort()
    const vars = await devGatewayVars({
      idpUrl: ISSUER,
      upstreamUrl: 'http://127.0.0.1:9',
      gatewayUrl: `http://127.0.0.1:${port}`,
      dir: devDir,
      extra: { TENANT: 'mcp', BENCH_TENANTS: JSON.stringify(tenants), BENCH_TOKEN: token },
    })
    const gateway = await startWorker('bench/workers/gateway.ts', port, {
      bindings: vars,
      ...GATEWAY_BINDINGS,
      quiet: true,
    })
    started.push(gateway.mf)

    const init: RequestInit = {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: CALL,
    }
    const targets = { passthrough: `${pass.url}/mcp`, gateway: `${gateway.url}/mcp` }
    const samples: Record<keyof typeof targets, number[]> = { passthrough: [], gateway: [] }
    // Warm-up: the first gateway call reads and reviews the tool list once (then cached for the TTL).
    for (const url of Object.values(targets)) for (let i = 0; i < 100; i++) await timeOne(url, init)
    for (let done = 0; done < ROUNDS; done += BLOCK) {
      for (const [name, url] of Object.entries(targets) as [keyof typeof targets, string][]) {
        for (let i = 0; i < BLOCK; i++) samples[name].push(await timeOne(url, init))
      }
    }
    const p = (xs: number[], q: number) =>
      percentile(
        [...xs].sort((a, b) => a - b),
        q,
      )
    const r = (n: number) => Number(n.toFixed(3))
    return {
      mcp_passthrough_p50_ms: r(p(samples.passthrough, 50)),
      mcp_gateway_p50_ms: r(p(samples.gateway, 50)),
      mcp_added_latency_p50_ms: r(p(samples.gateway, 50) - p(samples.passthrough, 50)),
      mcp_added_latency_p99_ms: r(p(samples.gateway, 99) - p(samples.passthrough, 99)),
      mcp_bench_requests_per_target: ROUNDS,
    }
  } finally {
    await Promise.allSettled(started.map((mf) => mf.dispose()))
    upstream.server.closeAllConnections()
    upstream.server.close()
    await rm(devDir, { recursive: true, force: true })
  }
}
