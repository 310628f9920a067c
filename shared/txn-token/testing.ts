// Fixed test-only keys and inputs for the context-token tests (deterministic, so a failure reproduces).
// These keys sign nothing outside tests: they are published here on purpose and must never be configured.
import type { ClaimsInput } from './claims.ts'
import type { PrivateTxnJwk } from './keys.ts'

export const TEST_KEYS = {
  es256a: {
    kty: 'EC',
    x: 'cBolpqbUsoupoRmmd7s5LfWKo_9BhOkceEFuVtcQvPk',
    y: 'cyqfQTL0I90sDov2loYxtJZe2-tFVgQIOhVYevB6suw',
    crv: 'P-256',
    d: 'lSGaJhw5Fn1-DyRoa02l-IPmKCnbZGsoQbnrYEDjZb8',
    kid: 'test-es256a',
    alg: 'ES256',
    use: 'sig',
  },
  es256b: {
    kty: 'EC',
    x: 'DG2Ciw_xLjv3J4LysksRfxDh3bmCmFtxElhPJVkgSZU',
    y: 'pGNn4NJpWmVX0XYE2VlIJzWYadeXJBmFviZ2FpuG_Qs',
    crv: 'P-256',
    d: 'WaKTTU2vOGBl1OoGJw3Ir-lG7QpsIaYZZTorRje5gxg',
    kid: 'test-es256b',
    alg: 'ES256',
    use: 'sig',
  },
  ed25519: {
    crv: 'Ed25519',
    d: 'oCKdeVASaAmLxUiLIGs71QK_1SZ-p0ZXDiKJxv0KyC4',
    x: 'KemiWNAH5F6qEnSD1IsfKJWjS7dicQwo4GyujRfMO8o',
    kty: 'OKP',
    kid: 'test-ed25519',
    alg: 'EdDSA',
    use: 'sig',
  },
  attacker: {
    kty: 'EC',
    x: 'TKmpn7a2FI6zCAeSZiSUxanHEvueEkoVvh_MTULiA5I',
    y: '0tpYgLsVsED9P6Fe_ponyaRXUOJ8wdE1ySPgDh9moKk',
    crv: 'P-256',
    d: 'cT3JfbqEa4WfBl7QJG5C8xlKzM8W2Z3N7OfxQk2YgjM',
    kid: 'test-attacker',
    alg: 'ES256',
    use: 'sig',
  },
} satisfies Record<string, PrivateTxnJwk>

export const TEST_ISSUER = 'https://edge.test.portcullis.dev'
export const TEST_AUDIENCE = 'model-tier.acme.test'
/** 2026-01-01T00:00:00Z, in ms. */
export const TEST_NOW_MS = 1_767_225_600_000

/** A JSON array secret as TXN_SIGNING_KEYS holds it. */
export function keySecret(...keys: PrivateTxnJwk[]): string {
  return JSON.stringify(keys)
}

/** The public halves only, as TXN_PUBLISHED_KEYS or a JWKS holds them. */
export function publicJwks(...keys: PrivateTxnJwk[]): { keys: Omit<PrivateTxnJwk, 'd'>[] } {
  return { keys: keys.map(({ d: _d, ...pub }) => pub) }
}

export function claimsInput(overrides: Partial<ClaimsInput> = {}): ClaimsInput {
  return {
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
    nowSeconds: TEST_NOW_MS / 1000,
    lifetimeSeconds: 60,
    requestId: 'req-0001',
    traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    policy: { id: 'acme', version: '7', sha256: 'a'.repeat(64) },
    mode: 'enforce',
    caller: { sub: 'user-42', scopes: ['chat:write', 'embed'], method: 'bearer' },
    workload: { name: 'portcullis-gateway', colo: 'FRA' },
    clientIp: { form: 'hash', value: 'h'.repeat(43) },
    country: 'DE',
    asn: 3320,
    shadowed: [],
    request: { method: 'POST', path: '/v1/chat/completions', digest: `sha-256=:${'A'.repeat(43)}=:` },
    ...overrides,
  }
}
