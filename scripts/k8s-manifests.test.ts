// The generated Istio manifests, parsed back from YAML and checked against what the gateway actually serves
// (discovery issuer, jwks_uri, the JWKS holding the signing kid) and signs (claim names and values), with a
// small model of Istio's matching so a real token is admitted and a wrong tenant/audience/verdict is not.
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { describe, expect, it } from 'vitest'
import { parseAllDocuments } from 'yaml'
import { keySecret, TEST_AUDIENCE, TEST_ISSUER, TEST_KEYS } from '../shared/txn-token/testing.ts'
import type { Env } from '../workers/gateway/env.ts'
import { callSign, signApp, testPolicy } from '../workers/gateway/sign/testing.ts'
import { issuerFromWranglerToml, main, renderManifests } from './k8s-manifests.ts'

const ENV = { TXN_SIGNING_KEYS: keySecret(TEST_KEYS.es256a), TXN_ISSUER: TEST_ISSUER } as Env
const acme = testPolicy()
const beta = testPolicy({ tenant: 'beta', mode: 'shadow', upstream: { url: 'http://127.0.0.1:1', audience: 'tier-b' } })
const off = testPolicy({ tenant: 'legacy', contextToken: { enabled: false } })

interface JwtRule {
  issuer: string
  audiences: string[]
  jwksUri: string
  fromHeaders: { name: string }[]
  forwardOriginalToken: boolean
}
interface Rule {
  from: { source: { requestPrincipals: string[] } }[]
  when: { key: string; values: string[] }[]
}

function parse(yaml: string) {
  const docs = parseAllDocuments(yaml).map((d) => d.toJS() as { kind: string; spec: Record<string, unknown> })
  const ra = docs.find((d) => d.kind === 'RequestAuthentication')!
  const ap = docs.find((d) => d.kind === 'AuthorizationPolicy')!
  return { docs, rule: (ra.spec.jwtRules as JwtRule[])[0]!, ap: ap.spec as { action: string; rules: Rule[] } }
}

/** Istio's ALLOW semantics for the parts we generate: principal `iss/sub` glob, audiences, claims (string or list). */
function istioAllows(rules: Rule[], claims: Record<string, unknown>): boolean {
  const principal = `${claims.iss}/${claims.sub}`
  return rules.some(
    (r) =>
      r.from.some((f) =>
        f.source.requestPrincipals.some((p) =>
          p.endsWith('*') ? principal.startsWith(p.slice(0, -1)) : p === principal,
        ),
      ) &&
      r.when.every((w) => {
        const m = /^request\.auth\.claims\[(\w+)\]$/.exec(w.key)
        const raw = w.key === 'request.auth.audiences' ? claims.aud : m ? claims[m[1]!] : undefined
        const values = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : []
        return values.some((v) => w.values.includes(String(v)))
      }),
  )
}

describe('Istio manifests', () => {
  const yaml = renderManifests({
    issuer: TEST_ISSUER,
    tenants: [acme, beta, off],
    namespace: 'ai',
    selector: { app: 'vllm' },
  })
  const { docs, rule, ap } = parse(yaml)

  it('match the live routes: discovery issuer, jwks_uri, and a JWKS holding the signing kid', async () => {
    const app = signApp()
    const disc = (await (await app.request('https://gw.test/.well-known/openid-configuration', {}, ENV)).json()) as {
      issuer: string
      jwks_uri: string
    }
    expect(rule.issuer).toBe(disc.issuer)
    expect(rule.jwksUri).toBe(disc.jwks_uri)
    // The JWKS at that URI (the route, with the issuer host) lists the kid a real token carries.
    const jwks = (await (await app.request(rule.jwksUri, {}, ENV)).json()) as { keys: { kid: string }[] }
    const token = (await callSign(app, ENV)).json.headers['txn-token']!
    expect(jwks.keys.map((k) => k.kid)).toContain(decodeProtectedHeader(token).kid)
    expect(rule.fromHeaders).toEqual([{ name: 'Txn-Token' }])
    expect(rule.forwardOriginalToken).toBe(true)
    expect(rule.audiences).toEqual([TEST_AUDIENCE, 'tier-b'])
    for (const d of docs)
      expect(d).toMatchObject({ metadata: { namespace: 'ai' }, spec: { selector: { matchLabels: { app: 'vllm' } } } })
    expect(yaml).toContain('# Tenants without a context token (not covered): legacy')
  })

  it('admit a real gateway token and refuse a wrong tenant, audience, issuer or verdict', async () => {
    expect(ap.action).toBe('ALLOW')
    const claims = decodeJwt((await callSign(signApp(), ENV)).json.headers['txn-token']!) as Record<string, unknown>
    expect(istioAllows(ap.rules, claims)).toBe(true)
    const refused: [string, Record<string, unknown>][] = [
      ['other tenant on this audience', { ...claims, tenant: 'beta' }],
      ['other audience', { ...claims, aud: 'tier-b' }],
      ['other issuer', { ...claims, iss: 'https://evil.test' }],
      ['shadow_block for an enforce tenant', { ...claims, verdict: 'shadow_block' }],
      ['block', { ...claims, verdict: 'block' }],
      ['no verdict', { ...claims, verdict: undefined }],
    ]
    for (const [name, c] of refused) expect(istioAllows(ap.rules, c), name).toBe(false)
    // A shadow-mode tenant forwards would-be refusals on purpose; the mesh lets them through for it only.
    expect(istioAllows(ap.rules, { ...claims, tenant: 'beta', aud: 'tier-b', verdict: 'shadow_block' })).toBe(true)
  })

  it('the command reads the repo policies and the issuer from wrangler.toml', async () => {
    const out = await main(['--namespace', 'models'])
    const fromRepo = parse(out)
    expect(fromRepo.rule.issuer).toMatch(/^https?:\/\//)
    expect(fromRepo.rule.jwksUri).toBe(`${fromRepo.rule.issuer}/.well-known/jwks.json`)
    expect(
      issuerFromWranglerToml('[vars]\nTXN_ISSUER = "https://a"\n[env.x.vars]\nTXN_ISSUER = "https://b"\n', 'x'),
    ).toBe('https://b')
    expect(issuerFromWranglerToml('[env.x.vars]\nTXN_ISSUER = "https://b"\n')).toBeNull()
  })

  it('refuses to generate a policy that would admit nothing', () => {
    expect(() => renderManifests({ issuer: TEST_ISSUER, tenants: [off] })).toThrow(/contextToken/)
  })
})
