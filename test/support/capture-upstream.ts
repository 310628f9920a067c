// A model tier on loopback that records exactly what the gateway forwarded and answers the way a test asks: the
// request body's `capture_mode` field (passed through by the gateway as an unknown field) picks a faulty answer —
// huge, a gzip bomb, JSON cut mid-body, a stall after the headers. Real HTTP, so the gateway's fetch is real.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'

export interface Captured {
  readonly path: string
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

export interface CaptureUpstream {
  readonly url: string
  readonly captured: Captured[]
  stop(): Promise<void>
}

const USAGE = { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 }
const OK_CHAT = JSON.stringify({
  id: 'cap',
  object: 'chat.completion',
  model: 'm',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
  usage: USAGE,
})

function modeOf(body: string): string | null {
  try {
    const v = (JSON.parse(body) as { capture_mode?: unknown }).capture_mode
    return typeof v === 'string' ? v : null
  } catch {
    return null
  }
}

export async function startCaptureUpstream(): Promise<CaptureUpstream> {
  const captured: Captured[] = []
  const open = new Set<import('node:http').ServerResponse>()
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      captured.push({ path: req.url ?? '', headers: req.headers, body })
      const mode = modeOf(body)
      if (mode === 'huge') {
        // 20 MiB of valid JSON, past the default 16 MiB response cap.
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ ...JSON.parse(OK_CHAT), pad: 'x'.repeat(20 * 1024 * 1024) }))
      } else if (mode === 'gzip-bomb') {
        // A few tens of KB on the wire that inflate to 64 MiB.
        const bomb = gzipSync(Buffer.from(`{"pad":"${'0'.repeat(64 * 1024 * 1024)}"}`))
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
        res.end(bomb)
      } else if (mode === 'truncated') {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(OK_CHAT.slice(0, OK_CHAT.length - 20))
      } else if (mode === 'stall') {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.write(OK_CHAT.slice(0, 10))
        open.add(res) // never finished; closed at stop()
      } else {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(OK_CHAT)
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    captured,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const res of open) res.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
