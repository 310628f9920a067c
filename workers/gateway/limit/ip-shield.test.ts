import { Hono } from 'hono'
import { describe, expect, it } from 'vitest'
import type { AppEnv, Env } from '../env.ts'
import { renderError } from '../errors.ts'
import { ipShield } from './ip-shield.ts'
import { limitPolicy } from './testing.ts'

function shieldApp(mode: 'enforce' | 'shadow', failMode: 'open' | 'closed' = 'open') {
  const compiled = limitPolicy({ ipShield: { limit: 2, periodSeconds: 10, failMode } }, { mode })
  const app = new Hono<AppEnv>()
  const shadowed: string[][] = []
  app.onError(renderError)
  app.use(async (c, next) => {
    c.set('tenant', { compiled, policy: compiled.policy, upstreamUrl: 'http://127.0.0.1:1' })
    c.set('client', { ip: '198.51.100.4', country: null, asn: null, colo: null })
    c.set('decisions', { shadowed: [] })
    await next()
    shadowed.push(c.var.decisions.shadowed)
  })
  app.use(ipShield())
  app.all('*', (c) => c.text('ok'))
  return { app, shadowed }
}

/** The native binding as Miniflare simulates it: a fixed window per key. */
function fakeBinding(limit: number, fail = false): RateLimit & { keys: string[] } {
  const counts = new Map<string, number>()
  const keys: string[] = []
  return {
    keys,
    async limit({ key }: { key: string }) {
      if (fail) throw new Error('binding unavailable')
      keys.push(key)
      counts.set(key, (counts.get(key) ?? 0) + 1)
      return { success: (counts.get(key) ?? 0) <= limit }
    },
  }
}

describe('ipShield (native rate-limit binding, before authentication)', () => {
  it('refuses over the binding limit with limit.ip, Retry-After and RateLimit fields', async () => {
    const { app } = shieldApp('enforce')
    const env = { IP_SHIELD: fakeBinding(2) } as Partial<Env> as Env
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await app.request('https://acme.test/v1/models', {}, env)).status)
    expect(statuses).toEqual([200, 200, 429])
    const res = await app.request('https://acme.test/v1/models', {}, env)
    expect(res.headers.get('x-portcullis-code')).toBe('limit.ip')
    expect(res.headers.get('Retry-After')).toBe('10')
    expect(res.headers.get('RateLimit-Policy')).toBe('"ip-shield";q=2;w=10')
    expect((env.IP_SHIELD as ReturnType<typeof fakeBinding>).keys[0]).toBe('acme/198.51.100.4')
  })

  it('without the binding it is a no-op', async () => {
    expect((await shieldApp('enforce').app.request('https://acme.test/', {}, {} as Env)).status).toBe(200)
  })

  it('shadow mode records limit.ip and forwards', async () => {
    const { app, shadowed } = shieldApp('shadow')
    const env = { IP_SHIELD: fakeBinding(0) } as Partial<Env> as Env
    expect((await app.request('https://acme.test/', {}, env)).status).toBe(200)
    expect(shadowed[0]).toEqual(['limit.ip'])
  })

  it.each([
    ['open', 200],
    ['closed', 503],
  ] as const)('binding error with failMode %s → %i', async (failMode, status) => {
    const env = { IP_SHIELD: fakeBinding(5, true) } as Partial<Env> as Env
    expect((await shieldApp('enforce', failMode).app.request('https://acme.test/', {}, env)).status).toBe(status)
  })

  it('a failed shield in shadow mode (failMode closed) forwards and records limit.unavailable', async () => {
    const { app, shadowed } = shieldApp('shadow', 'closed')
    const env = { IP_SHIELD: fakeBinding(5, true) } as Partial<Env> as Env
    expect((await app.request('https://acme.test/', {}, env)).status).toBe(200)
    expect(shadowed[0]).toEqual(['limit.unavailable'])
  })
})
