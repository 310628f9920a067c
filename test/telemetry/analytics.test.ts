// Workers Analytics Engine through workerd: the real gateway (wrapped only to read its DECISIONS points back)
// answers two allowed (one streamed), a screened-out and an unauthenticated request; the points must follow the
// layout in workers/gateway/trace/analytics.ts, and the SQL examples in docs/telemetry.md must answer the
// operator's questions over exactly those points, loaded into an in-memory Postgres (PGlite).
import { readFileSync } from 'node:fs'
import { PGlite } from '@electric-sql/pglite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Stack, startStack } from '../../scripts/dev/stack.ts'
import { SURE_ATTACK } from '../../shared/screen/testing.ts'
import { AE_BLOBS, AE_DOUBLES, AE_INDEX, OUTCOME_OK } from '../../workers/gateway/trace/analytics.ts'
import type { RecordedPoint } from './recording-worker.ts'
import { aeToPostgres, loadPoints, sqlExamples } from './sql.ts'

let stack: Stack
let points: RecordedPoint[] = []
let all: RecordedPoint[] = []
let blockedHeaders: Headers
const DOC = readFileSync(new URL('../../docs/telemetry.md', import.meta.url), 'utf8')

const chat = (content: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model: 'dev-model', messages: [{ role: 'user', content }], ...extra })

async function send(body: string, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' }
  if (token !== null) headers.authorization = `Bearer ${token}`
  const res = await fetch(`${stack.gatewayUrl}/v1/chat/completions`, { method: 'POST', headers, body })
  await res.text() // the point is written when the body has ended
  return res
}

beforeAll(async () => {
  stack = await startStack({ quiet: true, gatewayEntry: 'test/telemetry/recording-worker.ts' })
  const alice = await stack.mint({ sub: 'alice' })
  const bob = await stack.mint({ sub: 'bob' })
  expect((await send(chat('Say hello'), alice)).status).toBe(200)
  expect((await send(chat('Say hello', { stream: true }), bob)).status).toBe(200)
  const blocked = await send(chat(SURE_ATTACK), alice)
  expect(blocked.headers.get('x-portcullis-code')).toBe('screen.injection')
  blockedHeaders = blocked.headers
  expect((await send(chat('Say hello'), null)).headers.get('x-portcullis-code')).toBe('auth.missing_token')
  all = (await (await fetch(`${stack.gatewayUrl}/__points`)).json()) as RecordedPoint[]
  // The dev model tier fetches the gateway's /.well-known/jwks.json to verify Txn-Tokens: a point too, no tenant.
  points = all.filter((p) => p.blobs?.[AE_BLOBS.indexOf('endpoint')] === 'chat')
})

afterAll(async () => {
  await stack?.stop()
})

const named = (p: RecordedPoint) => ({
  blobs: Object.fromEntries(AE_BLOBS.map((b, i) => [b, p.blobs?.[i]])),
  doubles: Object.fromEntries(AE_DOUBLES.map((d, i) => [d, p.doubles?.[i]])),
  index: p.indexes?.[0],
})

describe('Analytics Engine points written by the gateway in workerd', () => {
  it('one point per request, in the documented layout', () => {
    expect(points).toHaveLength(4)
    for (const p of all) {
      expect(p.blobs).toHaveLength(AE_BLOBS.length)
      expect(p.doubles).toHaveLength(AE_DOUBLES.length)
      expect(p.indexes).toEqual([named(p).blobs[AE_INDEX]])
    }
  })

  it('carries tenant, subject hash, model, outcome, tokens and latencies — never the subject or the prompt', () => {
    const [allowed, streamed, blocked, anonymous] = points.map(named)
    expect(allowed?.blobs).toMatchObject({
      tenant: 'default',
      model: 'dev-model',
      endpoint: 'chat',
      outcome: OUTCOME_OK,
    })
    expect(allowed?.blobs.subject_hash).toMatch(/^[0-9a-f]{32}$/)
    expect(streamed?.blobs.subject_hash).not.toBe(allowed?.blobs.subject_hash)
    expect(blocked?.blobs.subject_hash).toBe(allowed?.blobs.subject_hash)
    expect(allowed?.doubles.status).toBe(200)
    expect(allowed?.doubles.input_tokens).toBeGreaterThan(0)
    expect(allowed?.doubles.output_tokens).toBeGreaterThan(0)
    expect(streamed?.doubles.output_tokens).toBeGreaterThan(0) // usage read from the final SSE chunk
    expect(allowed?.doubles.upstream_ms).toBeGreaterThan(0)
    expect(blocked?.blobs).toMatchObject({ outcome: 'screen.injection', screen_verdict: 'block' })
    expect(blocked?.doubles.screen_score).toBeGreaterThan(0.5)
    expect(blocked?.doubles.upstream_ms).toBe(0)
    expect(anonymous?.blobs).toMatchObject({ tenant: 'default', subject_hash: '', outcome: 'auth.missing_token' })
    const text = JSON.stringify(points)
    expect(text).not.toContain('alice')
    expect(text).not.toContain('Ignore all previous')
  })
})

describe('on the wire', () => {
  it('a refusal carries traceparent, our x-request-id and Server-Timing with stage names and durations only', () => {
    expect(blockedHeaders.get('traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
    expect(blockedHeaders.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/)
    const entries = (blockedHeaders.get('server-timing') ?? '').split(', ')
    const names = entries.map((e) => /^([a-z]+);dur=\d+(\.\d+)?$/.exec(e)?.[1] ?? `malformed: ${e}`)
    expect(names).toEqual(['ingress', 'ipshield', 'auth', 'authz', 'limit', 'screen', 'total'])
  })
})

describe('docs/telemetry.md SQL examples over the recorded points (PGlite)', () => {
  it('has the three documented questions, each in Analytics Engine SQL', () => {
    expect(sqlExamples(DOC).map((e) => e.name)).toEqual([
      'refusals by code per tenant per hour',
      'p99 added latency',
      'tokens per subject',
    ])
  })

  it('answers them over exactly what the gateway wrote', async () => {
    const db = new PGlite()
    await loadPoints(db, all)
    const [refusals, latency, tokens] = await Promise.all(
      sqlExamples(DOC).map(async (e) => (await db.query<Record<string, unknown>>(aeToPostgres(e.sql))).rows),
    )
    expect(refusals?.map((r) => [r.tenant, r.code, Number(r.refusals)])).toEqual([
      ['default', 'auth.missing_token', 1],
      ['default', 'screen.injection', 1],
    ])
    const tenantRow = latency?.find((r) => r.tenant === 'default')
    expect(Number(tenantRow?.p99_added_ms)).toBeGreaterThanOrEqual(0)
    expect(Number(tenantRow?.requests)).toBe(4)
    const [a, b] = points.map(named)
    const bySubject = new Map(tokens?.map((r) => [r.subject_hash, Number(r.output_tokens)]))
    expect(bySubject.get(a?.blobs.subject_hash)).toBe(a?.doubles.output_tokens)
    expect(bySubject.get(b?.blobs.subject_hash)).toBe(b?.doubles.output_tokens)
    // For the closing note: what each documented query answered over this run's points.
    console.info(JSON.stringify({ refusals, latency, tokens }))
    await db.close()
  }, 120_000) // PGlite's WebAssembly start-up takes ~20 s on a busy 2-core VM
})
