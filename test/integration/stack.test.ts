// The real Workers in workerd (Miniflare on loopback): gateway → dev model tier, callers minted by the dev IdP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Stack, startStack } from '../../scripts/dev/stack.ts'
import { FORGED_HEADERS } from '../support/forged-headers.ts'
import { rawPost } from '../support/raw-http.ts'

let stack: Stack
let token: string

beforeAll(async () => {
  stack = await startStack({ quiet: true })
  token = await stack.mint({ sub: 'alice', scope: 'chat embeddings' })
})
afterAll(async () => {
  await stack?.stop()
})

const chat = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model: 'dev-model', messages: [{ role: 'user', content: 'Say hello' }], ...extra })

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${stack.gatewayUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body,
  })
}

describe('local stack in workerd', () => {
  it('serves a chat completion through every stage', async () => {
    const res = await post('/v1/chat/completions', chat({ max_tokens: 5 }))
    expect(res.status).toBe(200)
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/)
    const body = (await res.json()) as {
      choices: { message: { content: string } }[]
      usage: { completion_tokens: number }
    }
    expect(body.choices[0]?.message.content.split(' ')).toHaveLength(5)
    expect(body.usage.completion_tokens).toBe(5)
  })

  it('serves embeddings, completions and the model list', async () => {
    expect((await post('/v1/embeddings', JSON.stringify({ model: 'dev-model', input: ['a', 'b'] }))).status).toBe(200)
    expect(
      (await post('/v1/completions', JSON.stringify({ model: 'dev-model', prompt: 'x', max_tokens: 2 }))).status,
    ).toBe(200)
    const models = await fetch(`${stack.gatewayUrl}/v1/models`, { headers: { authorization: `Bearer ${token}` } })
    expect(((await models.json()) as { data: { id: string }[] }).data[0]?.id).toBe('dev-model')
  })

  it('streams chunk by chunk: the first bytes arrive before the upstream finishes', async () => {
    const started = Date.now()
    const res = await post(
      '/v1/chat/completions',
      chat({ stream: true, max_tokens: 6, dev_options: { chunk_delay_ms: 150 } }),
    )
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    const reader = (res.body as ReadableStream<Uint8Array>).getReader()
    const arrivals: number[] = []
    let text = ''
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      arrivals.push(Date.now() - started)
      text += new TextDecoder().decode(value)
    }
    // 6 words at 150 ms apart take ≥ 750 ms upstream; the first chunk must come well before the last.
    expect(arrivals.length).toBeGreaterThan(3)
    expect((arrivals.at(-1) as number) - (arrivals[0] as number)).toBeGreaterThanOrEqual(600)
    expect(text.trim().endsWith('data: [DONE]')).toBe(true)
  })

  it('a stream broken mid-way ends cleanly with an error event', async () => {
    const res = await post(
      '/v1/chat/completions',
      chat({ stream: true, max_tokens: 8, dev_options: { break_after: 2 } }),
    )
    const text = await res.text()
    expect(text).toContain('"upstream.stream_interrupted"')
    expect(text).not.toContain('[DONE]')
  })

  it('maps upstream 5xx to 502 and a slow upstream to 504', async () => {
    const bad = await post('/v1/chat/completions', chat({ dev_options: { status: 503 } }))
    expect(bad.status).toBe(502)
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('upstream.bad_response')
  })

  it('no forgeable client header reaches the model tier as the client wrote it', async () => {
    const res = await rawPost(
      `${stack.gatewayUrl}/v1/chat/completions`,
      {
        ...FORGED_HEADERS,
        'content-type': 'application/json',
        'accept-encoding': 'identity',
        authorization: `Bearer ${token}`,
      },
      chat(),
    )
    expect(res.status).toBe(200)
    const received = (JSON.parse(res.text) as { received: { headers: Record<string, string> } }).received.headers
    for (const [name, value] of Object.entries(FORGED_HEADERS)) {
      expect.soft(received[name], name).not.toBe(value)
    }
    expect(received['x-gateway-inference-fairness-id']).toBe('default/alice')
    expect(received.authorization ?? '').not.toContain(token.slice(0, 20))
  })

  it('refuses an expired token and an unknown host with stable codes', async () => {
    const expired = await stack.mint({ now: Date.now() - 3_600_000, ttlSeconds: 60 })
    const res = await post('/v1/chat/completions', chat(), { authorization: `Bearer ${expired}` })
    expect(res.status).toBe(401)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('auth.token_expired')
  })
})
