// Benchmark entry: the real gateway over tenants passed in a binding (so the bench can switch stages on and off
// by policy), plus an in-isolate loop that times `app.fetch` with a canned upstream for CPU per request.
import type { CompiledPolicy } from '../../shared/policy/schema.ts'
import { createGateway } from '../../workers/gateway/app.ts'
import type { Env } from '../../workers/gateway/env.ts'

export { RateLimiterDurableObject } from '../../workers/gateway/limit/index.ts'

interface BenchEnv extends Env {
  readonly BENCH_TENANTS: string
  readonly BENCH_TOKEN: string
  /** "off": the trace stage without telemetry (no timings, log line, Analytics Engine point): the baseline. */
  readonly BENCH_TELEMETRY?: string
}

let live: ReturnType<typeof createGateway> | null = null
const CANNED =
  '{"id":"x","object":"chat.completion","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":5,"total_tokens":10}}'

async function cpuLoop(
  env: BenchEnv,
  ctx: ExecutionContext,
  iterations: number,
  body: string,
  telemetry: boolean,
): Promise<number[]> {
  const app = createGateway({
    tenants: JSON.parse(env.BENCH_TENANTS) as CompiledPolicy[],
    // The line is built and serialised either way; only printing it is skipped (the loop would flood stdio).
    trace: telemetry ? { log: () => {} } : { telemetry: false },
    forward: {
      fetch: (async () => new Response(CANNED, { headers: { 'content-type': 'application/json' } })) as typeof fetch,
    },
  })
  const request = () =>
    new Request('http://bench.local/v1/chat/completions', {
      method: 'POST',
      headers: { authorization: `Bearer ${env.BENCH_TOKEN}`, 'content-type': 'application/json' },
      body,
    })
  for (let i = 0; i < 50; i++) await (await app.fetch(request(), env, ctx)).arrayBuffer() // warm-up
  const perBatchMs: number[] = []
  const batch = 20
  for (let done = 0; done < iterations; done += batch) {
    const t0 = performance.now()
    for (let i = 0; i < batch; i++) {
      const res = await app.fetch(request(), env, ctx)
      await res.arrayBuffer()
      if (res.status !== 200) throw new Error(`bench request failed: ${res.status}`)
    }
    perBatchMs.push((performance.now() - t0) / batch)
  }
  return perBatchMs
}

export default {
  async fetch(req: Request, env: BenchEnv, ctx: ExecutionContext): Promise<Response> {
    const url = new URL(req.url)
    if (url.pathname === '/__bench/cpu') {
      const n = Number(url.searchParams.get('n') ?? 1000)
      const body = await req.text()
      const telemetry = url.searchParams.get('telemetry') !== 'off'
      return Response.json({ perRequestMs: await cpuLoop(env, ctx, n, body, telemetry) })
    }
    // Telemetry on is production's path: the decision line through console (Miniflare's stdio is discarded), the
    // Analytics Engine point, the prompt HMAC (LOG_HMAC_KEY is a dev var here).
    live ??= createGateway({
      tenants: JSON.parse(env.BENCH_TENANTS) as CompiledPolicy[],
      trace: env.BENCH_TELEMETRY === 'off' ? { telemetry: false } : {},
      mcp: { log: () => {} },
    })
    return live.fetch(req, env, ctx)
  },
}
