// The inspector's joins and filters without a browser: decision lines become rows, Txn-Token reports and proxied
// prompts join them in either arrival order, unrelated output is ignored, and memory stays bounded.
import { describe, expect, it } from 'vitest'
import { refusalsSvg, stageLatencySvg } from './charts.ts'
import { markedTexts, traceRows } from './detail.ts'
import { InspectorStore, MAX_RECORDS } from './store.ts'

const NOW = 1_800_000_000_000 // fixed instant: the charts' windows never read the real clock

function line(over: Record<string, unknown> = {}): string {
  return JSON.stringify({
    level: 'info',
    msg: 'request',
    requestId: 'a'.repeat(32),
    clientRequestId: null,
    tenant: 'default',
    sub: 'alice',
    endpoint: 'chat',
    'error.type': null,
    'http.response.status_code': 200,
    'gen_ai.security.action.type': 'allow',
    stages: { ingress: 1, auth: 2, screen: 3, upstream: 9 },
    screen: null,
    upstream: null,
    ...over,
  })
}

describe('InspectorStore', () => {
  it('keeps decision lines only, and joins the Txn-Token whether it arrives before or after', () => {
    const store = new InspectorStore(() => NOW)
    expect(store.gatewayLine('[wrangler:info] POST /v1/chat/completions 200 OK')).toBeNull()
    expect(store.gatewayLine('{"level":"error","msg":"unhandled"}')).toBeNull()
    store.modelLine(JSON.stringify({ msg: 'dev-model.edge', requestId: 'a'.repeat(32), claims: { sub: 'alice' } }))
    const first = store.gatewayLine(line())
    expect(first?.claims).toEqual({ sub: 'alice' })
    const second = store.gatewayLine(line({ requestId: 'b'.repeat(32) }))
    store.modelLine(JSON.stringify({ msg: 'dev-model.edge', requestId: 'b'.repeat(32), claims: { sub: 'bob' } }))
    expect(store.get(second?.seq ?? -1)?.claims).toEqual({ sub: 'bob' })
  })

  it('filters by tenant, subject, code and verdict', () => {
    const store = new InspectorStore(() => NOW)
    store.gatewayLine(line())
    store.gatewayLine(line({ sub: 'bob', 'error.type': 'screen.injection', 'gen_ai.security.action.type': 'block' }))
    store.gatewayLine(line({ tenant: 'acme', sub: null, 'error.type': 'auth.missing_token' }))
    const subs = (f: Parameters<InspectorStore['list']>[0]) => store.list(f).map((r) => r.decision.sub)
    expect(subs({ tenant: 'default' })).toEqual(['alice', 'bob'])
    expect(subs({ subject: 'bob' })).toEqual(['bob'])
    expect(subs({ code: 'ok' })).toEqual(['alice'])
    expect(subs({ code: 'auth.missing_token' })).toEqual([null])
    expect(subs({ verdict: 'block' })).toEqual(['bob'])
    expect(store.facets().code).toEqual(['auth.missing_token', 'ok', 'screen.injection'])
  })

  it(`keeps the last ${MAX_RECORDS} decisions`, () => {
    const store = new InspectorStore(() => NOW)
    for (let i = 0; i < MAX_RECORDS + 5; i++) store.gatewayLine(line())
    expect(store.list()).toHaveLength(MAX_RECORDS)
    expect(store.list()[0]?.seq).toBe(6)
  })

  it('marks screen spans in the proxied prompt, and has no text without one', () => {
    const store = new InspectorStore(() => NOW)
    store.promptSeen('inspect-1', { messages: [{ role: 'user', content: 'mail me at a@b.example now' }] })
    const spans = [{ start: 11, end: 22, detection: 'email', score: 0.9, path: 'messages.0.content' }]
    const screen = { verdict: 'redact', enforced: true, score: 0.9, categories: ['pii'], rules: ['pii.email'], spans }
    const r = store.gatewayLine(line({ clientRequestId: 'inspect-1', screen }))
    expect(markedTexts(r as never)?.[0]?.segments).toEqual([
      { text: 'mail me at ', detection: null },
      { text: 'a@b.example', detection: 'email' },
      { text: ' now', detection: null },
    ])
    expect(markedTexts(store.gatewayLine(line({ screen })) as never)).toBeNull()
  })

  it('traces a refusal to its stage and nothing after it', () => {
    const store = new InspectorStore(() => NOW)
    const r = store.gatewayLine(
      line({ 'error.type': 'screen.injection', stages: { ingress: 1, auth: 1, authz: 0, limit: 2, screen: 1 } }),
    )
    const rows = traceRows(r as never).map((t) => [t.stage, t.action])
    expect(rows).toEqual([
      ['ingress', 'pass'],
      ['authenticate', 'pass'],
      ['authorize', 'pass'],
      ['limit', 'pass'],
      ['screen', 'REFUSE'],
      ['sign', 'not reached'],
      ['forward', 'not reached'],
    ])
  })
})

describe('charts', () => {
  it('count refusals by code in the minute they arrived, and show stage medians', () => {
    const store = new InspectorStore(() => NOW)
    store.gatewayLine(line({ 'error.type': 'screen.injection' }))
    store.gatewayLine(line({ 'error.type': 'screen.injection' }))
    store.gatewayLine(line({ 'error.type': 'limit.tokens' }))
    store.gatewayLine(line())
    const svg = refusalsSvg(store.list(), NOW)
    expect(svg).toContain('data-code="screen.injection" data-count="2"')
    expect(svg).toContain('data-code="limit.tokens" data-count="1"')
    expect(svg).not.toContain('data-code="ok"')
    expect(stageLatencySvg(store.list(), NOW)).toContain('>screen</text>')
    expect(stageLatencySvg(store.list(), NOW)).toContain('3.00 ms')
  })
})
