// Ingress: malformed JSON and OpenAI request shapes, each refused with 400, its code and the offending `param`.
import { describe, expect, it } from 'vitest'
import { chat, json, send } from './testing.ts'

describe('ingress: JSON and request shape', () => {
  it.each([
    { what: 'not JSON', body: '{"model":', code: 'ingress.malformed_json', param: null },
    { what: 'empty body', body: '', code: 'ingress.malformed_json', param: null },
    {
      what: 'invalid UTF-8',
      body: new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
      code: 'ingress.malformed_json',
      param: null,
    },
    { what: 'array body', body: '[]', code: 'ingress.invalid_request', param: null },
    { what: 'missing model', body: { messages: chat.messages }, code: 'ingress.invalid_request', param: 'model' },
    { what: 'missing messages', body: { model: 'm' }, code: 'ingress.invalid_request', param: 'messages' },
    { what: 'empty messages', body: { model: 'm', messages: [] }, code: 'ingress.invalid_request', param: 'messages' },
    {
      what: 'bad role',
      body: { model: 'm', messages: [{ role: 'root', content: 'x' }] },
      code: 'ingress.invalid_request',
      param: 'messages[0].role',
    },
    {
      what: 'message not an object',
      body: { model: 'm', messages: ['hi'] },
      code: 'ingress.invalid_request',
      param: 'messages[0]',
    },
    {
      what: 'missing content',
      body: { model: 'm', messages: [{ role: 'user' }] },
      code: 'ingress.invalid_request',
      param: 'messages[0].content',
    },
    {
      what: 'bad part type',
      body: { model: 'm', messages: [{ role: 'user', content: [{ type: 'video' }] }] },
      code: 'ingress.invalid_request',
      param: 'messages[0].content[0].type',
    },
    {
      what: 'text part without text',
      body: { model: 'm', messages: [{ role: 'user', content: [{ type: 'text' }] }] },
      code: 'ingress.invalid_request',
      param: 'messages[0].content[0].text',
    },
    {
      what: 'tool without tool_call_id',
      body: { model: 'm', messages: [{ role: 'tool', content: 'x' }] },
      code: 'ingress.invalid_request',
      param: 'messages[0].tool_call_id',
    },
    {
      what: 'negative max_tokens',
      body: { ...chat, max_tokens: -1 },
      code: 'ingress.invalid_request',
      param: 'max_tokens',
    },
    {
      what: 'fractional max_completion_tokens',
      body: { ...chat, max_completion_tokens: 1.5 },
      code: 'ingress.invalid_request',
      param: 'max_completion_tokens',
    },
    { what: 'string stream', body: { ...chat, stream: 'yes' }, code: 'ingress.invalid_request', param: 'stream' },
    {
      what: 'bad include_usage',
      body: { ...chat, stream_options: { include_usage: 1 } },
      code: 'ingress.invalid_request',
      param: 'stream_options.include_usage',
    },
    {
      what: 'temperature out of range',
      body: { ...chat, temperature: 3 },
      code: 'ingress.invalid_request',
      param: 'temperature',
    },
    { what: 'n too large', body: { ...chat, n: 500 }, code: 'ingress.invalid_request', param: 'n' },
    {
      what: 'too many stop sequences',
      body: { ...chat, stop: ['a', 'b', 'c', 'd', 'e'] },
      code: 'ingress.invalid_request',
      param: 'stop',
    },
  ])('$what → 400 $code ($param)', async ({ body, code, param }) => {
    const init = json('')
    init.body =
      body instanceof Uint8Array ? (body as unknown as string) : typeof body === 'string' ? body : JSON.stringify(body)
    const r = await send('/v1/chat/completions', init)
    expect({ status: r.status, code: r.code, param: r.param }).toEqual({ status: 400, code, param })
  })

  it.each([
    { path: '/v1/completions', body: { model: 'm' }, param: 'prompt' },
    { path: '/v1/completions', body: { model: 'm', prompt: [1, 'a'] }, param: 'prompt' },
    { path: '/v1/embeddings', body: { model: 'm', input: [] }, param: 'input' },
    { path: '/v1/embeddings', body: { model: 'm', input: 'x', encoding_format: 'hex' }, param: 'encoding_format' },
  ])('$path rejects $param', async ({ path, body, param }) => {
    const r = await send(path, json(body))
    expect({ status: r.status, code: r.code, param: r.param }).toEqual({
      status: 400,
      code: 'ingress.invalid_request',
      param,
    })
  })

  it('passes unknown OpenAI fields through and records streaming flags', async () => {
    const r = await send(
      '/v1/chat/completions',
      json({ ...chat, stream: true, stream_options: { include_usage: true }, seed: 1, max_tokens: 9 }),
    )
    expect(r.body).toMatchObject({
      request: { stream: true, streamUsage: true, maxTokens: 9, ceilingFields: ['max_tokens'] },
    })
  })
})
