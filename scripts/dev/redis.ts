// Dev/test tool: starts a real redis-server on a free loopback port, in memory only, owned by this process,
// plus a minimal RESP client (the Upstash REST bridge and the tests use it; no npm Redis client is needed).
import { spawn } from 'node:child_process'
import { connect, createServer, type Socket } from 'node:net'

export interface RedisServer {
  readonly port: number
  stop(): Promise<void>
}

const READY_TIMEOUT_MS = 10_000 // redis-server starts in milliseconds; 10 s means something is wrong

/** A free TCP port on 127.0.0.1 (asks the kernel, then releases it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

export async function startRedis(options: { port?: number; binary?: string } = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort())
  const binary = options.binary ?? process.env.REDIS_SERVER ?? 'redis-server'
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no']
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  await new Promise<void>((resolve, reject) => {
    let output = ''
    const timer = setTimeout(
      () => fail(new Error(`redis-server did not start within ${READY_TIMEOUT_MS} ms`)),
      READY_TIMEOUT_MS,
    )
    const fail = (error: Error) => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(error)
    }
    child.once('error', (error: NodeJS.ErrnoException) =>
      fail(
        error.code === 'ENOENT'
          ? new Error('redis-server is not installed: run `apt-get install -y redis-server` (CI installs it)')
          : error,
      ),
    )
    const onEarlyExit = (code: number | null) =>
      fail(new Error(`redis-server exited with ${code}: ${output.slice(-500)}`))
    child.once('exit', onEarlyExit)
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer)
        child.off('exit', onEarlyExit)
        resolve()
      }
    })
  })
  return {
    port,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      await exited
    },
  }
}

export type RespValue = string | number | null | RespError | RespValue[]
export class RespError {
  constructor(readonly message: string) {}
}

/** Parses one RESP2 value at `offset`; returns it with the next offset, or null when more bytes are needed. */
function parseResp(buf: Buffer, offset: number): [RespValue, number] | null {
  const lineEnd = buf.indexOf('\r\n', offset)
  if (lineEnd < 0) return null
  const type = String.fromCharCode(buf[offset]!)
  const line = buf.toString('utf8', offset + 1, lineEnd)
  const next = lineEnd + 2
  if (type === '+') return [line, next]
  if (type === '-') return [new RespError(line), next]
  if (type === ':') return [Number(line), next]
  if (type === '$') {
    const len = Number(line)
    if (len < 0) return [null, next]
    if (buf.length < next + len + 2) return null
    return [buf.toString('utf8', next, next + len), next + len + 2]
  }
  if (type === '*') {
    const len = Number(line)
    if (len < 0) return [null, next]
    const items: RespValue[] = []
    let at = next
    for (let i = 0; i < len; i++) {
      const parsed = parseResp(buf, at)
      if (parsed === null) return null
      items.push(parsed[0])
      at = parsed[1]
    }
    return [items, at]
  }
  throw new Error(`unexpected RESP type ${JSON.stringify(type)}`)
}

function encodeCommand(args: readonly (string | number)[]): string {
  let out = `*${args.length}\r\n`
  for (const arg of args) {
    const s = String(arg)
    out += `$${Buffer.byteLength(s)}\r\n${s}\r\n`
  }
  return out
}

/** One pipelined connection: commands written together are answered in order, never interleaved. */
export class RespClient {
  readonly #socket: Socket
  #buffer: Buffer = Buffer.alloc(0)
  readonly #waiting: { resolve: (v: RespValue) => void; reject: (e: Error) => void }[] = []
  #closed: Error | null = null

  private constructor(socket: Socket) {
    this.#socket = socket
    socket.on('data', (chunk: Buffer) => this.#onData(chunk))
    const close = (error: Error) => {
      this.#closed = error
      for (const w of this.#waiting.splice(0)) w.reject(error)
    }
    socket.on('error', close)
    socket.on('close', () => close(new Error('redis connection closed')))
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host }, () => {
        socket.off('error', reject)
        socket.setNoDelay(true)
        resolve(new RespClient(socket))
      })
      socket.once('error', reject)
    })
  }

  /** Sends all commands in one write; resolves with their replies in order. */
  send(commands: readonly (readonly (string | number)[])[]): Promise<RespValue[]> {
    if (this.#closed) return Promise.reject(this.#closed)
    const replies = commands.map(
      () => new Promise<RespValue>((resolve, reject) => this.#waiting.push({ resolve, reject })),
    )
    this.#socket.write(commands.map(encodeCommand).join(''))
    return Promise.all(replies)
  }

  get closed(): boolean {
    return this.#closed !== null
  }

  close(): void {
    this.#socket.destroy()
  }

  #onData(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk])
    let offset = 0
    for (;;) {
      const parsed = parseResp(this.#buffer, offset)
      if (parsed === null) break
      offset = parsed[1]
      this.#waiting.shift()?.resolve(parsed[0])
    }
    this.#buffer = this.#buffer.subarray(offset)
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const redis = await startRedis()
  console.log(`redis-server on 127.0.0.1:${redis.port} (Ctrl-C stops it)`)
  const stop = () => void redis.stop().then(() => process.exit(0))
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
