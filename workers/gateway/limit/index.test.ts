import { describe, expect, it } from 'vitest'
import type { LimiterBackend } from '../../../shared/limit/backend.ts'
import { createMemoryBackend } from '../../../shared/limit/memory.ts'
import { limitHarness, limitPolicy, NOW_MS } from './testing.ts'

const ONLY = { requests: { subject: [], tenant: [], ip: [] }, tokens: { subject: [], tenant: [] } }
const clock = () => NOW_MS
const PROMPT = 9 // estimate for one user message "hello world": 3 priming + 4 framing + 2 words

describe('limit stage: requests', () => {
  it('admits up to the limit, then 429 limit.requests with Retry-After and RateLimit fields', async () => {
    const policy = limitPolicy({ ...ONLY, requests: { ...ONLY.requests, subject: [{ limit: 2, windowSeconds: 60 }] } })
    const h = limitHarness({ compiled: policy, backend: createMemoryBackend({ now: clock }) })
    const ok = await h.call()
    expect(ok.status).toBe(200)
    expect(ok.headers.get('RateLimit-Policy')).toBe('"requests-subject-60s";q=2;w=60')
    expect(ok.headers.get('RateLimit')).toBe('"requests-subject-60s";r=1;t=40')
    expect((await h.call()).status).toBe(200)
    const refused = await h.call()
    expect(refused.status).toBe(429)
    expect(((await refused.json()) as { error: { code: string; type: string } }).error).toMatchObject({
      code: 'limit.requests',
      type: 'rate_limit_error',
    })
    expect(refused.headers.get('Retry-After')).toBe('40')
    expect(refused.headers.get('RateLimit')).toBe('"requests-subject-60s";r=0;t=40')
    expect((await h.call({ sub: 'bob' })).status).toBe(200) // per subject
  })

  it.each([
    ['ip (another caller, same address)', { ...ONLY.requests, ip: [{ limit: 1, windowSeconds: 60 }] }, 'limit.ip', 'b'],
    ['tenant (another caller)', { ...ONLY.requests, tenant: [{ limit: 1, windowSeconds: 60 }] }, 'limit.requests', 'b'],
    [
      'daily cap',
      {
        ...ONLY.requests,
        subject: [
          { limit: 5, windowSeconds: 60 },
          { limit: 1, windowSeconds: 86_400 },
        ],
      },
      'limit.requests',
      'a',
    ],
  ])('%s limit refuses with its code', async (_, requests, code, second) => {
    const h = limitHarness({
      compiled: limitPolicy({ ...ONLY, requests }),
      backend: createMemoryBackend({ now: clock }),
    })
    expect((await h.call({ sub: 'a' })).status).toBe(200)
    const refused = await h.call({ sub: second })
    expect([refused.status, refused.headers.get('x-portcullis-code')]).toEqual([429, code])
  })

  it('a refusal refunds what other limits admitted', async () => {
    const backend = createMemoryBackend({ now: clock })
    const policy = limitPolicy({
      ...ONLY,
      requests: {
        ...ONLY.requests,
        subject: [{ limit: 10, windowSeconds: 60 }],
        ip: [{ limit: 1, windowSeconds: 60 }],
      },
    })
    const h = limitHarness({ compiled: policy, backend })
    await h.call()
    expect((await h.call()).status).toBe(429)
    await h.settle()
    expect(backend.counters.get('acme/subject/alice/requests/60')?.current).toBe(1)
  })

  it('shadow mode counts and records the code but does not refuse', async () => {
    const policy = limitPolicy(
      { ...ONLY, requests: { ...ONLY.requests, subject: [{ limit: 1, windowSeconds: 60 }] } },
      { mode: 'shadow' },
    )
    const h = limitHarness({ compiled: policy, backend: createMemoryBackend({ now: clock }) })
    await h.call()
    const res = await h.call()
    expect(res.status).toBe(200)
    expect(h.seen[1]?.decisions.shadowed).toEqual(['limit.requests'])
  })

  it('disabled limits add no fields and record backend none', async () => {
    const h = limitHarness({ compiled: limitPolicy({ enabled: false }), backend: null })
    const res = await h.call()
    expect([res.status, res.headers.get('RateLimit')]).toEqual([200, null])
    expect(h.seen[0]?.decisions.limit).toMatchObject({ checked: true, backend: 'none' })
  })
})

describe('limit stage: token budgets', () => {
  const tokens = (limit: number) =>
    limitPolicy({ ...ONLY, tokens: { subject: [{ limit, windowSeconds: 60 }], tenant: [] } })

  it('reserves prompt + max_tokens, reconciles against JSON usage, and shows both', async () => {
    const backend = createMemoryBackend({ now: clock })
    const h = limitHarness({ compiled: tokens(1_000), backend, maxTokens: 500, upstream: { kind: 'json', total: 40 } })
    const res = await h.call()
    expect(h.seen[0]?.decisions.limit).toMatchObject({
      checked: true,
      reservedTokens: PROMPT + 500,
      estimatedPromptTokens: PROMPT,
    })
    expect(h.seen[0]?.decisions.limit?.items[0]).toMatchObject({
      name: 'tokens-subject-60s',
      remaining: 1_000 - PROMPT - 500,
    })
    expect(res.headers.get('RateLimit')).toBe('"tokens-subject-60s";r=960;t=40') // reconciled before the headers left
    expect(((await res.json()) as { usage: { total_tokens: number } }).usage.total_tokens).toBe(40)
    await h.settle()
    expect(backend.counters.get('acme/subject/alice/tokens/60')?.current).toBe(40)
  })

  it('charges usage beyond the reservation, then refuses with limit.tokens', async () => {
    const backend = createMemoryBackend({ now: clock })
    const h = limitHarness({
      compiled: tokens(1_000),
      backend,
      maxTokens: 100,
      upstream: { kind: 'json', total: 1_200 },
    })
    expect((await h.call()).status).toBe(200)
    await h.settle()
    expect(backend.counters.get('acme/subject/alice/tokens/60')?.current).toBe(1_200)
    const refused = await h.call()
    expect([refused.status, refused.headers.get('x-portcullis-code')]).toEqual([429, 'limit.tokens'])
    expect(refused.headers.get('Retry-After')).toBe('40')
  })

  it('a request whose estimate exceeds the whole budget: x-should-retry false and both numbers', async () => {
    const h = limitHarness({ compiled: tokens(300), backend: createMemoryBackend({ now: clock }), maxTokens: 500 })
    const res = await h.call()
    expect([res.status, res.headers.get('x-portcullis-code')]).toEqual([429, 'limit.tokens'])
    expect(res.headers.get('x-should-retry')).toBe('false')
    expect(res.headers.get('Retry-After')).toBeNull()
    const body = (await res.json()) as { error: { code: string; message: string } }
    expect(body.error.code).toBe('limit.tokens')
    expect(body.error.message).toContain(`needs an estimated ${PROMPT + 500} tokens`)
    expect(body.error.message).toContain('subject budget is 300 tokens per 60 s')
  })

  it('a budget that is only spent for now keeps Retry-After and the fixed message', async () => {
    const backend = createMemoryBackend({ now: clock })
    const h = limitHarness({ compiled: tokens(1_000), backend, maxTokens: 400, upstream: { kind: 'json', total: 900 } })
    await h.call()
    await h.settle()
    const res = await h.call()
    expect(res.headers.get('x-should-retry')).toBeNull()
    expect(res.headers.get('Retry-After')).not.toBeNull()
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe('Token budget exceeded.')
  })

  it('n choices multiply the completion reservation', async () => {
    const h = limitHarness({ compiled: tokens(10_000), backend: createMemoryBackend({ now: clock }), maxTokens: 100 })
    await h.call({ body: { model: 'm', n: 3, messages: [{ role: 'user', content: 'hello world' }] } })
    expect(h.seen[0]?.decisions.limit?.reservedTokens).toBe(PROMPT + 300)
  })

  it('an upstream error without usage refunds the whole reservation', async () => {
    const backend = createMemoryBackend({ now: clock })
    const h = limitHarness({ compiled: tokens(1_000), backend, upstream: { kind: 'json', total: null, status: 500 } })
    expect((await h.call()).status).toBe(500)
    await h.settle()
    expect(backend.counters.get('acme/subject/alice/tokens/60')?.current).toBe(0)
  })
})

describe('limit stage: limiter down (failMode)', () => {
  const down: LimiterBackend = {
    name: 'upstash',
    consume: () => Promise.reject(new Error('ECONNREFUSED')),
    adjust: () => Promise.reject(new Error('ECONNREFUSED')),
  }
  const slow: LimiterBackend = { name: 'durable-object', consume: () => new Promise(() => {}), adjust: async () => {} }

  it.each([
    ['transport error', down, 'transport'],
    ['no answer within timeoutMs', slow, 'timeout'],
    ['backend not configured', null, 'misconfigured'],
  ] as const)('%s: closed → 503 limit.unavailable; open → forwarded, checked false', async (_, backend, reason) => {
    const closed = limitHarness({ compiled: limitPolicy({ timeoutMs: 20 }), backend })
    const refused = await closed.call()
    expect([refused.status, refused.headers.get('x-portcullis-code')]).toEqual([503, 'limit.unavailable'])
    expect(closed.seen[0]?.forwarded).toBeNull()

    const open = limitHarness({ compiled: limitPolicy({ timeoutMs: 20, failMode: 'open' }), backend })
    const res = await open.call()
    expect(res.status).toBe(200)
    expect(open.seen[0]?.decisions.limit).toMatchObject({ checked: false, uncheckedReason: reason, items: [] })
    expect(res.headers.get('RateLimit-Policy')).toContain('"requests-subject-60s";q=30;w=60')
    expect(res.headers.get('RateLimit')).toBeNull()
  })

  it('shadow mode with failMode closed forwards and records limit.unavailable', async () => {
    const h = limitHarness({ compiled: limitPolicy({ timeoutMs: 20 }, { mode: 'shadow' }), backend: down })
    expect((await h.call()).status).toBe(200)
    expect(h.seen[0]?.decisions.shadowed).toEqual(['limit.unavailable'])
  })
})

describe('limit stage: quota leases', () => {
  it('a busy tenant window is answered from the isolate lease; the store is asked once per lease', async () => {
    const store = createMemoryBackend({ now: clock })
    let calls = 0
    const counting: LimiterBackend = {
      name: 'durable-object',
      consume: (checks) => {
        calls += 1
        return store.consume(checks)
      },
      adjust: (adjustments) => store.adjust(adjustments),
    }
    const requests = { ...ONLY.requests, tenant: [{ limit: 100_000, windowSeconds: 60 }] }
    const h = limitHarness({ compiled: limitPolicy({ ...ONLY, requests, tenantShards: 1 }), backend: counting })
    for (let i = 0; i < 8; i++) expect((await h.call({ sub: `s${i}` })).status).toBe(200)
    await h.settle()
    expect(calls).toBeLessThanOrEqual(2) // the first request and one background renewal
    expect(h.seen[0]?.decisions.limit?.items[0]).toMatchObject({ name: 'requests-tenant-60s', kind: 'requests' })
  })
})
