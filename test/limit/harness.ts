// Runs test/limit/worker.ts in workerd through Miniflare (esbuild bundle, DO binding LIMITER), optionally next
// to a real redis-server behind the Upstash REST bridge. Shared by the contract tests and bench/limit.ts.
import { build } from 'esbuild'
import { Miniflare } from 'miniflare'
import { type RedisServer, startRedis } from '../../scripts/dev/redis.ts'
import { startUpstashBridge, type UpstashBridge } from '../../scripts/dev/upstash-bridge.ts'
import type { LimitAdjustment, LimitCheck, LimiterBackend, LimitOutcome } from '../../shared/limit/backend.ts'

export interface LimitWorker {
  readonly mf: Miniflare
  /** The Durable Object backend, driven from Node through the worker; `now` is the clock the DO sees. */
  doBackend(now: () => number): LimiterBackend
  dispose(): Promise<void>
}

export async function bundleLimitWorker(): Promise<string> {
  const result = await build({
    entryPoints: [new URL('./worker.ts', import.meta.url).pathname],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    conditions: ['worker', 'browser'],
    target: 'es2022',
    logLevel: 'silent',
  })
  return result.outputFiles[0]!.text
}

export async function startLimitWorker(upstash?: { url: string; token: string }): Promise<LimitWorker> {
  const mf = new Miniflare({
    modules: [{ type: 'ESModule', path: 'worker.mjs', contents: await bundleLimitWorker() }],
    compatibilityDate: '2026-04-01',
    durableObjects: { LIMITER: 'RateLimiterDurableObject' },
    bindings: upstash ? { UPSTASH_REDIS_REST_URL: upstash.url, UPSTASH_REDIS_REST_TOKEN: upstash.token } : {},
  })
  await mf.ready
  const post = async <T>(body: unknown): Promise<T> => {
    const res = await mf.dispatchFetch('http://limit.test/do', { method: 'POST', body: JSON.stringify(body) })
    if (!res.ok) throw new Error(`DO worker answered ${res.status}`)
    return (await res.json()) as T
  }
  return {
    mf,
    doBackend: (now) => ({
      name: 'durable-object',
      consume: (checks: readonly LimitCheck[]) => post<LimitOutcome[]>({ op: 'consume', nowMs: now(), checks }),
      adjust: async (adjustments: readonly LimitAdjustment[]) => {
        await post({ op: 'adjust', nowMs: now(), adjustments })
      },
    }),
    dispose: () => mf.dispose(),
  }
}

export interface UpstashStack {
  readonly redis: RedisServer
  readonly bridge: UpstashBridge
  stop(): Promise<void>
}

/** redis-server + bridge on loopback. Fails (never skips) when redis-server is not installed. */
export async function startUpstashStack(token = 'test-token'): Promise<UpstashStack> {
  const redis = await startRedis()
  const bridge = await startUpstashBridge({ redisPort: redis.port, token })
  return {
    redis,
    bridge,
    async stop() {
      await bridge.stop()
      await redis.stop()
    },
  }
}
