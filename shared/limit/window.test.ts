import { describe, expect, it } from 'vitest'
import { adjustWindow, consumeWindow, isExpired, rollWindow, usedUnits } from './window.ts'

const W = 60_000
const T0 = 1_700_000_040_000 // an arbitrary fixed instant: tests never read the real clock
const start = Math.floor(T0 / W) * W

describe('sliding window math (same as @upstash/ratelimit slidingWindow)', () => {
  it('admits until the limit, then refuses without counting', () => {
    let c = rollWindow(undefined, start, W)
    const seen: boolean[] = []
    for (let i = 0; i < 4; i++) {
      const out = consumeWindow(c, 3, W, 1, start + i)
      c = out.counters
      seen.push(out.allowed)
    }
    expect(seen).toEqual([true, true, true, false])
    expect(c.current).toBe(3)
  })

  it.each([
    // [previous, current, ms into window, used]
    [10, 0, 0, 10],
    [10, 0, W / 2, 5],
    [10, 2, W * 0.75, 4], // floor(0.25 * 10) + 2
    [3, 1, W * 0.9, 1], // floor(0.3) + 1
  ])('weights the previous window: prev %i cur %i at +%i ms → %i used', (previous, current, into, used) => {
    expect(usedUnits({ index: start / W, previous, current }, start + into, W)).toBe(used)
  })

  it('rolls: adjacent window becomes previous, older windows clear', () => {
    const c = { index: start / W, current: 7, previous: 2 }
    expect(rollWindow(c, start + W, W)).toEqual({ index: start / W + 1, current: 0, previous: 7 })
    expect(rollWindow(c, start + 2 * W, W)).toEqual({ index: start / W + 2, current: 0, previous: 0 })
    expect(rollWindow(c, start + 10, W)).toBe(c)
  })

  it('a weighted request is admitted only if it fits; a refused one counts nothing', () => {
    const a = consumeWindow(undefined, 100, W, 90, start)
    const b = consumeWindow(a.counters, 100, W, 50, start + 1)
    const c = consumeWindow(b.counters, 100, W, 10, start + 2)
    expect([a.allowed, a.remaining, b.allowed, b.counters.current, c.allowed, c.remaining]).toEqual([
      true,
      10,
      false,
      90,
      true,
      0,
    ])
  })

  it('refunds and charges adjust the current window without a check', () => {
    const a = consumeWindow(undefined, 100, W, 100, start)
    expect(adjustWindow(a.counters, W, -60, start + 1).current).toBe(40)
    expect(adjustWindow(a.counters, W, 25, start + 1).current).toBe(125)
    expect(adjustWindow(a.counters, W, -10, start + W).current).toBe(-10) // refund lands in the new window
  })

  it('reports the end of the current fixed window as reset, and expiry after two windows', () => {
    const out = consumeWindow(undefined, 5, W, 1, start + 1234)
    expect(out.resetAtMs).toBe(start + W)
    expect(isExpired(out.counters, start + W, W)).toBe(false)
    expect(isExpired(out.counters, start + 2 * W, W)).toBe(true)
  })
})
