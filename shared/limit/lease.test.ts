// Quota leases over the in-memory reference store: exhaustion, renewal racing expiry, an isolate dying with an
// unspent lease, shard rebalancing, an unreachable object, local settlement. One fake clock and seeded shard
// choice per test; "isolates" are separate lease books over one shared store.
import { describe, expect, it } from 'vitest'
import type { LimitCheck, LimiterBackend, LimitOutcome } from './backend.ts'
import { LimiterUnavailableError } from './backend.ts'
import { createLeaseBook, type LeaseBook } from './lease.ts'
import { LEASE_TTL_MS } from './lease-policy.ts'
import { createMemoryBackend } from './memory.ts'

const T0 = 1_800_000_000_000 + 1_000 // 1 s into a 60 s window
const W = 60

function world(start = T0) {
  const clock = { t: start }
  const store = createMemoryBackend({ now: () => clock.t })
  const held: (() => void)[] = []
  const gate = { holdRenewals: false, down: false, calls: 0, requestCalls: 0 }
  /** The store as isolates reach it: renewals (cost 0) can be held in flight, the whole store can go away. */
  const backend: LimiterBackend = {
    name: 'durable-object',
    async consume(checks) {
      gate.calls += 1
      if (checks.some((c) => c.cost > 0)) gate.requestCalls += 1 // on a request's path, not a renewal
      if (gate.down) throw new LimiterUnavailableError('transport')
      if (gate.holdRenewals && checks.every((c) => c.cost === 0)) await new Promise<void>((r) => held.push(r))
      if (gate.down) throw new LimiterUnavailableError('transport')
      return store.consume(checks)
    },
    async adjust(adjustments) {
      if (gate.down) throw new LimiterUnavailableError('transport')
      await store.adjust(adjustments)
    },
  }
  const tasks: Promise<unknown>[] = []
  const ctx = { waitUntil: (p: Promise<unknown>) => void tasks.push(p.catch(() => {})) }
  /** Lets every background task that is not held run to its end (the store answers within a few ticks). */
  const settle = async () => {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r))
  }
  const release = async () => {
    for (const r of held.splice(0)) r()
    await settle()
  }
  /** Counted units of a key across its shards, as the store sees them now. */
  const counted = (key: string) =>
    [...store.counters].filter(([k]) => k === key || k.startsWith(`${key}#`)).reduce((n, [, c]) => n + c.current, 0)
  return { clock, store, backend, gate, ctx, settle, release, counted }
}

const tenantCheck = (limit: number, shards = 1, cost = 1): LimitCheck => ({
  key: 'acme/tenant/requests/60',
  partition: 'acme/tenant',
  limit,
  windowSeconds: W,
  cost,
  shards,
})

type World = ReturnType<typeof world>
const isolate = (w: World, seed = 0) =>
  createLeaseBook({ now: () => w.clock.t, random: () => seed, renewTimeoutMs: 5_000 })

async function run(w: World, book: LeaseBook, check: LimitCheck, n: number, overAdmission = 0.02) {
  const limiter = book.limiter(w.backend, overAdmission)
  const out: LimitOutcome[] = []
  for (let i = 0; i < n; i++) {
    out.push(...(await limiter.consume([check], w.ctx)))
    await w.settle()
  }
  return out
}
const admitted = (out: LimitOutcome[]) => out.filter((o) => o.allowed).length

describe('quota leases', () => {
  it('a held lease admits locally; when it is exhausted before the renewal lands, the object is asked', async () => {
    const w = world()
    const book = isolate(w)
    w.gate.holdRenewals = true
    const check = tenantCheck(10_000) // lease cap 200, a cold lease is 8 requests
    expect(admitted(await run(w, book, check, 1))).toBe(1)
    expect([w.gate.calls, w.counted(check.key)]).toEqual([1, 9]) // 1 admitted + 8 leased, one round trip
    expect(admitted(await run(w, book, check, 8))).toBe(8)
    expect(w.gate.calls).toBe(2) // no round trip for 8 requests but the background renewal, still in flight
    expect(admitted(await run(w, book, check, 1))).toBe(1)
    expect(w.gate.calls).toBe(3) // lease spent, renewal not back: the request went to the object itself
    await w.release()
    await book.release(w.backend)
    expect(w.counted(check.key)).toBe(10) // everything not spent came back
  })

  it('steady load: at most one object call in 20 requests once the rate is known', async () => {
    const w = world()
    const book = isolate(w)
    const check = tenantCheck(1_000_000)
    for (let i = 0; i < 200; i++) {
      await run(w, book, check, 1)
      w.clock.t += 10 // 100 requests per second
    }
    const before = book.stats.objectCalls
    for (let i = 0; i < 400; i++) {
      await run(w, book, check, 1)
      w.clock.t += 10
    }
    expect((book.stats.objectCalls - before) / 400).toBeLessThanOrEqual(1 / 20)
  })

  it('a renewal racing the lease expiry neither spends the expired lease nor loses units', async () => {
    const w = world()
    const book = isolate(w)
    const check = tenantCheck(10_000)
    await run(w, book, check, 5) // 1 + 8 leased, 4 spent locally: left 4 → renewal starts
    w.gate.holdRenewals = true
    await run(w, book, check, 1) // left 3, renewal in flight (held)
    w.clock.t += LEASE_TTL_MS + 500 // past the lease's life
    const callsBefore = w.gate.calls
    expect(admitted(await run(w, book, check, 1))).toBe(1)
    expect(w.gate.calls).toBeGreaterThan(callsBefore) // the expired lease was not spent: the object was asked
    await w.release() // the renewal lands after the expiry
    await book.release(w.backend)
    expect(w.counted(check.key)).toBe(7) // exactly the admitted requests remain counted
  })

  it('an isolate dying with an unspent lease loses at most that lease; the others reach the limit', async () => {
    const w = world()
    const check = tenantCheck(1_000)
    const dead = isolate(w)
    expect(admitted(await run(w, dead, check, 1, 0.1))).toBe(1) // lease cap 100, cold lease 8, then forgotten
    const survivor = isolate(w)
    const out = await run(w, survivor, check, 1_500, 0.1)
    expect(admitted(out)).toBeGreaterThanOrEqual(1_000 - 1 - 8)
    expect(admitted(out) + 1).toBeLessThanOrEqual(1_100) // never past the ceiling, limit × (1 + 0.1)
  })

  it('shards: a spent home shard spills over to the others; exact totals with no over-admission', async () => {
    const w = world()
    const check = tenantCheck(400, 4)
    const out = await run(w, isolate(w, 0.6), check, 450, 0) // home shard 2
    expect(admitted(out)).toBe(400)
    expect([0, 1, 2, 3].map((s) => w.store.counters.get(`${check.key}#${s}`)?.current)).toEqual([100, 100, 100, 100])
    expect(w.store.counters.has(check.key)).toBe(false) // the unsharded key is never touched
  })

  it('shards with leases: many isolates on different home shards stay within the ceiling', async () => {
    const w = world()
    const check = tenantCheck(4_000, 4)
    const books = Array.from({ length: 12 }, (_, i) => isolate(w, (i % 4) / 4))
    let total = 0
    for (let round = 0; round < 1_000; round++) {
      for (const [i, book] of books.entries())
        if (i < 3 || round % 4 === 0) total += admitted(await run(w, book, check, 1))
      w.clock.t += 20
    }
    expect(total).toBeLessThanOrEqual(4_000 + 4 * Math.floor(1_000 * 0.02))
    expect(total).toBeGreaterThanOrEqual(4_000 - 12 * 20) // at most one parked lease per isolate is lost to others
  })

  it('an unreachable object: the local lease is the most admitted, then limit.unavailable (fail closed)', async () => {
    const w = world()
    const book = isolate(w)
    const check = tenantCheck(10_000)
    await run(w, book, check, 1) // 8 leased
    w.gate.down = true
    const limiter = book.limiter(w.backend, 0.02)
    const results: string[] = []
    for (let i = 0; i < 12; i++) {
      results.push(
        await limiter.consume([check], w.ctx).then(
          (o) => (o[0]?.allowed ? 'admitted' : 'refused'),
          (e: unknown) => (e instanceof LimiterUnavailableError ? 'unavailable' : 'error'),
        ),
      )
      await w.settle()
    }
    expect(results).toEqual([...Array(8).fill('admitted'), ...Array(4).fill('unavailable')])
  })

  it('token budgets settle locally: refunds top up the lease, charges are taken from it, no round trip', async () => {
    const w = world()
    const book = isolate(w)
    const limiter = book.limiter(w.backend, 0.02)
    const check = { ...tenantCheck(1_000_000), key: 'acme/tenant/tokens/60', cost: 300 }
    await limiter.consume([check], w.ctx)
    await w.settle()
    const calls = w.gate.calls
    await limiter.adjust([{ ...check, delta: -250 }], w.ctx) // used 50 of 300
    await limiter.adjust([{ ...check, delta: 40 }], w.ctx) // another answer used 40 more than reserved
    await w.settle()
    expect(w.gate.calls).toBe(calls)
    await book.release(w.backend)
    expect(w.counted(check.key)).toBe(300 - 250 + 40)
  })

  it('a cold isolate: concurrent requests wait for the one call in flight instead of each asking', async () => {
    const w = world()
    const limiter = isolate(w).limiter(w.backend, 0.02)
    const out = await Promise.all(Array.from({ length: 6 }, () => limiter.consume([tenantCheck(10_000)], w.ctx)))
    expect(out.every((o) => o[0]?.allowed)).toBe(true)
    expect(w.gate.requestCalls).toBe(1) // 1 + 8 leased covered all six (then one background renewal)
  })

  it('a lease returned after its window ended is dropped: it never frees capacity in the next window', async () => {
    const w = world(T0 + 58_000) // 2 s before the window ends
    const book = isolate(w)
    const check = tenantCheck(10_000)
    await run(w, book, check, 1) // 1 admitted, 8 leased in this window
    w.clock.t += 3_000 // the next window: the lease is dead and its units belong to the old window
    await book.release(w.backend)
    expect(w.store.counters.get(check.key)?.current).toBe(9) // no refund of -8 reached the store
  })

  it('overAdmission 0: every check goes to the object, exactly as without leases', async () => {
    const w = world()
    const book = isolate(w)
    const out = await run(w, book, tenantCheck(5), 7, 0)
    expect(out.map((o) => o.allowed)).toEqual([true, true, true, true, true, false, false])
    expect(w.gate.calls).toBe(7)
  })
})
