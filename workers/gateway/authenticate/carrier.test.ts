// The authenticate stage on well-formed input and on how the token is carried (Authorization scheme, the Cloudflare
// Access header); the attack table over bad tokens is index.test.ts.
import { describe, expect, it } from 'vitest'
import { activeTenant, testPolicy } from '../../../test/support/gateway.ts'
import { appWith, baseClaims, call, sign } from './testing.ts'

describe('authenticate: valid token', () => {
  it('accepts a well-formed token and exposes subject and scopes', async () => {
    const r = await call(await sign({ ...baseClaims(), scope: 'chat embeddings' }))
    expect(r.status).toBe(200)
    expect(r.body).toEqual({ sub: 'alice', scopes: ['chat', 'embeddings'] })
  })
})

describe('authenticate: how the token is carried', () => {
  it('Authorization that is not a Bearer credential is malformed', async () => {
    for (const value of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b', `bearer ${await sign()}`]) {
      const res = await appWith().request('/', { headers: { authorization: value } })
      expect(res.status).toBe(401)
    }
  })

  it('ignores Cf-Access-Jwt-Assertion unless the policy enables it', async () => {
    const token = await sign()
    const off = await appWith().request('/', { headers: { 'cf-access-jwt-assertion': token } })
    expect(off.status).toBe(401)
    const on = appWith({
      tenant: activeTenant(testPolicy({ auth: { ...testPolicy().auth, cfAccess: { enabled: true } } })),
    })
    const res = await on.request('/', { headers: { 'cf-access-jwt-assertion': token } })
    expect(res.status).toBe(200)
  })
})
