// Added latency of the limit stage per backend, measured in one run against a pass-through Worker (same bundle,
// same earlier-stage setup, no limit stage), in workerd via Miniflare dispatchFetch on loopback. Medians, in ms.
// Each store runs exact (every check asks the object, as before leases) and with quota leases + tenant shards,
// and the lease books count object round trips per request. Also the estimator's error against o200k_base.

import type { LeaseStats } from '../shared/limit/lease.ts'
import { loadCorpusTexts, measureEstimator } from '../shared/limit/measure-estimator.ts'
import { startLimitWorker, startUpstashStack } from '../test/limit/harness.ts'

const ROUNDS = 300 // per variant; interleaved so drift hits every variant alike
const WARMUP = 30
/** Steady load from a few callers: each subject comes back every few requests, well within a lease's life. */
const SUBJECTS = 5
const BODY = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Summarise the plot of Hamlet.' }] })

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? Number.NaN
}
const round3 = (x: number) => Math.round(x * 1000) / 1000

export async function benchLimit(): Promise<Record<string, number>> {
  const stack = await startUpstashStack('bench-token')
  const worker = await startLimitWorker({ url: stack.bridge.url, token: stack.bridge.token })
  try {
    const variants = {
      pass: { path: '/pass', backend: 'durable-object', status: 200 },
      do: { path: '/limit', backend: 'durable-object', status: 200 },
      doLease: { path: '/limit', backend: 'durable-object-lease', status: 200 },
      upstash: { path: '/limit', backend: 'upstash', status: 200 },
      upstashLease: { path: '/limit', backend: 'upstash-lease', status: 200 },
      block: { path: '/limit', backend: 'upstash-block', status: 429 },
    } as const
    type Variant = keyof typeof variants
    const times = Object.fromEntries(Object.keys(variants).map((k) => [k, [] as number[]])) as Record<Variant, number[]>
    const once = async (name: keyof typeof variants, i: number) => {
      const v = variants[name]
      const sub = name === 'block' ? 'blocked' : `bench-${i % SUBJECTS}`
      const t0 = performance.now()
      const res = await worker.mf.dispatchFetch(`http://limit.test${v.path}`, {
        method: 'POST',
        body: BODY,
        headers: { 'x-backend': v.backend, 'x-sub': sub },
      })
      await res.arrayBuffer()
      const ms = performance.now() - t0
      if (i >= WARMUP && res.status !== v.status) throw new Error(`${name}: expected ${v.status}, got ${res.status}`)
      return ms
    }
    const stats = async () =>
      (await (await worker.mf.dispatchFetch('http://limit.test/stats')).json()) as Record<string, LeaseStats>
    for (let i = 0; i < ROUNDS + WARMUP; i++) {
      if (i === WARMUP) await stats() // resets the counters: steady state only
      for (const name of Object.keys(variants) as Variant[]) {
        const ms = await once(name, i)
        if (i >= WARMUP) times[name].push(ms)
      }
    }
    const calls = await stats()
    const perRequest = (name: string) => round3((calls[name]?.objectCalls ?? 0) / (calls[name]?.requests || 1))
    const syncShare = (name: string) => round3((calls[name]?.syncRequests ?? 0) / (calls[name]?.requests || 1))
    const pass = median(times.pass)
    const estimator = measureEstimator(loadCorpusTexts(), 'o200k_base')
    return {
      limit_pass_through_p50_ms: round3(pass),
      limit_do_p50_ms: round3(median(times.do) - pass),
      limit_do_lease_p50_ms: round3(median(times.doLease) - pass),
      limit_upstash_p50_ms: round3(median(times.upstash) - pass),
      limit_upstash_lease_p50_ms: round3(median(times.upstashLease) - pass),
      limit_do_object_calls_per_request: perRequest('durable-object'),
      limit_do_lease_object_calls_per_request: perRequest('durable-object-lease'),
      limit_do_lease_sync_request_share: syncShare('durable-object-lease'),
      limit_upstash_lease_object_calls_per_request: perRequest('upstash-lease'),
      limit_ephemeral_block_p50_ms: round3(median(times.block) - pass),
      estimator_mean_abs_error_pct: estimator.meanAbsErrorPct,
      estimator_under_count_pct: estimator.underCountPct,
    }
  } finally {
    await worker.dispose()
    await stack.stop()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchLimit()
  console.log(process.argv.includes('--json') ? JSON.stringify(result) : result)
}
