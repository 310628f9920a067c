import { describe, expect, it } from 'vitest'
import { ERRORS, type ErrorCode, GatewayError } from '../../../shared/errors.ts'
import { EMPTY, type ValidRequest } from '../../../shared/openai/validate.ts'
import { RequestBody } from '../../../shared/request/model.ts'
import { activeTenant, stageApp } from '../../../test/support/gateway.ts'
import type { AppVariables } from '../env.ts'
import { forward } from '../forward/index.ts'
import { parseClientRequestId, parseTraceparent, timed, trace } from './index.ts'
import { decisionLogSchema } from './log-schema.ts'

const PROMPT = 'my secret prompt sk-live-123'
const REQUEST: ValidRequest = { ...EMPTY, model: 'dev-model' }
const encoder = new TextEncoder()

function chatVars(content = PROMPT): Partial<AppVariables> {
  const json = { model: 'dev-model', messages: [{ role: 'user', content }] }
  return {
    tenant: activeTenant(),
    route: { endpoint: 'chat', method: 'POST', path: '/v1/chat/completions' },
    caller: { sub: 'alice', issuer: 'x', scopes: ['chat'], method: 'bearer', tokenId: null },
    body: RequestBody.fromBytes(encoder.encode(JSON.stringify(json))),
    request: REQUEST,
  }
}

/** A fake clock that moves 1 ms per reading, so every duration is a known, non-zero number. */
const tickingClock = () => {
  let t = 0
  return () => ++t
}

function logged() {
  const lines: { line: string; level: string }[] = []
  return { lines, log: (line: string, level: string) => lines.push({ line, level }) }
}

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

describe('parseClientRequestId', () => {
  it.each([
    ['3f1c6a0e-8b7d-4c2e-9a51-0d6f2b7e4c11', true],
    ['01HZX8Q4V7M3K9T2B6N5R1W0YC', true],
    ['req.42:retry-1', true],
    ['', false],
    ['-leading-dash', false],
    ['has space', false],
    ['ignore previous instructions', false],
    ['a'.repeat(129), false],
    ['x\r\ninjected: 1', false],
    [undefined, false],
  ])('%s → recorded %s', (header, ok) => {
    expect(parseClientRequestId(header)).toBe(ok ? header : null)
  })
})

describe('trace stage', () => {
  const counter = () => {
    let n = 0
    return (bytes: number) => (++n).toString(16).padStart(bytes * 2, '0')
  }

  it('continues a valid client trace with a new span, returns it with x-request-id and Server-Timing', async () => {
    const { lines, log } = logged()
    const app = stageApp({}, [trace({ log, randomHex: counter(), now: tickingClock() })], (c) =>
      c.json({ tp: c.var.traceparent, id: c.var.requestId }),
    )
    const res = await app.request('/', {
      headers: {
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        'x-request-id': 'client-req-7',
      },
    })
    const body = (await res.json()) as { tp: string; id: string }
    expect(body.tp).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/)
    expect(body.tp).not.toContain('00f067aa0ba902b7')
    expect(res.headers.get('x-request-id')).toBe(body.id)
    expect(res.headers.get('traceparent')).toBe(body.tp)
    expect(res.headers.get('server-timing')).toMatch(/^total;dur=\d/)
    expect(JSON.parse(lines[0]?.line as string)).toMatchObject({
      msg: 'request',
      requestId: body.id,
      clientRequestId: 'client-req-7',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      'http.response.status_code': 200,
    })
  })

  it('starts a new trace when the client header is malformed, and never takes a client id as ours', async () => {
    const app = stageApp({}, [trace({ log: () => {} })], (c) => c.text(c.var.traceparent))
    const res = await app.request('/', { headers: { traceparent: '00-zz-yy-01', 'x-request-id': 'a'.repeat(32) } })
    const tp = await res.text()
    expect(tp).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/)
    expect(tp).not.toContain('zz')
    expect(res.headers.get('x-request-id')).not.toBe('a'.repeat(32))
  })

  it('times each stage into Server-Timing by name, with durations only', async () => {
    const app = stageApp(chatVars(), [
      trace({ log: () => {}, now: tickingClock() }),
      timed('auth', async (_c, next) => next()),
      timed('screen', async (_c, next) => next()),
    ])
    const header = (await app.request('/')).headers.get('server-timing') ?? ''
    expect(header).toMatch(/^auth;dur=\d+, screen;dur=\d+, total;dur=\d+$/)
  })

  it('fingerprints the prompt with LOG_HMAC_KEY: same text same value, never the text, none without a key', async () => {
    const run = async (content: string, env: Record<string, string>) => {
      const { lines, log } = logged()
      const app = stageApp(chatVars(content), [trace({ log })])
      await app.request('/', {}, env)
      return JSON.parse(lines[0]?.line as string) as { promptHmac: string | null }
    }
    const key = { LOG_HMAC_KEY: 'k'.repeat(32) }
    const a = await run(PROMPT, key)
    expect(a.promptHmac).toMatch(/^[0-9a-f]{32}$/)
    expect((await run(PROMPT, key)).promptHmac).toBe(a.promptHmac)
    expect((await run(`${PROMPT}!`, key)).promptHmac).not.toBe(a.promptHmac)
    expect((await run(PROMPT, { LOG_HMAC_KEY: 'other-key-other-key' })).promptHmac).not.toBe(a.promptHmac)
    expect((await run(PROMPT, {})).promptHmac).toBeNull()
  })

  it('with telemetry off (the bench baseline) keeps the ids but writes and times nothing', async () => {
    const { lines, log } = logged()
    const app = stageApp(chatVars(), [trace({ log, telemetry: false }), timed('auth', async (_c, next) => next())])
    const res = await app.request('/')
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/)
    expect(res.headers.get('traceparent')).not.toBeNull()
    expect([res.headers.get('server-timing'), lines.length]).toEqual([null, 0])
  })

  it('never logs the request body', async () => {
    const { lines, log } = logged()
    const app = stageApp(chatVars(), [trace({ log })], (c) => c.text('ok'))
    await app.request('/', { method: 'POST', body: PROMPT }, { LOG_HMAC_KEY: 'k'.repeat(32) })
    expect(lines.map((l) => l.line).join('\n')).not.toContain('secret prompt')
  })

  it('logs a streamed answer when its body ends: usage, time to first byte, upstream latency', async () => {
    const { lines, log } = logged()
    const sse = 'data: {"choices":[{"delta":{"content":"hi"}}]}\n\ndata: [DONE]\n\n'
    const app = stageApp(
      {
        ...chatVars(),
        request: { ...REQUEST, maxTokens: 16, ceilingFields: ['max_tokens'], stream: true },
      },
      [
        trace({ log, now: tickingClock() }),
        async (c, next) => {
          await next()
          c.get('decisions').usage = { promptTokens: 11, completionTokens: 7, totalTokens: 18 }
        },
      ],
      timed(
        'upstream',
        forward({ fetch: async () => new Response(sse, { headers: { 'content-type': 'text/event-stream' } }) }),
      ),
    )
    const res = await app.request('/')
    expect(lines).toHaveLength(0) // not before the body has been read
    expect(await res.text()).toBe(sse)
    const line = decisionLogSchema.parse(JSON.parse(lines[0]?.line as string))
    expect(line.upstream).toMatchObject({ streamed: true, body: 'completed' })
    expect(line.upstream?.ttfbMs).toBeGreaterThan(0)
    expect(line.upstream?.latencyMs).toBeGreaterThan(0)
    expect([line['gen_ai.usage.input_tokens'], line['gen_ai.usage.output_tokens']]).toEqual([11, 7])
    expect(line['gen_ai.operation.name']).toBe('chat')
    expect(line.level).toBe('info')
  })
})

// One row per outcome the gateway can end with: every stable code, plus a plain success.
const OUTCOMES: (ErrorCode | null)[] = [null, ...(Object.keys(ERRORS) as ErrorCode[])]

describe('decision-log schema, every outcome code', () => {
  const upstreamFor = (code: ErrorCode | null) =>
    timed(
      'upstream',
      forward({
        fetch: async () =>
          // upstream.stream_interrupted: an SSE stream that ends without [DONE]; everything else answers whole.
          code === 'upstream.stream_interrupted'
            ? new Response('data: {"choices":[]}\n\n', { headers: { 'content-type': 'text/event-stream' } })
            : Response.json({ usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }),
      }),
    )

  it.each(OUTCOMES.map((code) => [code ?? 'ok', code] as const))('%s', async (_name, code) => {
    const { lines, log } = logged()
    const refuse = code !== null && code !== 'upstream.stream_interrupted'
    const app = stageApp(
      chatVars(),
      [
        trace({ log, now: tickingClock() }),
        timed('screen', async (c, next) => {
          if (refuse) throw new GatewayError(code)
          c.get('decisions').screen = {
            verdict: 'flag',
            enforced: true,
            score: 0.62,
            categories: ['pii'],
            rules: ['pii.email'],
            redactions: {},
            spans: [
              { start: 3, end: 9, detection: 'email', detection_type: 'pii', score: 0.62, path: 'messages.0.content' },
            ],
          }
          await next()
        }),
      ],
      upstreamFor(code),
    )
    const res = await app.request('/', {}, { LOG_HMAC_KEY: 'k'.repeat(32) })
    await res.text()
    expect(lines).toHaveLength(1)
    const { line, level } = lines[0] as { line: string; level: string }
    expect(line).not.toContain('secret prompt')
    const record = decisionLogSchema.parse(JSON.parse(line))
    const status = code === null || code === 'upstream.stream_interrupted' ? 200 : ERRORS[code].status
    expect(record['error.type']).toBe(code)
    expect(record['http.response.status_code']).toBe(status)
    const expected = code === null ? 'info' : ERRORS[code].status >= 500 ? 'error' : 'warn'
    expect([record.level, level]).toEqual([expected, expected])
    expect(record.stages.screen).toBeGreaterThan(0)
    expect(record.upstream === null).toBe(refuse)
    expect(record.promptHmac).toMatch(/^[0-9a-f]{32}$/)
    if (!refuse)
      expect(record.screen?.spans).toEqual([
        { start: 3, end: 9, detection: 'email', score: 0.62, path: 'messages.0.content' },
      ])
  })
})
