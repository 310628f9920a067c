// Gateway benchmark (issue: the guarded request path). Everything runs in workerd through Miniflare on loopback,
// measured side by side in one run: (a) the dev model tier direct, (b) a pass-through Worker, (c) the gateway with
// the core stages (trace, ingress, authenticate, authorize, forward), (d) core + signing, (e) the gateway with
// every stage (limit on the Durable Object, screen, sign), and (c) and (e) again with the trace stage's telemetry
// off (no timings, decision line, Analytics Engine point) to show what telemetry costs. Requests are interleaved
// round-robin so machine noise hits all alike.
// CPU per request is timed inside workerd; bundle size comes from `wrangler deploy --dry-run`.
import { execFileSync } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import type { Miniflare } from 'miniflare'
import { REPO_ROOT } from '../scripts/build-policies.ts'
import { devGatewayVars } from '../scripts/dev/local-services.ts'
import { freePort, GATEWAY_BINDINGS, startWorker } from '../scripts/dev/stack.ts'
import { type PolicyInput, policySchema } from '../shared/policy/schema.ts'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1500) // requests per target
const BLOCK = 25 // consecutive requests per target before switching
const ISSUER = 'https://bench-idp.invalid'
const AUDIENCE = 'bench'

export const percentile = (sorted: number[], p: number): number =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number)
const round = (n: number, digits = 3) => Number(n.toFixed(digits))
const median = (xs: number[]) =>
  percentile(
    [...xs].sort((a, b) => a - b),
    50,
  )

async function benchTenants(jwks: { keys: unknown[] }) {
  const base = (tenant: string, extra: Partial<PolicyInput>): PolicyInput => ({
    tenant,
    version: 'bench',
    hosts: [`${tenant}.bench`],
    upstream: { url: '${UPSTREAM_URL}', audience: 'bench-model' },
    auth: {
      issuers: [
        {
          issuer: ISSUER,
          audience: AUDIENCE,
          jwks: jwks as { keys: Record<string, unknown>[] },
          algorithms: ['ES256'],
        },
      ],
    },
    scopes: { chat: { endpoints: ['chat'], models: ['*'], maxTokens: 64 } },
    ...extra,
  })
  const big = { limit: 1_000_000_000, windowSeconds: 60 }
  const compile = (p: PolicyInput) => {
    const policy = policySchema.parse(p)
    return { id: policy.tenant, version: policy.version, sha256: '0'.repeat(64), source: 'bench', policy }
  }
  return {
    core: compile(
      base('core', {
        limits: { enabled: false },
        screen: { enabled: false },
        response: { enabled: false }, // the response guard is an optional stage, like screen (bench/response.ts)
        contextToken: { enabled: false },
      }),
    ),
    signed: compile(
      base('signed', { limits: { enabled: false }, screen: { enabled: false }, response: { enabled: false } }),
    ),
    full: compile(
      base('full', {
        limits: {
          requests: { subject: [big], tenant: [big], ip: [big] },
          tokens: { subject: [big], tenant: [big] },
          ipShield: { enabled: false }, // the native per-colo shield would stop a load test from one address
        },
      }),
    ),
    fullNoLimiterIo: compile(base('full', { limits: { enabled: false } })),
  }
}

async function timeOne(url: string, init: RequestInit): Promise<number> {
  const t0 = performance.now()
  const res = await fetch(url, init)
  await res.arrayBuffer()
  const ms = performance.now() - t0
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}`)
  return ms
}

export async function benchGateway(): Promise<Record<string, number>> {
  const kp = await generateKeyPair('ES256', { extractable: true })
  const jwks = { keys: [{ ...(await exportJWK(kp.publicKey)), kid: 'bench', alg: 'ES256', use: 'sig' }] }
  const token = await new SignJWT({ scope: 'chat' })
    .setProtectedHeader({ alg: 'ES256', kid: 'bench' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject('bench-user')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(kp.privateKey)
  const tenants = await benchTenants(jwks)
  const devDir = await mkdtemp(join(tmpdir(), 'portcullis-bench-'))
  const started: Miniflare[] = []
  try {
    const model = await startWorker('workers/dev-model/index.ts', await freePort(), { bindings: {}, quiet: true })
    started.push(model.mf)
    const pass = await startWorker('bench/workers/passthrough.ts', await freePort(), {
      bindings: { UPSTREAM_URL: model.url },
      quiet: true,
    })
    started.push(pass.mf)
    const gatewayFor = async (tenant: 'core' | 'signed' | 'full', list: unknown[], telemetry = true) => {
      const port = await freePort()
      const vars = await devGatewayVars({
        idpUrl: ISSUER,
        upstreamUrl: model.url,
        gatewayUrl: `http://127.0.0.1:${port}`,
        dir: devDir,
        extra: {
          TENANT: tenant,
          BENCH_TENANTS: JSON.stringify(list),
          BENCH_TOKEN: token,
          ...(telemetry ? {} : { BENCH_TELEMETRY: 'off' }),
        },
      })
      const w = await startWorker('bench/workers/gateway.ts', port, {
        bindings: vars,
        ...GATEWAY_BINDINGS,
        quiet: true,
      })
      started.push(w.mf)
      return w
    }
    const core = await gatewayFor('core', [tenants.core])
    const signed = await gatewayFor('signed', [tenants.signed])
    const full = await gatewayFor('full', [tenants.full])
    const fullCpu = await gatewayFor('full', [tenants.fullNoLimiterIo])
    const coreQuiet = await gatewayFor('core', [tenants.core], false)
    const fullQuiet = await gatewayFor('full', [tenants.full], false)

    const body = JSON.stringify({
      model: 'dev-model',
      messages: [{ role: 'user', content: 'What is the capital of France? Answer briefly.' }],
      max_tokens: 8,
    })
    const init: RequestInit = {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    }
    const targets = {
      direct: `${model.url}/v1/chat/completions`,
      passthrough: `${pass.url}/v1/chat/completions`,
      gateway: `${core.url}/v1/chat/completions`,
      gateway_signed: `${signed.url}/v1/chat/completions`,
      gateway_full: `${full.url}/v1/chat/completions`,
      gateway_no_telemetry: `${coreQuiet.url}/v1/chat/completions`,
      gateway_full_no_telemetry: `${fullQuiet.url}/v1/chat/completions`,
    }
    const samples: Record<keyof typeof targets, number[]> = {
      direct: [],
      passthrough: [],
      gateway: [],
      gateway_signed: [],
      gateway_full: [],
      gateway_no_telemetry: [],
      gateway_full_no_telemetry: [],
    }
    for (const url of Object.values(targets)) for (let i = 0; i < 100; i++) await timeOne(url, init) // warm-up
    for (let done = 0; done < ROUNDS; done += BLOCK) {
      for (const [name, url] of Object.entries(targets) as [keyof typeof targets, string][]) {
        for (let i = 0; i < BLOCK; i++) samples[name].push(await timeOne(url, init))
      }
    }
    const stats = Object.fromEntries(
      Object.entries(samples).map(([k, xs]) => {
        const s = [...xs].sort((a, b) => a - b)
        return [k, { p50: percentile(s, 50), p99: percentile(s, 99) }]
      }),
    ) as Record<keyof typeof targets, { p50: number; p99: number }>

    const cpu = async (url: string, telemetry = 'on') => {
      const res = await fetch(`${url}/__bench/cpu?n=1000&telemetry=${telemetry}`, { method: 'POST', body })
      if (!res.ok) throw new Error(`cpu loop failed: ${await res.text()}`)
      return median(((await res.json()) as { perRequestMs: number[] }).perRequestMs)
    }
    // Telemetry on vs off in the same isolate, alternated so a slow spell of the machine hits both alike.
    const cpuOn: number[] = []
    const cpuOff: number[] = []
    for (let i = 0; i < 4; i++) {
      cpuOn.push(await cpu(fullCpu.url))
      cpuOff.push(await cpu(fullCpu.url, 'off'))
    }
    const bundle = await bundleGzipBytes()
    return {
      direct_p50_ms: round(stats.direct.p50),
      direct_p99_ms: round(stats.direct.p99),
      passthrough_p50_ms: round(stats.passthrough.p50),
      passthrough_p99_ms: round(stats.passthrough.p99),
      gateway_p50_ms: round(stats.gateway.p50),
      gateway_p99_ms: round(stats.gateway.p99),
      gateway_signed_p50_ms: round(stats.gateway_signed.p50),
      gateway_signed_p99_ms: round(stats.gateway_signed.p99),
      gateway_full_p50_ms: round(stats.gateway_full.p50),
      gateway_full_p99_ms: round(stats.gateway_full.p99),
      added_latency_p50_ms: round(stats.gateway.p50 - stats.passthrough.p50),
      added_latency_p99_ms: round(stats.gateway.p99 - stats.passthrough.p99),
      added_latency_signed_p50_ms: round(stats.gateway_signed.p50 - stats.passthrough.p50),
      added_latency_signed_p99_ms: round(stats.gateway_signed.p99 - stats.passthrough.p99),
      added_latency_full_p50_ms: round(stats.gateway_full.p50 - stats.passthrough.p50),
      added_latency_full_p99_ms: round(stats.gateway_full.p99 - stats.passthrough.p99),
      added_latency_no_telemetry_p50_ms: round(stats.gateway_no_telemetry.p50 - stats.passthrough.p50),
      added_latency_full_no_telemetry_p50_ms: round(stats.gateway_full_no_telemetry.p50 - stats.passthrough.p50),
      telemetry_cost_p50_ms: round(stats.gateway.p50 - stats.gateway_no_telemetry.p50),
      telemetry_cost_full_p50_ms: round(stats.gateway_full.p50 - stats.gateway_full_no_telemetry.p50),
      cpu_per_request_p50_ms: round(await cpu(core.url)),
      cpu_per_request_full_p50_ms: round(median(cpuOn)),
      cpu_per_request_full_no_telemetry_p50_ms: round(median(cpuOff)),
      bundle_gzip_bytes: bundle.gzip,
      bundle_raw_bytes: bundle.raw,
      bench_requests_per_target: ROUNDS,
    }
  } finally {
    await Promise.allSettled(started.map((mf) => mf.dispose()))
    await rm(devDir, { recursive: true, force: true })
  }
}

/** Size of exactly what `wrangler deploy` would upload for the default (multi-tenant) deployment. */
export async function bundleGzipBytes(): Promise<{ raw: number; gzip: number }> {
  const out = await mkdtemp(join(tmpdir(), 'portcullis-bundle-'))
  try {
    execFileSync(
      process.execPath,
      [join(REPO_ROOT, 'node_modules/wrangler/bin/wrangler.js'), 'deploy', '--dry-run', '--outdir', out],
      {
        cwd: REPO_ROOT,
        stdio: 'ignore',
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
      },
    )
    let raw = 0
    let gzip = 0
    for (const f of await readdir(out)) {
      if (!f.endsWith('.js')) continue
      const bytes = await readFile(join(out, f))
      raw += bytes.byteLength
      gzip += gzipSync(bytes, { level: 9 }).byteLength
    }
    return { raw, gzip }
  } finally {
    await rm(out, { recursive: true, force: true })
  }
}
