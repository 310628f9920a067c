import { describe, expect, it } from 'vitest'
import { rewriteSse, SseParser, serializeEvent } from './sse.ts'

const enc = new TextEncoder()
function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      for (const x of chunks) c.enqueue(enc.encode(x))
      c.close()
    },
  })
}

describe('SseParser', () => {
  it('parses events across chunk boundaries, CRLF split included, comments dropped', () => {
    const p = new SseParser()
    const text = ': keep-alive\r\nevent: message\r\nid: 7\r\ndata: {"a":\r\ndata: 1}\r\n\r\nid: 8\ndata: x\n\n'
    const events = []
    for (let i = 0; i < text.length; i += 3) events.push(...p.push(text.slice(i, i + 3)))
    expect(events).toEqual([
      { id: '7', event: 'message', retry: null, data: '{"a":\n1}' },
      { id: '8', event: null, retry: null, data: 'x' },
    ])
  })

  it('serialises multi-line data as several data lines, and drops a malformed retry', () => {
    expect(serializeEvent({ id: '1', event: null, retry: 'soon', data: 'a\nb' })).toBe('id: 1\ndata: a\ndata: b\n\n')
  })
})

describe('rewriteSse', () => {
  const read = async (s: ReadableStream<Uint8Array>) => new Response(s).text()

  it('rewrites each event’s data, keeps ids, drops events the rewrite refuses, sends the prefix first', async () => {
    let done = 0
    const out = rewriteSse(streamOf(['id: 1\ndata: keep\n\nid: 2\nda', 'ta: drop\n\n']), {
      maxEventChars: 100,
      prefix: ['edge'],
      rewrite: async (d) => (d === 'drop' ? null : d.toUpperCase()),
      overflow: 'over',
      onDone: () => done++,
    })
    expect(await read(out)).toBe('event: message\ndata: edge\n\nid: 1\ndata: KEEP\n\n')
    expect(done).toBe(1)
  })

  it('ends the stream with the overflow event when one event outgrows the bound', async () => {
    const out = rewriteSse(streamOf(['data: ', 'x'.repeat(200), 'y'.repeat(200)]), {
      maxEventChars: 100,
      prefix: [],
      rewrite: async (d) => d,
      overflow: 'over',
    })
    expect(await read(out)).toBe('event: message\ndata: over\n\n')
  })
})
