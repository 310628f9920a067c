import { describe, expect, it } from 'vitest'
import type { Endpoint } from '../../../shared/policy/schema.ts'
import { parseRequestBody } from '../../../shared/request/model.ts'
import { activeTenant, stageApp, testPolicy } from '../../../test/support/gateway.ts'
import { outboundBytes } from '../body.ts'
import type { ActiveTenant } from '../env.ts'
import { authorize } from './index.ts'

function requestOf(raw: string) {
  const parsed = parseRequestBody('chat', new TextEncoder().encode(raw))
  if (!parsed.ok) throw new Error(`test body refused: ${parsed.param}`)
  return { body: parsed.body, request: parsed.facts }
}

interface Case {
  what: string
  scopes: string[]
  endpoint?: Endpoint
  body: Record<string, unknown>
  tenant?: ActiveTenant
  status: number
  code?: string
  forwardedMaxTokens?: number | null
  clamped?: boolean
}

const rejectTenant = activeTenant(testPolicy({ authorize: { maxTokens: 'reject' } }))
const shadowTenant = activeTenant(testPolicy({ mode: 'shadow' }))
const msgs = [{ role: 'user', content: 'hi' }]

async function run(c: Case) {
  const parsed = parseRequestBody(c.endpoint ?? 'chat', new TextEncoder().encode(JSON.stringify(c.body)))
  if (!parsed.ok) throw new Error(`test body refused: ${parsed.param}`)
  const app = stageApp(
    {
      tenant: c.tenant ?? activeTenant(),
      route: { endpoint: c.endpoint ?? 'chat', method: 'POST', path: '/v1/chat/completions' },
      caller: { sub: 'alice', issuer: 'x', scopes: c.scopes, method: 'bearer', tokenId: null },
      body: parsed.body,
      request: parsed.facts,
    },
    [authorize()],
    (ctx) =>
      ctx.json({
        forwarded: JSON.parse(new TextDecoder().decode(outboundBytes(ctx.var.body))),
        grant: ctx.var.decisions.grant,
        shadowed: ctx.var.decisions.shadowed,
      }),
  )
  const res = await app.request('/', { method: 'POST' })
  return { status: res.status, body: (await res.json()) as Record<string, unknown> }
}

describe('authorize: scopes → endpoint, model, max_tokens', () => {
  const cases: Case[] = [
    {
      what: 'allowed, default max_tokens applied',
      scopes: ['chat'],
      body: { model: 'dev-model', messages: msgs },
      status: 200,
      forwardedMaxTokens: 512,
    },
    {
      what: 'under the ceiling is untouched',
      scopes: ['chat'],
      body: { model: 'dev-model', messages: msgs, max_tokens: 100 },
      status: 200,
      forwardedMaxTokens: 100,
    },
    {
      what: 'over the ceiling is clamped',
      scopes: ['chat'],
      body: { model: 'dev-model', messages: msgs, max_tokens: 9000 },
      status: 200,
      forwardedMaxTokens: 512,
      clamped: true,
    },
    {
      what: 'the most generous scope wins',
      scopes: ['chat', 'big'],
      body: { model: 'dev-model', messages: msgs, max_tokens: 2000 },
      status: 200,
      forwardedMaxTokens: 2000,
    },
    {
      what: 'max_completion_tokens is clamped in place',
      scopes: ['chat'],
      body: { model: 'dev-model', messages: msgs, max_completion_tokens: 9000 },
      status: 200,
      forwardedMaxTokens: 512,
      clamped: true,
    },
    {
      what: 'no scopes',
      scopes: [],
      body: { model: 'dev-model', messages: msgs },
      status: 403,
      code: 'authz.endpoint_forbidden',
    },
    {
      what: 'unknown scope',
      scopes: ['admin'],
      body: { model: 'dev-model', messages: msgs },
      status: 403,
      code: 'authz.endpoint_forbidden',
    },
    {
      what: 'prototype-named scope',
      scopes: ['__proto__', 'constructor'],
      body: { model: 'dev-model', messages: msgs },
      status: 403,
      code: 'authz.endpoint_forbidden',
    },
    {
      what: 'scope without the endpoint',
      scopes: ['embeddings'],
      body: { model: 'dev-model', messages: msgs },
      status: 403,
      code: 'authz.endpoint_forbidden',
    },
    {
      what: 'model not granted',
      scopes: ['chat'],
      body: { model: 'gpt-huge', messages: msgs },
      status: 403,
      code: 'authz.model_forbidden',
    },
    {
      what: 'model granted by another scope only for another endpoint',
      scopes: ['big'],
      endpoint: 'completions',
      body: { model: 'dev-model', prompt: 'x' },
      status: 403,
      code: 'authz.endpoint_forbidden',
    },
    {
      what: 'wildcard model for embeddings',
      scopes: ['embeddings'],
      endpoint: 'embeddings',
      body: { model: 'anything', input: 'x' },
      status: 200,
      forwardedMaxTokens: null,
    },
    {
      what: 'reject mode refuses over the ceiling',
      scopes: ['chat'],
      tenant: rejectTenant,
      body: { model: 'dev-model', messages: msgs, max_tokens: 9000 },
      status: 403,
      code: 'authz.max_tokens_exceeded',
    },
    {
      what: 'reject mode still applies the default',
      scopes: ['chat'],
      tenant: rejectTenant,
      body: { model: 'dev-model', messages: msgs },
      status: 200,
      forwardedMaxTokens: 512,
    },
    {
      what: 'shadow mode forwards a forbidden model',
      scopes: ['chat'],
      tenant: shadowTenant,
      body: { model: 'gpt-huge', messages: msgs },
      status: 200,
    },
  ]

  it.each(cases)('$what → $status', async (c) => {
    const r = await run(c)
    expect(r.status).toBe(c.status)
    if (c.code) expect(r.body).toMatchObject({ error: { code: c.code } })
    if (c.forwardedMaxTokens !== undefined) {
      const f = r.body.forwarded as Record<string, unknown>
      expect(f.max_completion_tokens ?? f.max_tokens ?? null).toBe(c.forwardedMaxTokens)
    }
    if (c.clamped !== undefined) expect(r.body).toMatchObject({ grant: { clamped: c.clamped } })
  })

  it('shadow mode records what it did not enforce', async () => {
    const r = await run({
      what: '',
      scopes: ['chat'],
      tenant: shadowTenant,
      body: { model: 'gpt-huge', messages: msgs },
      status: 200,
    })
    expect(r.body.shadowed).toEqual(['authz.model_forbidden'])
  })

  it('forwards the exact bytes when nothing changes', async () => {
    const raw = '{"model":"dev-model",  "messages":[{"role":"user","content":"hi"}],"max_tokens":7}'
    const app = stageApp(
      {
        tenant: activeTenant(),
        route: { endpoint: 'chat', method: 'POST', path: '/v1/chat/completions' },
        caller: { sub: 'a', issuer: 'x', scopes: ['chat'], method: 'bearer', tokenId: null },
        ...requestOf(raw),
      },
      [authorize()],
      (ctx) => ctx.text(new TextDecoder().decode(outboundBytes(ctx.var.body))),
    )
    expect(await (await app.request('/')).text()).toBe(raw)
  })

  it('token-id prompts and template overrides pass only for a scope whose allowUnscreened names them', async () => {
    const tenant = activeTenant(
      testPolicy({
        scopes: {
          chat: { endpoints: ['chat', 'completions'], models: ['*'], maxTokens: 512 },
          raw: {
            endpoints: ['chat', 'completions'],
            models: ['*'],
            allowUnscreened: ['token_ids', 'template_override'],
          },
        },
      }),
    )
    const ids = { model: 'dev-model', prompt: [1, 2, 3] }
    const template = { model: 'dev-model', messages: msgs, chat_template: '{{ messages }}' }
    const cases: [string[], Endpoint, Record<string, unknown>, number][] = [
      [['chat'], 'completions', ids, 403],
      [['chat'], 'chat', template, 403],
      [['raw'], 'completions', ids, 200],
      [['raw'], 'chat', template, 200],
    ]
    for (const [scopes, endpoint, body, status] of cases) {
      const r = await run({ what: '', scopes, endpoint, body, tenant, status })
      expect([scopes, endpoint, r.status]).toEqual([scopes, endpoint, status])
      if (status === 403) expect(r.body).toMatchObject({ error: { code: 'authz.unscreened_input' } })
    }
  })

  it('clamps every ceiling field to one grant, and writes the primary field when the caller set none', async () => {
    const both = await run({
      what: '',
      scopes: ['chat'],
      body: { model: 'dev-model', messages: msgs, max_tokens: 1_000_000, max_completion_tokens: 10 },
      status: 200,
    })
    expect(both.body.forwarded).toMatchObject({ max_tokens: 512, max_completion_tokens: 512 })
    expect(both.body.grant).toMatchObject({ maxTokens: 512, clamped: true })
  })
})
