// The Upstash backend under failure, through the limit stage: the bridge erroring, answering late, the bridge
// gone, redis-server stopped. Only the policy's failMode decides: closed → 503 limit.unavailable, open → forwarded
// with checked: false. Also: a key blocked in the ephemeral cache is refused without a round trip.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createUpstashBackend } from '../../shared/limit/upstash.ts'
import { limitHarness, limitPolicy } from '../../workers/gateway/limit/testing.ts'
import { startUpstashStack, type UpstashStack } from './harness.ts'

let stack: UpstashStack
beforeAll(async () => {
  stack = await startUpstashStack()
})
afterAll(async () => {
  await stack?.stop()
})

// A day window: a sliding window approximates across a boundary (the previous window is weighted and floored),
// so a minute window could let the second request through when the test straddles a minute boundary.
const ONE_PER_DAY = {
  requests: { subject: [{ limit: 1, windowSeconds: 86_400 }], tenant: [], ip: [] },
  tokens: { subject: [], tenant: [] },
}

function harness(failMode: 'closed' | 'open', timeoutMs = 300, url = stack.bridge.url) {
  const backend = createUpstashBackend({ url, token: stack.bridge.token, timeoutMs, ephemeralCache: new Map() })
  const compiled = limitPolicy({ backend: 'upstash', failMode, timeoutMs, ...ONE_PER_DAY })
  return limitHarness({ compiled, backend })
}

async function outcome(h: ReturnType<typeof harness>, sub: string) {
  const res = await h.call({ sub })
  const limit = h.seen.at(-1)?.decisions.limit
  return {
    status: res.status,
    code: res.headers.get('x-portcullis-code'),
    checked: limit?.checked,
    reason: limit?.uncheckedReason,
  }
}

describe('Upstash backend down: failMode decides', () => {
  it('works through the bridge, then the ephemeral cache refuses a blocked key without Redis', async () => {
    // 2 s, not the default 300 ms: on a loaded machine the first calls (script load included) can take longer,
    // and this test is about the cache, not about timeouts.
    const h = harness('closed', 2_000)
    const sub = `cache-${process.pid}`
    expect((await outcome(h, sub)).status).toBe(200)
    expect(await outcome(h, sub)).toMatchObject({ status: 429, code: 'limit.requests' })
    stack.bridge.setFault({ mode: 'error' })
    try {
      expect(await outcome(h, sub)).toMatchObject({ status: 429, code: 'limit.requests' }) // from the cache
      expect(await outcome(h, `${sub}-other`)).toMatchObject({ status: 503, code: 'limit.unavailable' })
    } finally {
      stack.bridge.setFault({ mode: 'none' })
    }
  })

  it.each([
    ['the bridge returns errors', { mode: 'error' } as const, 'transport'],
    ['the bridge answers after the timeout', { mode: 'slow', delayMs: 600 } as const, 'timeout'],
  ])('%s: closed → 503, open → forwarded unchecked', async (_, fault, reason) => {
    stack.bridge.setFault(fault)
    try {
      expect(await outcome(harness('closed', 100), `f-${reason}-c`)).toMatchObject({
        status: 503,
        code: 'limit.unavailable',
      })
      expect(await outcome(harness('open', 100), `f-${reason}-o`)).toMatchObject({
        status: 200,
        checked: false,
        reason,
      })
    } finally {
      stack.bridge.setFault({ mode: 'none' })
    }
  })

  it('nothing listening (connection refused): transport', async () => {
    const dead = 'http://127.0.0.1:9' // discard port: nothing listens on loopback here
    expect(await outcome(harness('closed', 300, dead), 'dead-c')).toMatchObject({
      status: 503,
      code: 'limit.unavailable',
    })
    expect(await outcome(harness('open', 300, dead), 'dead-o')).toMatchObject({
      status: 200,
      checked: false,
      reason: 'transport',
    })
  })

  it('redis-server stopped: closed → 503, open → forwarded unchecked', async () => {
    const own = await startUpstashStack('own-token')
    const h = (failMode: 'closed' | 'open') =>
      limitHarness({
        compiled: limitPolicy({ backend: 'upstash', failMode, ...ONE_PER_DAY }),
        backend: createUpstashBackend({
          url: own.bridge.url,
          token: 'own-token',
          timeoutMs: 500,
          ephemeralCache: false,
        }),
      })
    try {
      expect((await h('closed').call({ sub: 'r' })).status).toBe(200)
      await own.redis.stop()
      expect(await outcome(h('closed'), 'r2')).toMatchObject({ status: 503, code: 'limit.unavailable' })
      expect(await outcome(h('open'), 'r3')).toMatchObject({ status: 200, checked: false, reason: 'transport' })
    } finally {
      await own.stop()
    }
  })

  it('a wrong token is a transport failure, not a decision', async () => {
    const backend = createUpstashBackend({
      url: stack.bridge.url,
      token: 'wrong',
      timeoutMs: 300,
      ephemeralCache: false,
    })
    const h = limitHarness({ compiled: limitPolicy({ backend: 'upstash', ...ONE_PER_DAY }), backend })
    expect(await outcome(h, 'tok')).toMatchObject({ status: 503, code: 'limit.unavailable' })
  })
})
