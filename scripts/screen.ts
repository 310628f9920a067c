// Command-line screen (the evaluation contract): reads JSON lines {"id", "text"} on stdin and writes one line per
// input: {"id", "verdict": "allow"|"flag"|"block", "score", "categories", "rules"} — what the tenant's policy would do
// to the text as a user message. Redaction forwards the (modified) text, so it is reported as "flag".
// Usage: npm run --silent screen -- [--tenant <id>]
import { createInterface } from 'node:readline'
import { compileScreen } from '../shared/screen/engine.ts'
import { type ScreenPolicy, screenPolicySchema } from '../shared/screen/policy-schema.ts'
import { scanRequest } from '../shared/screen/request.ts'

interface InputLine {
  readonly id: unknown
  readonly text: unknown
}

async function tenantPolicy(tenant: string | null): Promise<{ policy: ScreenPolicy; shadow: boolean }> {
  try {
    const { compilePolicies } = await import('./build-policies.ts')
    const all = await compilePolicies()
    const hit = all.find((p) => p.id === (tenant ?? 'default')) ?? (tenant === null ? all[0] : undefined)
    if (hit) return { policy: hit.policy.screen, shadow: hit.policy.mode === 'shadow' }
    if (tenant !== null) throw new Error(`unknown tenant: ${tenant}`)
  } catch (err) {
    if (tenant !== null) throw err
  }
  return { policy: screenPolicySchema.parse({}), shadow: false }
}

export function cliVerdict(
  verdict: 'allow' | 'flag' | 'redact' | 'block',
  enforced: boolean,
): 'allow' | 'flag' | 'block' {
  if (!enforced) return verdict === 'allow' ? 'allow' : 'flag'
  return verdict === 'redact' ? 'flag' : verdict
}

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  const t = args.indexOf('--tenant')
  const tenant = t >= 0 ? (args[t + 1] ?? null) : null
  const { policy, shadow } = await tenantPolicy(tenant)
  const compiled = compileScreen(policy)
  const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY })
  const out: string[] = []
  const flush = (): void => {
    if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`)
    out.length = 0
  }
  for await (const line of lines) {
    if (line.trim() === '') continue
    let input: InputLine
    try {
      input = JSON.parse(line) as InputLine
    } catch {
      out.push(JSON.stringify({ id: null, error: 'malformed JSON line' }))
      continue
    }
    const text = typeof input.text === 'string' ? input.text : ''
    if (!policy.enabled) {
      out.push(JSON.stringify({ id: input.id, verdict: 'allow', score: 0, categories: [], rules: [] }))
      continue
    }
    const { decision, blockCategory } = scanRequest(compiled, 'chat', { messages: [{ role: 'user', content: text }] })
    const verdict = cliVerdict(decision.verdict, decision.enforced && !shadow)
    const blockScore = blockCategory !== null ? decision.score : 0
    const score = Math.max(decision.attackScore ?? 0, verdict === 'block' ? blockScore : 0)
    out.push(
      JSON.stringify({
        id: input.id,
        verdict,
        score: Number(score.toFixed(6)),
        categories: decision.categories,
        rules: decision.rules,
      }),
    )
    if (out.length >= 256) flush()
  }
  flush()
}

main().catch((err: unknown) => {
  console.error(`screen: ${(err as Error).message}`)
  process.exit(1)
})
