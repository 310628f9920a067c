// The whole local stack in workerd: the gateway, the dev model tier and the dev IdP, each a real Worker bundle
// served by Miniflare on loopback. `npm start` and the integration tests both use it, so what the tests prove
// is what a developer runs.
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { build } from 'esbuild'
import type { JWK } from 'jose'
import { Miniflare, type MiniflareOptions } from 'miniflare'
import { mintDevToken, publicJwk } from '../../workers/dev-idp/mint.ts'
import { buildPolicies, REPO_ROOT } from '../build-policies.ts'
import { ensureDevIdpKey } from './idp-key.ts'
import { devGatewayVars, startLocalServices } from './local-services.ts'

export const COMPATIBILITY_DATE = '2026-04-01'
export const COMPATIBILITY_FLAGS = ['nodejs_compat']
export const DEV_AUDIENCE = 'portcullis'

export interface StackOptions {
  readonly gatewayPort?: number
  readonly modelPort?: number
  readonly idpPort?: number
  /** Extra or overriding gateway bindings (vars and secrets). */
  readonly gatewayBindings?: Record<string, string>
  /** request.cf for requests arriving over HTTP (country, asn, colo). */
  readonly cf?: Record<string, unknown>
  /** Skip the dev model tier and point the gateway here (e.g. a real vLLM). */
  readonly upstreamUrl?: string
  readonly idpKey?: JWK
  /** Run the limiter on the Upstash backend through a local bridge to a real redis-server. */
  readonly redis?: boolean
  /** Swallow the Workers' console output (the decision log) — for tests and benchmarks. */
  readonly quiet?: boolean
  /** Each line the gateway prints (the decision log among them), instead of printing it. */
  readonly onGatewayLine?: (line: string) => void
  /** Each line the dev model tier prints (its decoded Txn-Tokens), instead of printing it. */
  readonly onModelLine?: (line: string) => void
  /** Another Worker entry that wraps the gateway (tests: a recording Analytics Engine binding). */
  readonly gatewayEntry?: string
  /** Receives the gateway's stdout/stderr (tests that assert what the logs never contain). */
  readonly gatewayStdio?: (stdout: Readable, stderr: Readable) => void
}

export interface Stack {
  readonly gatewayUrl: string
  readonly modelUrl: string | null
  readonly idpUrl: string
  readonly gateway: Miniflare
  readonly devDir: string
  /** The gateway bindings the stack used (vars and dev secrets). */
  readonly gatewayVars: Record<string, string>
  mint(opts?: { sub?: string; scope?: string; ttlSeconds?: number; now?: number; audience?: string }): Promise<string>
  stop(): Promise<void>
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))))
    })
  })
}

const bundles = new Map<string, Promise<string>>()
let generated: Promise<unknown> | null = null
/** Bundles a Worker entry for workerd (cached per process). The gateway imports the generated policy module, so it
 * is (re)built from policies/ first, once per process: every command that bundles works as the first one after
 * `npm ci` (the build writes only on change). */
export function bundleWorker(entry: string): Promise<string> {
  let p = bundles.get(entry)
  if (!p) {
    generated ??= buildPolicies({ quiet: true })
    p = generated
      .then(() =>
        build({
          entryPoints: [join(REPO_ROOT, entry)],
          bundle: true,
          write: false,
          format: 'esm',
          platform: 'browser',
          conditions: ['workerd', 'worker', 'browser'],
          target: 'es2022',
          external: ['cloudflare:*', 'node:*'],
          logLevel: 'silent',
        }),
      )
      .then((r) => (r.outputFiles[0] as { text: string }).text)
    bundles.set(entry, p)
  }
  return p
}

const discard = (...streams: NodeJS.ReadableStream[]) => {
  for (const s of streams) s.resume()
}

/** Miniflare stdio handler that hands on complete lines of stdout and stderr. */
export function lineHandler(onLine: (line: string) => void) {
  return (...streams: NodeJS.ReadableStream[]) => {
    for (const s of streams) {
      let pending = ''
      s.setEncoding('utf8')
      s.on('data', (chunk: string) => {
        pending += chunk
        const lines = pending.split('\n')
        pending = lines.pop() ?? ''
        for (const line of lines) onLine(line)
      })
    }
  }
}

export async function startWorker(
  entry: string,
  port: number,
  extra: Partial<MiniflareOptions> & {
    bindings?: Record<string, string>
    quiet?: boolean
    onLine?: (line: string) => void
  },
): Promise<{ mf: Miniflare; url: string }> {
  const script = await bundleWorker(entry)
  const { quiet, onLine, ...rest } = extra
  const stdio = onLine ? lineHandler(onLine) : quiet ? discard : undefined
  const mf = new Miniflare({
    ...(stdio ? { handleRuntimeStdio: stdio } : {}),
    modules: [{ type: 'ESModule', path: 'worker.js', contents: script }],
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: COMPATIBILITY_FLAGS,
    host: '127.0.0.1',
    port,
    ...rest,
  } as MiniflareOptions)
  const url = (await mf.ready).toString().replace(/\/$/, '')
  return { mf, url }
}

/** Gateway bindings beyond vars: the Durable Object limiter, the native IP shield and the Analytics Engine
 * dataset, as wrangler.toml has them (scripts/policy/tenant-env.test.ts checks them against it). */
export const GATEWAY_BINDINGS = {
  durableObjects: { LIMITER: 'RateLimiterDurableObject' },
  ratelimits: { IP_SHIELD: { simple: { limit: 120, period: 60 } } },
  analyticsEngineDatasets: { DECISIONS: { dataset: 'portcullis_decisions' } },
} satisfies Partial<MiniflareOptions>

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  await buildPolicies({ quiet: true })
  // Each stack gets its own dev secrets, so parallel test files never share or race on key files.
  const devDir = await mkdtemp(join(tmpdir(), 'portcullis-dev-'))
  const idpKey = opts.idpKey ?? (await ensureDevIdpKey(devDir))
  const [gatewayPort, modelPort, idpPort] = await Promise.all([
    opts.gatewayPort ?? freePort(),
    opts.modelPort ?? freePort(),
    opts.idpPort ?? freePort(),
  ])
  const idpUrl = `http://127.0.0.1:${idpPort}`
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`
  const started: Miniflare[] = []
  const services = await startLocalServices({ redis: opts.redis === true, gatewayUrl })
  const cleanup = async () => {
    await Promise.allSettled(started.map((mf) => mf.dispose()))
    await services.stop()
    await rm(devDir, { recursive: true, force: true })
  }
  try {
    const idp = await startWorker('workers/dev-idp/index.ts', idpPort, {
      bindings: { IDP_ISSUER: idpUrl, IDP_PRIVATE_JWK: JSON.stringify(idpKey), IDP_DEFAULT_AUDIENCE: DEV_AUDIENCE },
      quiet: opts.quiet,
    })
    started.push(idp.mf)
    let modelUrl: string | null = null
    if (!opts.upstreamUrl) {
      const model = await startWorker('workers/dev-model/index.ts', modelPort, {
        bindings: services.modelBindings,
        quiet: opts.quiet,
        onLine: opts.onModelLine,
      })
      started.push(model.mf)
      modelUrl = model.url
    }
    const gatewayVars = await devGatewayVars({
      idpUrl,
      upstreamUrl: opts.upstreamUrl ?? (modelUrl as string),
      gatewayUrl,
      extra: { ...services.gatewayBindings, ...opts.gatewayBindings },
      dir: devDir,
    })
    const gateway = await startWorker(opts.gatewayEntry ?? 'workers/gateway/index.ts', gatewayPort, {
      bindings: gatewayVars,
      ...GATEWAY_BINDINGS,
      ...(opts.cf ? { cf: opts.cf } : {}),
      quiet: opts.quiet,
      onLine: opts.onGatewayLine,
      ...(opts.gatewayStdio ? { handleRuntimeStdio: opts.gatewayStdio } : {}),
    })
    started.push(gateway.mf)
    return {
      gatewayUrl,
      modelUrl,
      idpUrl,
      gateway: gateway.mf,
      devDir,
      gatewayVars,
      mint: (m = {}) =>
        mintDevToken(idpKey, {
          issuer: idpUrl,
          audience: m.audience ?? DEV_AUDIENCE,
          sub: m.sub ?? 'alice',
          scope: m.scope ?? 'chat embeddings',
          ttlSeconds: m.ttlSeconds,
          now: m.now,
        }),
      stop: cleanup,
    }
  } catch (err) {
    await cleanup()
    throw err
  }
}

export { publicJwk }
