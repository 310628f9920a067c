import { describe, expect, it } from 'vitest'
import { stageApp } from '../../../test/support/gateway.ts'
import { parseTraceparent, trace } from './index.ts'

describe('parseTraceparent', () => {
  it.each([
    ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', '4bf92f3577b34da6a3ce929d0e0e4736'],
    ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00', '4bf92f3577b34da6a3ce929d0e0e4736'],
    ['00-00000000000000000000000000000000-00f067aa0ba902b7-01', null],
    ['00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01', null],
    ['01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', null],
    ['00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01', null],
    ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra', null],
    ['garbage', null],
    [undefined, null],
  ])('%s → %s', (header, traceId) => {
    expect(parseTraceparent(header)?.traceId ?? null).toBe(traceId)
  })
})

describe('trace stage', () => {
  const counter = () => {
    let n = 0
    return (bytes: number) => (++n).toString(16).padStart(bytes * 2, '0')
  }

  it('continues a valid client trace with a new span and sets x-request-id', async () => {
    const lines: string[] = []
    const app = stageApp({}, [trace({ log: (l) => lines.push(l), randomHex: counter() })], (c) =>
      c.json({ tp: c.var.traceparent, id: c.var.requestId }),
    )
    const res = await app.request('/', {
      headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    })
    const body = (await res.json()) as { tp: string; id: string }
    expect(body.tp).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/)
    expect(body.tp).not.toContain('00f067aa0ba902b7')
    expect(res.headers.get('x-request-id')).toBe(body.id)
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      msg: 'request',
      requestId: body.id,
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      status: 200,
    })
  })

  it('starts a new trace when the client header is malformed', async () => {
    const app = stageApp({}, [trace({ log: () => {} })], (c) => c.text(c.var.traceparent))
    const tp = await (await app.request('/', { headers: { traceparent: '00-zz-yy-01' } })).text()
    expect(tp).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
    expect(tp).not.toContain('zz')
  })

  it('never logs the request body', async () => {
    const lines: string[] = []
    const app = stageApp({}, [trace({ log: (l) => lines.push(l) })], (c) => c.text('ok'))
    await app.request('/', { method: 'POST', body: 'my secret prompt sk-live-123' })
    expect(lines.join('\n')).not.toContain('secret prompt')
  })
})
