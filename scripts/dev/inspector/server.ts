// The inspector's HTTP server, part of the local dev stack only (never the Worker bundle): the page, the live
// feed (SSE), one request's detail, the charts, and — with --inspect-prompts — a recording proxy in front of the
// gateway. The proxy stamps its own x-request-id on each request; the gateway logs it as clientRequestId, which
// is how a prompt is matched to its decision without the gateway ever logging text. Loopback only.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { CompiledPolicy } from '../../../shared/policy/schema.ts'
import { refusalsSvg, stageLatencySvg } from './charts.ts'
import { detailOf } from './detail.ts'
import { inspectorPage } from './page.ts'
import { type Filters, type InspectedRecord, InspectorStore, outcomeOf } from './store.ts'

export const DEFAULT_INSPECTOR_PORT = 8790
// Per-connection and wire-encoding headers the proxy must not copy between its two connections.
const HOP_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'accept-encoding',
  'content-encoding',
  'transfer-encoding',
  'keep-alive',
])
const MAX_PROXIED_BODY = 8 * 1024 * 1024 // the gateway's own cap is lower; this only bounds the copy kept here
const HEARTBEAT_MS = 15_000 // keeps the SSE connection through idle proxies and lets the page notice a restart

export interface InspectorOptions {
  readonly gatewayUrl: string
  readonly port?: number
  /** Record prompt text through the recording proxy at /proxy (the developer's explicit opt-in). */
  readonly inspectPrompts?: boolean
  readonly store?: InspectorStore
  readonly now?: () => number
  /** The compiled policies the gateway runs, so a trace can show the thresholds a score was compared with. */
  readonly tenants?: readonly CompiledPolicy[]
}

export interface Inspector {
  readonly url: string
  /** The recording proxy's base URL (`…/proxy`), or null without --inspect-prompts. */
  readonly proxyUrl: string | null
  readonly store: InspectorStore
  stop(): Promise<void>
}

/** What a table row needs: identifiers, codes and numbers from the decision line. */
export function summary(r: InspectedRecord) {
  const d = r.decision
  const edge = Object.entries(d.stages as Record<string, number>)
    .filter(([s]) => s !== 'upstream')
    .reduce((a, [, v]) => a + v, 0)
  return {
    seq: r.seq,
    time: new Date(r.receivedAt).toISOString().slice(11, 23),
    level: d.level,
    tenant: d.tenant,
    sub: d.sub,
    endpoint: d.endpoint,
    model: d['gen_ai.request.model'],
    status: d['http.response.status_code'],
    outcome: outcomeOf(r),
    verdict: d['gen_ai.security.action.type'],
    score: d['gen_ai.security.risk.score'] === null ? null : d['gen_ai.security.risk.score'].toFixed(3),
    addedMs: edge.toFixed(2),
    upstreamMs: d.upstream?.latencyMs ?? null,
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' })
  res.end(body)
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).byteLength
    if (size > MAX_PROXIED_BODY) throw new RangeError('body too large for the inspector proxy')
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

export async function startInspector(opts: InspectorOptions): Promise<Inspector> {
  const now = opts.now ?? Date.now
  const store = opts.store ?? new InspectorStore(now)
  const streams = new Set<ServerResponse>()
  let proxied = 0
  let proxyUrl: string | null = null
  const charts = () =>
    `<div class="top"><div><h2>Median decision time per stage (last 5 min)</h2>${stageLatencySvg(store.list(), now())}</div>` +
    `<div><h2>Refusals by code per minute (last 10 min)</h2>${refusalsSvg(store.list(), now())}</div></div>`
  const unsubscribe = store.subscribe((r) => {
    const frame = `data: ${JSON.stringify(summary(r))}\n\n`
    for (const s of streams) s.write(frame)
  })

  async function proxy(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBody(req)
    const id = `inspect-${Date.now().toString(36)}-${++proxied}`
    if (body !== undefined) {
      try {
        store.promptSeen(id, JSON.parse(body.toString('utf8')))
      } catch {
        // not JSON: the gateway will refuse it; nothing to show
      }
    }
    const headers = new Headers()
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === 'string' && !HOP_HEADERS.has(k)) headers.set(k, v)
    }
    headers.set('x-request-id', id)
    const upstream = await fetch(`${opts.gatewayUrl}${path}`, { method: req.method, headers, body })
    // fetch already decoded the body: pass the headers on without the encoding and length of the wire form.
    const out = Object.fromEntries([...upstream.headers].filter(([k]) => !HOP_HEADERS.has(k)))
    res.writeHead(upstream.status, out)
    if (upstream.body) for await (const chunk of upstream.body) res.write(chunk)
    res.end()
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://inspector')
    const route = url.pathname
    void (async () => {
      if (opts.inspectPrompts && route.startsWith('/proxy/'))
        return proxy(req, res, route.slice('/proxy'.length) + url.search)
      if (req.method !== 'GET') return send(res, 405, 'text/plain', 'method not allowed')
      if (route === '/')
        return send(
          res,
          200,
          'text/html; charset=utf-8',
          inspectorPage({ gatewayUrl: opts.gatewayUrl, proxyUrl, charts: charts() }),
        )
      if (route === '/charts') return send(res, 200, 'text/html; charset=utf-8', charts())
      if (route === '/events') {
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-store',
          connection: 'keep-alive',
        })
        res.write(': connected\n\n')
        streams.add(res)
        const beat = setInterval(() => res.write(': heartbeat\n\n'), HEARTBEAT_MS)
        req.on('close', () => {
          clearInterval(beat)
          streams.delete(res)
        })
        return
      }
      if (route === '/api/decisions') {
        const f: Filters = Object.fromEntries(
          [...url.searchParams].filter(([k]) => ['tenant', 'subject', 'code', 'verdict'].includes(k)),
        )
        return send(res, 200, 'application/json', JSON.stringify(store.list(f).map(summary)))
      }
      const m = /^\/api\/decisions\/(\d+)$/.exec(route)
      if (m) {
        const r = store.get(Number(m[1]))
        return r
          ? send(res, 200, 'application/json', JSON.stringify(detailOf(r, opts.tenants)))
          : send(res, 404, 'text/plain', 'no such record')
      }
      return send(res, 404, 'text/plain', 'not found')
    })().catch((err: unknown) => {
      if (!res.headersSent) send(res, 502, 'text/plain', `inspector: ${err instanceof Error ? err.name : 'error'}`)
      else res.end()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? DEFAULT_INSPECTOR_PORT, '127.0.0.1', () => resolve())
  })
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  proxyUrl = opts.inspectPrompts ? `${url}/proxy` : null
  return {
    url,
    proxyUrl,
    store,
    stop: async () => {
      unsubscribe()
      for (const s of streams) s.end()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
