// The replay gateway (the real bundle in workerd) used directly: multi-tenant routing by Host, shadow mode end
// to end (forwarded, recorded in the decision log and the Txn-Token), and explain's stage-by-stage trace.
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CompiledPolicy } from '../../shared/policy/schema.ts'
import { SURE_ATTACK } from '../../shared/screen/testing.ts'
import { compilePolicies, REPO_ROOT } from '../build-policies.ts'
import { runPolicyCheck } from './check.ts'
import { explainLines, forwardedClaims } from './explain.ts'
import { type Fixture, fixtureSchema } from './fixtures.ts'
import { type ReplayGateway, startReplayGateway } from './replay.ts'

const request = (over: Record<string, unknown>): Fixture['request'] =>
  fixtureSchema.shape.request.parse({
    path: '/v1/chat/completions',
    claims: { sub: 'replay-test', scope: 'chat' },
    body: { model: 'm', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] },
    ...over,
  })

describe('replay gateway over the committed policies', () => {
  let tenants: CompiledPolicy[]
  let gateway: ReplayGateway
  beforeAll(async () => {
    tenants = await compilePolicies()
    gateway = await startReplayGateway(tenants, await readFile(join(REPO_ROOT, 'wrangler.toml'), 'utf8'))
  })
  afterAll(() => gateway?.stop())

  it('routes by Host: each tenant on its own host, an unknown host gets 404 ingress.unknown_host', async () => {
    const cases: [host: string, tenant: string | null, status: number][] = [
      ['api.acme.example', 'acme', 200],
      ['127.0.0.1', 'default', 200],
      ['localhost:8787', 'default', 200],
      ['evil.example', null, 404],
    ]
    for (const [host, tenant, status] of cases) {
      // Tokens are minted for the tenant named in send(); the Host header decides who checks them.
      const res = await gateway.send(tenant ?? 'default', request({ headers: { host } }))
      expect([host, res.status, res.decision?.tenant ?? null]).toEqual([host, status, tenant])
      if (tenant === null) expect(res.headers['x-portcullis-code']).toBe('ingress.unknown_host')
    }
  })

  it("refuses one tenant's caller token on another tenant's host", async () => {
    const res = await gateway.send('default', request({ headers: { host: 'api.acme.example' } }))
    expect([res.status, res.headers['x-portcullis-code']]).toEqual([401, 'auth.untrusted_issuer'])
  })

  it('puts the policy id, version and sha256 into the context token and the decision log', async () => {
    const acme = tenants.find((t) => t.id === 'acme') as CompiledPolicy
    const res = await gateway.send('acme', request({}))
    expect(forwardedClaims(res)?.tctx).toMatchObject({
      policy: { id: 'acme', version: acme.version, sha256: acme.sha256 },
    })
    expect(res.decision?.policySha256).toBe(acme.sha256)
  })

  it('explains a refusal stage by stage: the deciding stage, its rule, and nothing after it', async () => {
    const def = tenants.find((t) => t.id === 'default') as CompiledPolicy
    const req = request({ claims: { sub: 'replay-test', scope: 'embeddings' } })
    const lines = explainLines(def, req, await gateway.send('default', req))
    const text = lines.join('\n')
    expect(text).toMatch(/^authorize +REFUSE$/m)
    expect(text).toContain('embeddings → {"endpoints":["embeddings","models"]')
    expect(text).toContain('outcome  authz.endpoint_forbidden → 403')
    for (const later of ['limit', 'screen', 'sign', 'forward']) {
      expect(text).toMatch(new RegExp(`^${later} +not reached$`, 'm'))
    }
    expect(lines.at(-1)).toBe('result: 403 authz.endpoint_forbidden')
  })

  it('explains a screen refusal with its rules, score and the threshold it was compared with', async () => {
    const def = tenants.find((t) => t.id === 'default') as CompiledPolicy
    const content = SURE_ATTACK
    const req = request({ body: { model: 'm', messages: [{ role: 'user', content }] } })
    const text = explainLines(def, req, await gateway.send('default', req)).join('\n')
    expect(text).toMatch(/^screen +REFUSE$/m)
    expect(text).toContain('outcome  screen.injection → 403')
    expect(text).toMatch(
      /compare {2}score 1 ≥ injection block ≥0\.\d+ \(flag ≥0\.\d+\); rules \[.*"override_instructions"/,
    )
    expect(text).not.toContain(content)
  })

  it('explains a forwarded request with the grant and the signed token', async () => {
    const def = tenants.find((t) => t.id === 'default') as CompiledPolicy
    const req = request({ body: { model: 'm', max_tokens: 99999, messages: [{ role: 'user', content: 'hi' }] } })
    const text = explainLines(def, req, await gateway.send('default', req)).join('\n')
    expect(text).toContain('grant {"model":"m","maxTokens":4096,"clamped":true}')
    expect(text).toMatch(/^sign +pass\n.*\n {2}outcome {2}Txn-Token verdict allow/m)
    expect(text).toContain('result: 200 forwarded')
    expect(text).toMatch(/compare {2}score [\d.]+ < every threshold \(lowest: \w+ \w+ ≥0\.\d+/)
  })
})

describe('shadow mode end to end', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'portcullis-shadow-'))
    await cp(join(REPO_ROOT, 'policies'), join(dir, 'policies'), { recursive: true })
    const file = join(dir, 'policies', 'default', 'policy.yaml')
    await writeFile(file, `${await readFile(file, 'utf8')}mode: shadow\n`)
    await mkdir(join(dir, 'policies', 'default', 'FLAG'), { recursive: true })
    const fixture = {
      description: 'In shadow mode a scope refusal is forwarded and recorded, not enforced',
      request: request({ claims: { sub: 'shadow-user', scope: 'embeddings' } }),
      expect: { status: 200, decision: { shadowed: ['authz.endpoint_forbidden'] } },
    }
    await writeFile(join(dir, 'policies', 'default', 'FLAG', 'shadowed-scope.json'), JSON.stringify(fixture))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('forwards a shadowed refusal and records it in the decision log and the Txn-Token', async () => {
    const tenants = await compilePolicies(join(dir, 'policies'))
    const gateway = await startReplayGateway(tenants, await readFile(join(REPO_ROOT, 'wrangler.toml'), 'utf8'))
    try {
      const res = await gateway.send('default', request({ claims: { sub: 'shadow-user', scope: 'embeddings' } }))
      expect(res.status).toBe(200)
      expect(res.forwarded).not.toBeNull()
      expect(res.decision?.shadowed).toEqual(['authz.endpoint_forbidden'])
      const claims = forwardedClaims(res)
      expect(claims?.verdict).toBe('shadow_block')
      expect(claims?.tctx).toMatchObject({ mode: 'shadow', shadowed: ['authz.endpoint_forbidden'] })
      // Authentication is never shadowed: without a token there is no caller to forward for.
      const anonymous = await gateway.send('default', request({ claims: null }))
      expect([anonymous.status, anonymous.forwarded]).toEqual([401, null])
    } finally {
      await gateway.stop()
    }
  })

  it('the shadow fixture passes policy:check, and the enforce-mode DENY fixture it mirrors now fails', async () => {
    const report = await runPolicyCheck({ root: join(dir, 'policies'), tenants: ['default'] })
    const byPath = new Map(report.results.map((r) => [r.fixture.path, r.diff]))
    expect(byPath.get('default/FLAG/shadowed-scope.json')).toEqual([])
    expect(byPath.get('default/DENY/scope-forbids-endpoint.json')).toEqual([
      'status: expected 403, got 200',
      'code: expected authz.endpoint_forbidden, got (none)',
      'forwarded: a refused request reached the model tier',
    ])
  }, 120_000)
})
