// End to end with the official `openai` SDK as the client: a dev token is its API key, the gateway its base URL.
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Stack, startStack } from '../../scripts/dev/stack.ts'

let stack: Stack
beforeAll(async () => {
  stack = await startStack({ quiet: true })
})
afterAll(async () => {
  await stack?.stop()
})

const client = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${stack.gatewayUrl}/v1`, maxRetries: 0 })

describe('openai SDK through the gateway', () => {
  it('non-streaming chat completion', async () => {
    const openai = client(await stack.mint())
    const res = await openai.chat.completions.create({
      model: 'dev-model',
      messages: [{ role: 'user', content: 'Hello there' }],
      max_tokens: 4,
    })
    expect(res.object).toBe('chat.completion')
    expect(res.choices[0]?.message.content?.split(' ')).toHaveLength(4)
    expect(res.usage?.completion_tokens).toBe(4)
  })

  it('streaming chat completion', async () => {
    const openai = client(await stack.mint())
    const stream = await openai.chat.completions.create({
      model: 'dev-model',
      messages: [{ role: 'user', content: 'Stream please' }],
      max_tokens: 5,
      stream: true,
    })
    const parts: string[] = []
    for await (const chunk of stream) parts.push(chunk.choices[0]?.delta?.content ?? '')
    expect(parts.join('').trim().split(' ')).toHaveLength(5)
  })

  it('embeddings', async () => {
    const openai = client(await stack.mint())
    const res = await openai.embeddings.create({ model: 'dev-model', input: 'vector me' })
    expect(res.data[0]?.embedding.length).toBeGreaterThan(0)
  })

  it('an expired token is a typed AuthenticationError with the stable code', async () => {
    const expired = await stack.mint({ now: Date.now() - 7_200_000, ttlSeconds: 60 })
    const openai = client(expired)
    const err = await openai.chat.completions
      .create({ model: 'dev-model', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError)
    expect((err as InstanceType<typeof OpenAI.AuthenticationError>).status).toBe(401)
    expect((err as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('auth.token_expired')
  })

  it('a forbidden model is a typed PermissionDeniedError', async () => {
    const openai = client(await stack.mint({ scope: 'embeddings' }))
    const err = await openai.chat.completions
      .create({ model: 'dev-model', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError)
    expect((err as InstanceType<typeof OpenAI.PermissionDeniedError>).code).toBe('authz.endpoint_forbidden')
  })
})
