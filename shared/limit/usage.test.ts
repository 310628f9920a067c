import { describe, expect, it } from 'vitest'
import { type BodyEnd, extractJsonUsage, observeUsage, parseUsage } from './usage.ts'

const enc = new TextEncoder()
const chunk = (content: string) =>
  `data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"${content}"}}],"usage":null}\n\n`
const USAGE_EVENT =
  'data: {"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":11,"completion_tokens":7,"total_tokens":18}}\n\n'
const DONE = 'data: [DONE]\n\n'

/** A stream that yields `parts` (split anywhere) and then ends, or errors after them. */
function streamOf(parts: readonly string[], fail = false): ReadableStream<Uint8Array> {
  let i = 0
  return new ReadableStream({
    pull(controller) {
      if (i < parts.length) controller.enqueue(enc.encode(parts[i++]))
      else if (fail) controller.error(new Error('upstream reset'))
      else controller.close()
    },
  })
}

async function run(parts: readonly string[], opts: { sse: boolean; dropUsageChunk: boolean }, fail = false) {
  const ends: BodyEnd[] = []
  const out = observeUsage(streamOf(parts, fail), opts, (e) => ends.push(e))
  const text = await new Response(out).text().catch(() => null)
  return { text, ends }
}

describe('usage extraction', () => {
  it.each([
    [{ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 }, 7],
    [{ prompt_tokens: 5, total_tokens: 5 }, 5], // embeddings
    [{ prompt_tokens: 2, completion_tokens: 3 }, 5], // total missing
    [{ completion_tokens: 3 }, null],
    [null, null],
    ['12', null],
  ])('parseUsage(%j) → total %s', (usage, total) => {
    expect(parseUsage(usage)?.totalTokens ?? null).toBe(total)
  })

  it('reads usage from a JSON body, and ignores malformed bodies', () => {
    expect(
      extractJsonUsage('{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}'),
    ).toEqual({
      promptTokens: 1,
      completionTokens: 2,
      totalTokens: 3,
    })
    expect(extractJsonUsage('{"usage":{"prompt_tokens":1')).toBeNull()
    expect(extractJsonUsage('{"usage":null}')).toBeNull()
  })

  it('SSE: drops the usage-only chunk when the client did not ask, byte-exact otherwise', async () => {
    const parts = [chunk('He'), chunk('llo'), USAGE_EVENT, DONE]
    const dropped = await run(parts, { sse: true, dropUsageChunk: true })
    expect(dropped.text).toBe(chunk('He') + chunk('llo') + DONE)
    expect(dropped.ends).toEqual([
      { kind: 'completed', usage: { promptTokens: 11, completionTokens: 7, totalTokens: 18 } },
    ])
    const kept = await run(parts, { sse: true, dropUsageChunk: false })
    expect(kept.text).toBe(parts.join(''))
    expect(kept.ends[0]).toMatchObject({ kind: 'completed', usage: { totalTokens: 18 } })
  })

  it('SSE: events split across chunks and CRLF framing are handled', async () => {
    const whole = (chunk('a') + USAGE_EVENT.replace('\n\n', '\r\n\r\n') + DONE).split('')
    const parts = [whole.slice(0, 7).join(''), whole.slice(7, 150).join(''), whole.slice(150).join('')]
    const { text, ends } = await run(parts, { sse: true, dropUsageChunk: true })
    expect(text).toBe(chunk('a') + DONE)
    expect(ends[0]).toMatchObject({ kind: 'completed', usage: { totalTokens: 18 } })
  })

  it('a stream that breaks reports broken, once, and no usage', async () => {
    const { text, ends } = await run([chunk('a'), chunk('b')], { sse: true, dropUsageChunk: true }, true)
    expect(text).toBeNull()
    expect(ends).toEqual([{ kind: 'broken' }])
  })

  it('a client that cancels reports cancelled', async () => {
    const ends: BodyEnd[] = []
    const out = observeUsage(
      streamOf([chunk('a'), chunk('b'), USAGE_EVENT]),
      { sse: true, dropUsageChunk: false },
      (e) => ends.push(e),
    )
    const reader = out.getReader()
    await reader.read()
    await reader.cancel()
    expect(ends).toEqual([{ kind: 'cancelled' }])
  })

  it('a stream that ends without usage completes with usage null', async () => {
    const { ends } = await run([chunk('a'), DONE], { sse: true, dropUsageChunk: true })
    expect(ends).toEqual([{ kind: 'completed', usage: null }])
  })
})
