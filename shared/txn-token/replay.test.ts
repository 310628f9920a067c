import { Redis } from '@upstash/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RedisServer, RespClient, startRedis } from '../../scripts/dev/redis.ts'
import { startUpstashBridge, type UpstashBridge } from '../../scripts/dev/upstash-bridge.ts'
import { memoryReplayStore, type RedisSetNxClient, type ReplayStore, redisReplayStore } from './replay.ts'

describe('memory replay store', () => {
  it('accepts a jti once until it expires, then again', async () => {
    const store = memoryReplayStore()
    expect(await store.claim('a', 160, 100)).toBe(true)
    expect(await store.claim('a', 160, 150)).toBe(false)
    expect(await store.claim('a', 260, 161)).toBe(true)
  })

  it('stays bounded: the oldest entry is evicted at the limit', async () => {
    const store = memoryReplayStore({ maxEntries: 3 })
    for (const jti of ['a', 'b', 'c', 'd']) expect(await store.claim(jti, 1000, 1)).toBe(true)
    expect(await store.claim('d', 1000, 2)).toBe(false)
    expect(await store.claim('a', 1000, 2)).toBe(true) // evicted: the documented cost of a bounded LRU
  })

  it('rejects a nonsense size', () => {
    expect(() => memoryReplayStore({ maxEntries: 0 })).toThrow(TypeError)
  })
})

// A real redis-server (scripts/dev/redis.ts), reached two ways: a raw RESP connection, and the real
// `@upstash/redis` client through the local Upstash REST bridge — which also proves the client fits the interface.
describe('redis replay store (SET NX EX against redis-server)', () => {
  let redis: RedisServer | undefined
  let bridge: UpstashBridge | undefined
  let resp: RespClient
  let stores: [string, ReplayStore][]

  beforeAll(async () => {
    redis = await startRedis()
    bridge = await startUpstashBridge({ redisPort: redis.port, token: 'test-token' })
    resp = await RespClient.connect(redis.port)
    const raw: RedisSetNxClient = {
      set: async (key, value, opts) => (await resp.send([['SET', key, value, 'NX', 'EX', opts.ex]]))[0],
    }
    const upstash: RedisSetNxClient = new Redis({ url: bridge.url, token: bridge.token, enableTelemetry: false })
    stores = [
      ['RESP', redisReplayStore(raw, { prefix: 'resp:' })],
      ['@upstash/redis', redisReplayStore(upstash, { prefix: 'upstash:' })],
    ]
  })

  afterAll(async () => {
    resp?.close()
    await bridge?.stop()
    await redis?.stop()
  })

  it('accepts a jti once, across store instances, with a TTL that outlives the token', async () => {
    for (const [name, store] of stores) {
      expect(await store.claim('r1', 1060, 1000), name).toBe(true)
      expect(await store.claim('r1', 1060, 1001), name).toBe(false)
      const prefix = name === 'RESP' ? 'resp:' : 'upstash:'
      const ttl = (await resp.send([['TTL', `${prefix}r1`]]))[0] as number
      expect(ttl, name).toBeGreaterThan(55)
      expect(ttl, name).toBeLessThanOrEqual(60)
    }
    const [, upstashStore] = stores[1]!
    expect(await upstashStore.claim('r2', 2000, 1999)).toBe(true)
  })

  it('propagates a store error (the verifier turns it into replay_check_failed)', async () => {
    bridge!.setFault({ mode: 'error' })
    try {
      await expect(stores[1]![1].claim('r3', 2, 1)).rejects.toThrow()
    } finally {
      bridge!.setFault({ mode: 'none' })
    }
    const broken: RedisSetNxClient = { set: () => Promise.reject(new Error('ECONNREFUSED')) }
    await expect(redisReplayStore(broken).claim('x', 2, 1)).rejects.toThrow()
  })
})
