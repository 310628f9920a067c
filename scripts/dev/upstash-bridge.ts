// Dev/test tool (never part of the Worker): serves the Upstash Redis REST protocol in front of a real
// redis-server, so @upstash/redis and @upstash/ratelimit run unmodified against local Redis. Speaks POST / (one
// command), /pipeline and /multi-exec, bearer auth, Upstash-Encoding: base64 and the {result}/{error} shapes.
// Redis 7 rejects the Upstash-only `#!lua flags=allow-key-locking` shebang, so EVAL bodies are rewritten and the
// library's fixed EVALSHA hashes are mapped to the rewritten scripts' hashes.
import { createHash, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { RespClient, RespError, type RespValue, startRedis } from './redis.ts'

export type BridgeFault = { mode: 'none' } | { mode: 'error' } | { mode: 'slow'; delayMs: number }

export interface UpstashBridge {
  readonly url: string
  readonly token: string
  stop(): Promise<void>
  /** Tests: make every request fail with a 500 error body, or answer late. */
  setFault(fault: BridgeFault): void
}

const MAX_BODY_BYTES = 1024 * 1024 // the Upstash REST API caps requests too; the limiter sends a few hundred bytes
const REDIS_SCRIPT_FLAGS = new Set(['no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys'])

const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex')

/** Drops shebang flags Redis does not know; a shebang left without flags is removed (legacy EVAL semantics). */
export function rewriteScript(script: string): string {
  const m = /^#!lua(?: flags=([^\n]*))?\n/.exec(script)
  if (m === null) return script
  const flags = (m[1] ?? '').split(',').filter((f) => REDIS_SCRIPT_FLAGS.has(f.trim()))
  return `${flags.length > 0 ? `#!lua flags=${flags.join(',')}` : ''}\n${script.slice(m[0].length)}`
}

type Command = [string, ...(string | number)[]]

function isCommand(value: unknown): value is Command {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    typeof value[0] === 'string' &&
    value.every((v) => typeof v === 'string' || typeof v === 'number')
  )
}

/** Upstash base64 encoding: every string in the result is base64 (UTF-8); numbers and null as they are. */
function encodeResult(value: RespValue, base64: boolean): unknown {
  if (value instanceof RespError) return value.message
  if (Array.isArray(value)) return value.map((v) => encodeResult(v, base64))
  if (typeof value === 'string' && base64 && value !== 'OK') return Buffer.from(value, 'utf8').toString('base64')
  return value
}

function toEntry(value: RespValue, base64: boolean): { result: unknown } | { error: string } {
  if (value instanceof RespError) return { error: value.message }
  return { result: encodeResult(value, base64) }
}

export async function startUpstashBridge(options: {
  redisPort: number
  token: string
  port?: number
}): Promise<UpstashBridge> {
  const redis = await RespClient.connect(options.redisPort)
  const shaMap = new Map<string, string>() // library's sha1(original) -> sha1(rewritten) loaded in Redis
  let fault: BridgeFault = { mode: 'none' }
  const expected = Buffer.from(`Bearer ${options.token}`)

  /** Rewrites EVAL/EVALSHA/SCRIPT LOAD for the shebang flags; other commands pass as they are. */
  const translate = (command: Command): Command => {
    const name = String(command[0]).toLowerCase()
    if ((name === 'eval' || name === 'eval_ro') && typeof command[1] === 'string') {
      const rewritten = rewriteScript(command[1])
      shaMap.set(sha1(command[1]), sha1(rewritten))
      return [command[0], rewritten, ...command.slice(2)]
    }
    if ((name === 'evalsha' || name === 'evalsha_ro') && typeof command[1] === 'string') {
      return [command[0], shaMap.get(command[1].toLowerCase()) ?? command[1], ...command.slice(2)]
    }
    if (name === 'script' && String(command[1]).toLowerCase() === 'load' && typeof command[2] === 'string') {
      const rewritten = rewriteScript(command[2])
      shaMap.set(sha1(command[2]), sha1(rewritten))
      return [command[0], String(command[1]), rewritten]
    }
    return command
  }

  const readBody = async (req: IncomingMessage): Promise<unknown> => {
    const chunks: Buffer[] = []
    let size = 0
    for await (const chunk of req) {
      size += (chunk as Buffer).length
      if (size > MAX_BODY_BYTES) throw new RespError('ERR max request size exceeded')
      chunks.push(chunk as Buffer)
    }
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  }

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const auth = Buffer.from(req.headers.authorization ?? '')
    if (auth.length !== expected.length || !timingSafeEqual(auth, expected)) {
      return send(res, 401, { error: 'Unauthorized' })
    }
    if (fault.mode === 'slow') await new Promise((r) => setTimeout(r, (fault as { delayMs: number }).delayMs))
    if (fault.mode === 'error') return send(res, 500, { error: 'ERR injected fault' })
    if (req.method !== 'POST') return send(res, 405, { error: 'ERR only POST is supported' })
    const base64 = String(req.headers['upstash-encoding'] ?? '').toLowerCase() === 'base64'
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '')
    let body: unknown
    try {
      body = await readBody(req)
    } catch {
      return send(res, 400, { error: 'ERR failed to parse command' })
    }
    if (path === '') {
      if (!isCommand(body)) return send(res, 400, { error: 'ERR failed to parse command' })
      const [reply] = await redis.send([translate(body)])
      const entry = toEntry(reply ?? null, base64)
      return send(res, 'error' in entry ? 400 : 200, entry)
    }
    if (path === '/pipeline' || path === '/multi-exec') {
      if (!Array.isArray(body) || body.length === 0 || !body.every(isCommand)) {
        return send(res, 400, { error: 'ERR failed to parse pipeline request' })
      }
      const commands = body.map(translate)
      if (path === '/pipeline') {
        const replies = await redis.send(commands)
        return send(
          res,
          200,
          replies.map((r) => toEntry(r, base64)),
        )
      }
      const replies = await redis.send([['MULTI'], ...commands, ['EXEC']])
      const exec = replies[replies.length - 1]
      if (!Array.isArray(exec)) {
        const queued = replies.find((r) => r instanceof RespError)
        const message = exec instanceof RespError ? exec.message : 'EXECABORT Transaction discarded'
        return send(res, 400, { error: queued instanceof RespError ? queued.message : message })
      }
      return send(
        res,
        200,
        exec.map((r) => toEntry(r, base64)),
      )
    }
    return send(res, 404, { error: 'ERR unknown endpoint' })
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { error: `ERR ${error instanceof Error ? error.message : 'bridge error'}` })
    })
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address !== null ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}`,
    token: options.token,
    setFault(next) {
      fault = next
    },
    async stop() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      redis.close()
    },
  }
}

// CLI: `tsx scripts/dev/upstash-bridge.ts [--port N] [--redis-port N]` starts redis-server (unless --redis-port)
// and the bridge, and prints the two variables the Worker reads.
if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name: string) => {
    const i = process.argv.indexOf(name)
    return i > 0 ? Number(process.argv[i + 1]) : undefined
  }
  const external = arg('--redis-port')
  const redis = external === undefined ? await startRedis() : null
  const token =
    process.env.UPSTASH_REDIS_REST_TOKEN ??
    `dev-${createHash('sha256').update(String(Math.random())).digest('hex').slice(0, 24)}`
  const port = arg('--port')
  const bridge = await startUpstashBridge({
    redisPort: external ?? redis!.port,
    token,
    ...(port === undefined ? {} : { port }),
  })
  console.log(`UPSTASH_REDIS_REST_URL=${bridge.url}`)
  console.log(`UPSTASH_REDIS_REST_TOKEN=${bridge.token}`)
  const stop = () => void Promise.all([bridge.stop(), redis?.stop()]).then(() => process.exit(0))
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}
