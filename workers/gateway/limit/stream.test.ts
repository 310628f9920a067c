import { describe, expect, it } from 'vitest'
import { createMemoryBackend } from '../../../shared/limit/memory.ts'
import { limitHarness, limitPolicy, NOW_MS, sseChunk, sseUsage } from './testing.ts'

const KEY = 'acme/subject/alice/tokens/60'
const PROMPT = 9
const policy = limitPolicy({
  requests: { subject: [], tenant: [], ip: [] },
  tokens: { subject: [{ limit: 10_000, windowSeconds: 60 }], tenant: [] },
})
const streamBody = (streamOptions?: Record<string, unknown>) => ({
  model: 'm',
  stream: true,
  messages: [{ role: 'user', content: 'hello world' }],
  ...(streamOptions ? { stream_options: streamOptions } : {}),
})

function setup(upstream: { total: number | null; cutAfter?: number }) {
  const backend = createMemoryBackend({ now: () => NOW_MS })
  const h = limitHarness({ compiled: policy, backend, maxTokens: 500, upstream: { kind: 'sse', ...upstream } })
  const counted = () => backend.counters.get(KEY)?.current
  return { h, counted }
}

describe('limit stage: streams', () => {
  it('asks upstream for usage, hides the usage chunk from a client that did not ask, reconciles', async () => {
    const { h, counted } = setup({ total: 42 })
    const res = await h.call({ body: streamBody() })
    expect(h.seen[0]?.forwarded?.stream_options).toEqual({ include_usage: true })
    expect(res.headers.get('content-type')).toBe('text/event-stream')
    expect(res.headers.get('RateLimit')).toBe(`"tokens-subject-60s";r=${10_000 - PROMPT - 500};t=40`)
    expect(await res.text()).toBe(`${sseChunk('Hel')}${sseChunk('lo')}data: [DONE]\n\n`)
    await h.settle()
    expect(counted()).toBe(42)
  })

  it('keeps the usage chunk and the client options when the client asked for it', async () => {
    const { h, counted } = setup({ total: 42 })
    const res = await h.call({ body: streamBody({ include_usage: true }) })
    expect(h.seen[0]?.forwarded?.stream_options).toEqual({ include_usage: true })
    expect(await res.text()).toContain(sseUsage(42))
    await h.settle()
    expect(counted()).toBe(42)
  })

  it('merges include_usage into other stream_options', async () => {
    const { h } = setup({ total: 1 })
    await (await h.call({ body: streamBody({ continuous_usage_stats: false }) })).text()
    expect(h.seen[0]?.forwarded?.stream_options).toEqual({ continuous_usage_stats: false, include_usage: true })
  })

  it('a stream cut mid-way keeps the reservation', async () => {
    const { h, counted } = setup({ total: 42, cutAfter: 1 })
    const res = await h.call({ body: streamBody() })
    await expect(res.text()).rejects.toThrow()
    await h.settle()
    expect(counted()).toBe(PROMPT + 500)
  })

  it('a client that cancels keeps the reservation', async () => {
    const { h, counted } = setup({ total: 42 })
    const res = await h.call({ body: streamBody() })
    const reader = res.body!.getReader()
    await reader.read()
    await reader.cancel()
    await h.settle()
    expect(counted()).toBe(PROMPT + 500)
  })

  it('a client that never reads keeps the reservation and does not block the stage', async () => {
    const { h, counted } = setup({ total: 42 })
    const res = await h.call({ body: streamBody() })
    expect(res.status).toBe(200)
    await Promise.resolve()
    expect(counted()).toBe(PROMPT + 500)
    expect(h.pending.length).toBe(1) // the reconciliation waits on the body, handed to waitUntil
  })

  it('a stream that completes without usage keeps the reservation', async () => {
    const { h, counted } = setup({ total: null })
    await (await h.call({ body: streamBody() })).text()
    await h.settle()
    expect(counted()).toBe(PROMPT + 500)
  })
})
