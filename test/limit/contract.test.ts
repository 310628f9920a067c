// The same scenarios against both production backends: the Durable Object limiter in workerd (Miniflare) and
// @upstash/ratelimit through the local Upstash REST bridge to a real redis-server. The in-memory reference
// backend runs them too, so a divergence shows which side moved.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { LimitCheck, LimiterBackend } from '../../shared/limit/backend.ts'
import { createLeaseBook } from '../../shared/limit/lease.ts'
import { createMemoryBackend } from '../../shared/limit/memory.ts'
import { createUpstashBackend } from '../../shared/limit/upstash.ts'
import { type LimitWorker, startLimitWorker, startUpstashStack, type UpstashStack } from './harness.ts'

const W = 60
const WINDOW_START = 1_800_000_000_000 // a window boundary for 60 s windows
let clock = WINDOW_START + 10_000
const setNow = (t: number) => {
  clock = t
  vi.setSystemTime(t) // @upstash/ratelimit reads Date.now(); only Date is faked, timers stay real
}

let worker: LimitWorker
let stack: UpstashStack
const backends: Record<string, () => LimiterBackend> = {}

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'] })
  ;[worker, stack] = await Promise.all([startLimitWorker(), startUpstashStack()])
  const upstash = createUpstashBackend({
    url: stack.bridge.url,
    token: stack.bridge.token,
    timeoutMs: 2_000,
    ephemeralCache: new Map(),
  })
  const memory = createMemoryBackend({ now: () => clock })
  backends['durable-object'] = () => worker.doBackend(() => clock)
  backends.upstash = () => upstash
  backends.memory = () => memory
})
afterAll(async () => {
  vi.useRealTimers()
  await Promise.all([worker?.dispose(), stack?.stop()])
})
afterEach(() => setNow(WINDOW_START + 10_000))

let unique = 0
const check = (limit: number, cost = 1, windowSeconds = W): LimitCheck => {
  const key = `contract/${process.pid}/${++unique}`
  return { key, partition: key, limit, windowSeconds, cost }
}
const again = (c: LimitCheck, cost = c.cost): LimitCheck => ({ ...c, cost })

describe.each(['durable-object', 'upstash', 'memory'])('limiter contract: %s', (name) => {
  const backend = () => backends[name]!()
  const consume = async (c: LimitCheck) => (await backend().consume([c]))[0]!

  it('admits up to the limit, then refuses; reset is the end of the window', async () => {
    const c = check(3)
    const outcomes = []
    for (let i = 0; i < 4; i++) outcomes.push(await consume(c))
    expect(outcomes.map((o) => [o.allowed, o.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
    ])
    expect(outcomes[0]?.resetAtMs).toBe(WINDOW_START + W * 1000)
  })

  it('weights: a weighted request is admitted only if it fits, and a refused one counts nothing', async () => {
    const c = check(100)
    expect(await consume(again(c, 60))).toMatchObject({ allowed: true, remaining: 40 })
    expect(await consume(again(c, 50))).toMatchObject({ allowed: false, remaining: 0 })
    expect(await consume(again(c, 40))).toMatchObject({ allowed: true, remaining: 0 })
    expect(await consume(again(c, 1))).toMatchObject({ allowed: false })
  })

  it('concurrent weighted requests racing for the last units never exceed the limit', async () => {
    const c = check(100, 30)
    const out = await Promise.all(Array.from({ length: 10 }, () => consume(c)))
    expect(out.filter((o) => o.allowed)).toHaveLength(3)
  })

  it('refunds give capacity back (and lift an ephemeral block); charges take it without a check', async () => {
    const c = check(10, 10)
    await consume(c)
    expect((await consume(again(c, 1))).allowed).toBe(false)
    await backend().adjust([{ ...c, delta: -4 }])
    expect(await consume(again(c, 1))).toMatchObject({ allowed: true, remaining: 3 })
    const d = check(5)
    await backend().adjust([{ ...d, delta: 5 }])
    expect((await consume(d)).allowed).toBe(false)
  })

  it('windows: the previous window counts by its overlap, and is forgotten after two', async () => {
    const c = check(2)
    await consume(c)
    await consume(c)
    expect((await consume(c)).allowed).toBe(false)
    setNow(WINDOW_START + 70_000) // 10 s into the next window: floor(50/60 * 2) = 1 still counts
    expect(await consume(c)).toMatchObject({ allowed: true, remaining: 0 })
    expect((await consume(c)).allowed).toBe(false)
    setNow(WINDOW_START + 130_000) // previous window held 1: floor(50/60 * 1) = 0
    expect(await consume(c)).toMatchObject({ allowed: true, remaining: 1 })
  })

  it('several checks in one call are independent', async () => {
    const a = check(1)
    const b = check(5)
    await consume(a)
    const out = await backend().consume([a, b, again(b, 2)])
    expect(out.map((o) => [o.allowed, o.remaining])).toEqual([
      [false, 0],
      [true, 4],
      [true, 2],
    ])
  })

  it('lease units are counted as far as they fit under the ceiling, and never refuse the check', async () => {
    const c = check(10)
    const lease = (cost: number, extra: number) => consume({ ...c, cost, extra, ceiling: 12 })
    expect(await lease(1, 5)).toMatchObject({ allowed: true, remaining: 4, granted: 5 })
    expect(await lease(1, 10)).toMatchObject({ allowed: true, remaining: 0, granted: 5 }) // 7 used; ceiling 12
    expect(await lease(0, 5)).toMatchObject({ allowed: true, granted: 0 }) // the ceiling is full
    expect((await consume(again(c, 1))).allowed).toBe(false) // 12 counted: the limit itself is spent
    await backend().adjust([{ ...c, delta: -12 }])
    expect(await lease(3, 0)).toMatchObject({ allowed: true, remaining: 7 })
  })

  it('quota leases over this store: sharded, within the ceiling, and every unspent unit comes back', async () => {
    const base = { ...check(200), shards: 2 }
    const book = createLeaseBook({ now: () => clock, random: () => 0 })
    const leased = book.limiter(backend(), 0.1) // shards of 100, leases of at most 10, ceiling 110 per shard
    let admitted = 0
    for (let i = 0; i < 260; i++) if ((await leased.consume([base]))[0]?.allowed) admitted++
    expect(admitted).toBeGreaterThanOrEqual(200 - 10)
    expect(admitted).toBeLessThanOrEqual(220)
    await book.release(backend())
    const exact = createLeaseBook({ now: () => clock }).limiter(backend(), 0)
    let more = 0
    for (let i = 0; i < 40; i++) if ((await exact.consume([base]))[0]?.allowed) more++
    expect(more).toBe(Math.max(0, 200 - admitted))
  })

  it('concurrent requests racing for the last units: exactly the limit wins', async () => {
    const c = check(5)
    const out = await Promise.all(Array.from({ length: 25 }, () => consume(c)))
    expect(out.filter((o) => o.allowed)).toHaveLength(5)
  })
})
