// The stage-by-stage story of one request: which stage decided, which rule and threshold applied, what it
// did. Built from what the real gateway recorded (decision-log line, refusal code, the forwarded Txn-Token)
// plus the policy that was in force, so it explains the Worker's behaviour rather than re-implementing it.
import { ERRORS, type ErrorCode, isErrorCode } from '../../shared/errors.ts'
import type { CompiledPolicy } from '../../shared/policy/schema.ts'
import type { Fixture } from './fixtures.ts'
import type { ReplayEnvelope } from './replay.ts'

export const STAGES = ['ingress', 'authenticate', 'authorize', 'limit', 'screen', 'sign', 'forward'] as const
export type Stage = (typeof STAGES)[number]

const STAGE_OF_PREFIX: Record<string, Stage> = {
  ingress: 'ingress',
  auth: 'authenticate',
  authz: 'authorize',
  limit: 'limit',
  screen: 'screen',
  sign: 'sign',
  upstream: 'forward',
}

export function stageOfCode(code: string): Stage | null {
  return STAGE_OF_PREFIX[code.split('.')[0] ?? ''] ?? null
}

type Json = Record<string, unknown>
const asObject = (v: unknown): Json | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null
const compact = (v: unknown) => JSON.stringify(v)

/** The claims of the Txn-Token the model tier received (decoded, not verified: the gateway just signed it). */
export function forwardedClaims(envelope: ReplayEnvelope): Json | null {
  const token = envelope.forwarded?.headers['txn-token']
  const payload = token?.split('.')[1]
  if (!payload) return null
  try {
    return asObject(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')))
  } catch {
    return null
  }
}

function ruleFor(stage: Stage, tenant: CompiledPolicy, request: Fixture['request'], decision: Json | null): string {
  const p = tenant.policy
  switch (stage) {
    case 'ingress':
      return `endpoints ${compact(p.ingress.endpoints)}, maxBodyBytes ${p.ingress.maxBodyBytes}, contentTypes ${compact(p.ingress.contentTypes)}`
    case 'authenticate': {
      const i = p.auth.issuers[request.issuer]
      return i
        ? `issuer ${i.issuer}, aud ${compact(i.audience)}, alg ${compact(i.algorithms)}${i.typ ? `, typ ${i.typ}` : ''}, maxTokenAge ${i.maxTokenAgeSeconds}s, clock ±${p.auth.clockToleranceSeconds}s`
        : `no issuer #${request.issuer}`
    }
    case 'authorize': {
      const scope = typeof request.claims?.scope === 'string' ? request.claims.scope.split(' ') : []
      const granted = scope.filter((s) => s in p.scopes).map((s) => `${s} → ${compact(p.scopes[s])}`)
      const grant = asObject(decision?.grant)
      return `${granted.length > 0 ? granted.join('; ') : `no granted scope among ${compact(scope)}`}; max_tokens ${p.authorize.maxTokens}, default ${p.authorize.defaultMaxTokens}${grant ? `; grant ${compact(grant)}` : ''}`
    }
    case 'limit':
      return p.limits.enabled
        ? `${p.limits.backend}, failMode ${p.limits.failMode}; requests ${compact(p.limits.requests)}; tokens ${compact(p.limits.tokens)}`
        : 'limits.enabled: false'
    case 'screen': {
      // Category → action ≥ threshold reads better than the raw section; other fields follow as JSON.
      const { categories, ...rest } = p.screen as Json
      const cats = asObject(categories)
      const list = cats
        ? Object.entries(cats).map(([k, v]) => `${k} ${asObject(v)?.action} ≥${asObject(v)?.threshold}`)
        : []
      return `${list.length > 0 ? `${list.join(', ')}; ` : ''}${compact(rest)}`
    }
    case 'sign':
      return `contextToken ${compact(p.contextToken)}`
    case 'forward':
      return `upstream ${p.upstream.url}, timeout ${p.upstream.timeoutMs} ms`
  }
}

function outcomeFor(stage: Stage, decision: Json | null, claims: Json | null, env: ReplayEnvelope): string {
  switch (stage) {
    case 'limit': {
      const l = asObject(decision?.limit)
      const t = asObject(asObject(claims?.tctx)?.limit)
      const left = t ? `; remaining requests ${t.remaining_requests}, tokens ${t.remaining_tokens}` : ''
      return l ? `checked ${l.checked}, reserved ${l.reservedTokens} tokens${left}` : 'not run'
    }
    case 'screen': {
      const s = asObject(decision?.screen)
      return s
        ? `verdict ${s.verdict}, score ${s.score}, categories ${compact(s.categories)}, rules ${compact(s.rules)}`
        : 'not run'
    }
    case 'sign':
      return claims
        ? `Txn-Token verdict ${claims.verdict}, policy ${compact(asObject(claims.tctx)?.policy)}`
        : 'no Txn-Token'
    case 'forward':
      return env.forwarded ? `${env.forwarded.method} ${env.forwarded.url} → ${env.status}` : 'nothing forwarded'
    default:
      return 'passed'
  }
}

/** The screen's score against the thresholds of the categories that fired (or the lowest one, if none did). */
export function screenComparison(tenant: CompiledPolicy, decision: Json | null): string | null {
  const s = asObject(decision?.screen)
  if (!s || typeof s.score !== 'number') return null
  const score = Number(s.score.toFixed(3)) // three places: thresholds are set to two
  const rules = Array.isArray(s.rules) && s.rules.length > 0 ? `; rules ${compact(s.rules)}` : ''
  const cats = asObject((tenant.policy.screen as Json).categories) ?? {}
  const rule = (name: string) => {
    const c = asObject(cats[name])
    return c && typeof c.threshold === 'number'
      ? { name, action: String(c.action), threshold: c.threshold, flag: c.flag }
      : null
  }
  const fired = (Array.isArray(s.categories) ? s.categories.map(String) : []).map(rule).filter((r) => r !== null)
  const describe = (r: NonNullable<ReturnType<typeof rule>>) =>
    `${r.name} ${r.action} ≥${r.threshold}${typeof r.flag === 'number' ? ` (flag ≥${r.flag})` : ''}`
  if (fired.length > 0) {
    const cmp = fired.map((r) => `${score} ${(s.score as number) >= r.threshold ? '≥' : '<'} ${describe(r)}`)
    return `score ${cmp.join('; ')}${rules}`
  }
  const lowest = Object.keys(cats)
    .map(rule)
    .filter((r) => r !== null && r.action !== 'off')
    .sort((x, y) => (x?.threshold ?? 1) - (y?.threshold ?? 1))[0]
  return lowest ? `score ${score} < every threshold (lowest: ${describe(lowest)})${rules}` : null
}

/** Lines of the trace. `request` is what was sent; `envelope` is what the replay gateway reported. */
export function explainLines(tenant: CompiledPolicy, request: Fixture['request'], envelope: ReplayEnvelope): string[] {
  const decision = envelope.decision
  const code = envelope.headers['x-portcullis-code'] ?? null
  const refusedAt = code ? stageOfCode(code) : null
  const shadowed = Array.isArray(decision?.shadowed) ? (decision.shadowed as unknown[]).map(String) : []
  const claims = forwardedClaims(envelope)
  const who = request.claims ? `sub ${compact(request.claims.sub)} scope ${compact(request.claims.scope)}` : 'no token'
  const lines = [
    `tenant ${tenant.id} v${tenant.version} sha256:${tenant.sha256.slice(0, 16)}… mode ${tenant.policy.mode}`,
    `request ${request.method} ${request.path} (${who})`,
    '',
  ]
  let reached = true
  for (const stage of STAGES) {
    const ran = reached
    const action = !reached ? 'not reached' : refusedAt === stage ? 'REFUSE' : 'pass'
    lines.push(`${stage.padEnd(13)} ${action}`)
    lines.push(`  rule     ${ruleFor(stage, tenant, request, decision)}`)
    for (const s of shadowed.filter((c) => stageOfCode(c) === stage)) {
      const status = isErrorCode(s) ? ERRORS[s].status : '?'
      lines.push(`  SHADOW   ${s} (would refuse with ${status}; recorded, not enforced)`)
    }
    if (reached && refusedAt === stage && code) {
      lines.push(`  outcome  ${code} → ${envelope.status} ${ERRORS[code as ErrorCode]?.message ?? ''}`)
      reached = false
    } else if (reached) lines.push(`  outcome  ${outcomeFor(stage, decision, claims, envelope)}`)
    const compared = stage === 'screen' && ran ? screenComparison(tenant, decision) : null
    if (compared !== null) lines.push(`  compare  ${compared}`)
  }
  lines.push('', `result: ${envelope.status}${code ? ` ${code}` : envelope.forwarded ? ' forwarded' : ''}`)
  if (shadowed.length > 0) lines.push(`shadowed: ${shadowed.join(', ')}`)
  return lines
}
