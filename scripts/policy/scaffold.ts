// Tenant scaffolding as pure functions: validated inputs → the policy file, starter fixtures that pass, and
// the wrangler env. scripts/tenant-add.ts only reads and writes files around these.
import { FIXTURE_KINDS, type Fixture } from './fixtures.ts'

export interface TenantInput {
  readonly id: string
  readonly host: string
  readonly issuer: string
  readonly audience: string
  readonly jwks: string
  /** Zone for the route; null = attach the host as a Workers custom domain. */
  readonly zone: string | null
}

const ID = /^[a-z][a-z0-9-]{0,62}$/
const HOSTNAME = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/
const RESERVED_IDS = new Set(['schema', 'base', 'env', 'top'])
const AUDIENCE = /^[\x21-\x7e]{1,256}$/ // printable ASCII, no spaces: it is compared byte for byte

function httpsUrl(name: string, value: string): string | null {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return `--${name} must be a URL`
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost'
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    return `--${name} must be https (http only on loopback)`
  }
  return null
}

/** Every problem with the inputs, as sentences naming the flag. Empty = valid. */
export function validateTenantInput(input: TenantInput): string[] {
  const problems: string[] = []
  if (!ID.test(input.id) || RESERVED_IDS.has(input.id)) {
    problems.push('<id> must be a lower-case id (a-z, 0-9, -), starting with a letter, not a reserved word')
  }
  if (!HOSTNAME.test(input.host)) problems.push('--host must be a lower-case DNS name with a dot, e.g. api.acme.com')
  for (const [name, value] of [
    ['issuer', input.issuer],
    ['jwks', input.jwks],
  ] as const) {
    const p = httpsUrl(name, value)
    if (p) problems.push(p)
  }
  if (!AUDIENCE.test(input.audience)) problems.push('--audience must be printable ASCII without spaces')
  if (input.zone !== null && HOSTNAME.test(input.host) && !HOSTNAME.test(input.zone)) {
    problems.push('--zone must be a DNS name')
  }
  if (
    input.zone !== null &&
    HOSTNAME.test(input.host) &&
    !`.${input.host.replace(/^\*\./, '')}`.endsWith(`.${input.zone}`)
  ) {
    problems.push(`--host ${input.host} is not inside --zone ${input.zone}`)
  }
  return problems
}

/** The zone a host most likely lives in: its last two labels (pass --zone for e.g. example.co.uk). */
export function guessZone(host: string): string {
  return host.replace(/^\*\./, '').split('.').slice(-2).join('.')
}

/** Prefix of the tenant's `${VAR}` references, e.g. ACME_ for "acme", ACME_CORP_ for "acme-corp". */
export const varPrefix = (id: string) => `${id.toUpperCase().replace(/-/g, '_')}_`

/** Vars that point a scaffolded tenant's issuer at a local IdP (what `npm start -- --tenant <id>` binds). */
export function localIssuerVars(id: string, idpUrl: string): Record<string, string> {
  const p = varPrefix(id)
  return { [`${p}IDP_ISSUER`]: idpUrl, [`${p}IDP_JWKS_URL`]: `${idpUrl}/.well-known/jwks.json` }
}

export function policyYaml(input: TenantInput): string {
  const p = varPrefix(input.id)
  return `# yaml-language-server: $schema=../schema.json
# Tenant "${input.id}", scaffolded by \`npm run tenant:add\`. Inherits policies/_base.yaml (maps merge, lists
# replace, an explicit null removes a key). Every field is documented in policies/README.md.
# Bump \`version\` on every change: it and the sha256 of the effective policy go into every context token.
tenant: ${input.id}
version: 1
description: ${input.id} tenant
hosts: [${input.host.startsWith('*') ? `"${input.host}"` : input.host}]
# enforce: refusals are enforced. shadow: every rule is evaluated and recorded (decision log, context token
# \`shadowed\`), none refuses — use it to watch a new policy before it blocks.
mode: enforce
upstream:
  # The OpenAI-compatible model tier (before /v1). Locally the dev model tier; set UPSTREAM_URL in the env.
  url: \${UPSTREAM_URL:-http://127.0.0.1:8788}
  credentialSecret: UPSTREAM_API_KEY
  audience: ${input.id}-models
auth:
  issuers:
    # ${p}IDP_* vars exist so \`npm start -- --tenant ${input.id}\` can point the tenant at the dev IdP.
    - issuer: \${${p}IDP_ISSUER:-${input.issuer}}
      audience: ${JSON.stringify(input.audience)}
      jwksUrl: \${${p}IDP_JWKS_URL:-${input.jwks}}
      algorithms: [ES256]
      maxTokenAgeSeconds: 3600
# Scope → what it grants. A caller's token lists scopes in its \`scope\` claim (space-separated).
scopes:
  chat:
    endpoints: [chat, completions, models]
    models: ["*"]
    maxTokens: 4096
  embeddings:
    endpoints: [embeddings, models]
    models: ["*"]
`
}

const CHAT_BODY = { model: 'any-model', max_tokens: 64, messages: [{ role: 'user', content: 'Hello' }] }

/** Starter fixtures: what the scaffolded policy allows and denies. They must pass as written. */
export function starterFixtures(input: TenantInput): Record<string, Fixture> {
  const chat = (claims: Record<string, unknown> | null) => ({
    method: 'POST' as const,
    path: '/v1/chat/completions',
    headers: {},
    claims,
    issuer: 0,
    body: CHAT_BODY,
  })
  return {
    'ALLOW/chat.json': {
      description: `A ${input.id} caller with the chat scope gets a completion; the body is forwarded unchanged`,
      request: chat({ sub: 'starter-user', scope: 'chat' }),
      expect: { status: 200, forwardedBody: CHAT_BODY },
    },
    'ALLOW/clamp-max-tokens.json': {
      description: 'max_tokens above the chat scope ceiling (4096) is clamped to it',
      request: { ...chat({ sub: 'starter-user', scope: 'chat' }), body: { ...CHAT_BODY, max_tokens: 9000 } },
      expect: { status: 200, forwardedBody: { ...CHAT_BODY, max_tokens: 4096 } },
    },
    'DENY/no-token.json': {
      description: 'A request without a bearer token is refused',
      request: chat(null),
      expect: { status: 401, code: 'auth.missing_token' },
    },
    'DENY/expired-token.json': {
      description: 'An expired caller token is refused',
      request: chat({ sub: 'starter-user', scope: 'chat', iat: 'now-600', exp: 'now-60' }),
      expect: { status: 401, code: 'auth.token_expired' },
    },
    'DENY/scope-forbids-endpoint.json': {
      description: 'The embeddings scope does not grant chat completions',
      request: chat({ sub: 'starter-user', scope: 'embeddings' }),
      expect: { status: 403, code: 'authz.endpoint_forbidden' },
    },
  }
}

/** Fixture JSON as committed: two-space indent, trailing newline, without defaulted request fields. */
export function fixtureJson(f: Fixture): string {
  const { headers, issuer, ...request } = f.request
  const compact = {
    description: f.description,
    request: { ...request, ...(Object.keys(headers).length > 0 ? { headers } : {}), ...(issuer ? { issuer } : {}) },
    expect: f.expect,
  }
  return `${JSON.stringify(compact, null, 2)}\n`
}

export { FIXTURE_KINDS }
