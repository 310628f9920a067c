// Limits through the local stack, on both backends: the embedded Durable Object and Upstash (the local REST
// bridge in front of a real redis-server). A caller who exceeds requests or tokens gets 429 with the right code
// and headers; reservation and reconciliation are visible in the headers and the context token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Stack, startStack } from '../../scripts/dev/stack.ts'

describe.each([
  { backend: 'durable-object', redis: false },
  { backend: 'upstash', redis: true },
])('limits on $backend', ({ backend, redis }) => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack({ quiet: true, redis })
  })
  afterAll(async () => {
    await stack?.stop()
  })

  const chat = async (token: string, content = 'hi', extra: Record<string, unknown> = {}) =>
    fetch(`${stack.gatewayUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'dev-model', messages: [{ role: 'user', content }], max_tokens: 4, ...extra }),
    })

  it('the 31st request in a minute is refused with limit.requests, Retry-After and RateLimit headers', async () => {
    // The sliding window weights the previous minute across a boundary; start well inside a minute so all 31
    // requests share one (both backends use the real clock here).
    const intoMinute = Date.now() % 60_000
    if (intoMinute > 50_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute))
    const token = await stack.mint({ sub: `req-${backend}` })
    const statuses: number[] = []
    let last: Response | null = null
    for (let i = 0; i < 31; i++) {
      last = await chat(token)
      statuses.push(last.status)
      if (i < 30) await last.arrayBuffer()
    }
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true)
    const refused = last as Response
    expect(refused.status).toBe(429)
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('limit.requests')
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(refused.headers.get('ratelimit-policy')).toContain('"requests-subject-60s";q=30;w=60')
    expect(refused.headers.get('ratelimit')).toMatch(/"requests-subject-60s";r=0;t=\d+/)
  })

  it('a prompt larger than the token budget is refused with limit.tokens', async () => {
    const token = await stack.mint({ sub: `tok-${backend}` })
    const res = await chat(token, 'word '.repeat(150_000))
    expect(res.status).toBe(429)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('limit.tokens')
  })

  it('reserves before forwarding and reports the budget in the headers and the context token', async () => {
    const token = await stack.mint({ sub: `rec-${backend}` })
    const res = await chat(token, 'hello there')
    expect(res.status).toBe(200)
    expect(res.headers.get('ratelimit')).toMatch(/"tokens-subject-60s";r=\d+;t=\d+/)
    const body = (await res.json()) as { received: { edge: { claims: { tctx: { limit: Record<string, unknown> } } } } }
    const limit = body.received.edge.claims.tctx.limit
    expect(limit).toMatchObject({ checked: true, backend })
    expect(limit.reserved_tokens).toBeGreaterThan(4)
    // The smallest remaining request count: the subject's 29 or the shared loopback IP's window, whichever is lower.
    expect(limit.remaining_requests).toBeLessThanOrEqual(29)
  })
})
