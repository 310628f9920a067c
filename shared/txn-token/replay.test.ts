import { type ChildProcess, spawn } from 'node:child_process'
import { createServer, Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
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

// A real redis-server on a free loopback port, spoken to with a minimal RESP client (SET … NX EX only).
describe('redis replay store (SET NX EX against redis-server)', () => {
  let server: ChildProcess | undefined
  let client: RespClient
  let store: ReplayStore

  beforeAll(async () => {
    const port = await freePort()
    server = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    )
    client = await RespClient.connect(port)
    store = redisReplayStore(client, { prefix: 'test:jti:' })
  })

  afterAll(() => {
    client?.close()
    server?.kill('SIGTERM')
  })

  it('accepts a jti once across clients and sets a TTL that outlives the token', async () => {
    expect(await store.claim('r1', 1060, 1000)).toBe(true)
    expect(await store.claim('r1', 1060, 1001)).toBe(false)
    const other = redisReplayStore(client, { prefix: 'test:jti:' })
    expect(await other.claim('r1', 1060, 1002)).toBe(false)
    const ttl = await client.command(['TTL', 'test:jti:r1'])
    expect(ttl).toBeGreaterThan(55)
    expect(ttl).toBeLessThanOrEqual(60)
  })

  it('propagates a store error (the verifier turns it into replay_check_failed)', async () => {
    const broken: RedisSetNxClient = { set: () => Promise.reject(new Error('ECONNREFUSED')) }
    await expect(redisReplayStore(broken).claim('x', 2, 1)).rejects.toThrow()
  })
})

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))))
    })
  })
}

/** Enough of RESP2 for SET/TTL: one request in flight at a time, simple strings, integers, bulk strings. */
class RespClient implements RedisSetNxClient {
  private buffer = ''
  private waiting: ((v: string | number | null) => void) | null = null
  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8')
    socket.on('data', (chunk: string) => {
      this.buffer += chunk
      this.drain()
    })
  }

  static async connect(port: number): Promise<RespClient> {
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        const socket = await new Promise<Socket>((resolve, reject) => {
          const s = new Socket()
          s.once('error', reject)
          s.connect(port, '127.0.0.1', () => resolve(s))
        })
        const c = new RespClient(socket)
        if ((await c.command(['PING'])) === 'PONG') return c
      } catch {
        await new Promise((r) => setTimeout(r, 100))
      }
    }
    throw new Error('redis-server did not start')
  }

  set(key: string, value: string, opts: { nx: true; ex: number }): Promise<unknown> {
    return this.command(['SET', key, value, ...(opts.nx ? ['NX'] : []), 'EX', String(opts.ex)])
  }

  command(args: string[]): Promise<string | number | null> {
    return new Promise((resolve) => {
      this.waiting = resolve
      this.socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`)
    })
  }

  close(): void {
    this.socket.destroy()
  }

  private drain(): void {
    const end = this.buffer.indexOf('\r\n')
    if (end === -1 || !this.waiting) return
    const line = this.buffer.slice(0, end)
    let value: string | number | null
    let consumed = end + 2
    if (line[0] === '+') value = line.slice(1)
    else if (line[0] === ':') value = Number(line.slice(1))
    else if (line === '$-1') value = null
    else if (line[0] === '$') {
      const len = Number(line.slice(1))
      if (this.buffer.length < consumed + len + 2) return
      value = this.buffer.slice(consumed, consumed + len)
      consumed += len + 2
    } else value = `ERR ${line}`
    this.buffer = this.buffer.slice(consumed)
    const resolve = this.waiting
    this.waiting = null
    resolve(value)
  }
}
