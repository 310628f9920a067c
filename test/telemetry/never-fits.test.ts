// A request whose estimate exceeds the whole token budget can never be admitted. The openai SDK retries a 429
// twice by default (honouring Retry-After); with `x-should-retry: false` it must give up after the first answer,
// and the message must name the estimate and the budget. Counted from the gateway's own decision log in workerd.
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Stack, startStack } from '../../scripts/dev/stack.ts'

let stack: Stack
const refusals: string[] = []

beforeAll(async () => {
  stack = await startStack({
    onGatewayLine: (line) => {
      if (line.includes('"msg":"request"') && line.includes('"error.type":"limit.tokens"')) refusals.push(line)
    },
  })
})

afterAll(async () => {
  await stack?.stop()
})

describe('limit.tokens that can never fit', () => {
  it('the openai SDK does not retry it, and the message names the estimate and the budget', async () => {
    const openai = new OpenAI({ baseURL: `${stack.gatewayUrl}/v1`, apiKey: await stack.mint({ sub: 'bulk' }) })
    // ~120k estimated prompt tokens against the default tenant's 100k tokens/min subject budget (body < 1 MB).
    const content = 'lorem '.repeat(120_000)
    const err = await openai.chat.completions
      .create({ model: 'dev-model', messages: [{ role: 'user', content }] })
      .then(
        () => null,
        (e: unknown) => e,
      )
    expect(err).toBeInstanceOf(OpenAI.RateLimitError)
    const e = err as InstanceType<typeof OpenAI.RateLimitError>
    expect(e.code).toBe('limit.tokens')
    expect(e.headers.get('x-should-retry')).toBe('false')
    expect(e.message).toMatch(/needs an estimated \d+ tokens .* budget is 100000 tokens per 60 s, so it can never fit/)
    await new Promise((r) => setTimeout(r, 200)) // let the log lines of any retry arrive
    expect(refusals).toHaveLength(1)
    expect(refusals[0]).not.toContain('lorem lorem')
  }, 60_000)
})
