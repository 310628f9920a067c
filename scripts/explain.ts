// `npm run explain -- --tenant <id> --request <file.json>`: runs one request (a fixture file works) through the
// same gateway bundle as the Worker, in workerd with a capture upstream, and prints the stage-by-stage trace.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { compilePolicies, REPO_ROOT } from './build-policies.ts'
import { explainLines } from './policy/explain.ts'
import { fixtureSchema } from './policy/fixtures.ts'
import { startReplayGateway } from './policy/replay.ts'

/** Accepts a whole fixture or just its `request` object. */
export function parseExplainRequest(text: string) {
  const json = JSON.parse(text) as Record<string, unknown>
  const request = 'request' in json ? json.request : json
  const parsed = fixtureSchema.shape.request.safeParse(request)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new TypeError(`request ${issue?.path.join('.') || '(root)'}: ${issue?.message}`)
  }
  return parsed.data
}

export async function explain(opts: { tenant: string; requestText: string; root?: string }): Promise<string> {
  const tenants = await compilePolicies(opts.root)
  const tenant = tenants.find((t) => t.id === opts.tenant)
  if (!tenant) throw new TypeError(`unknown tenant "${opts.tenant}" (have: ${tenants.map((t) => t.id).join(', ')})`)
  const request = parseExplainRequest(opts.requestText)
  const gateway = await startReplayGateway(tenants, await readFile(join(REPO_ROOT, 'wrangler.toml'), 'utf8'))
  try {
    return explainLines(tenant, request, await gateway.send(tenant.id, request)).join('\n')
  } finally {
    await gateway.stop()
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { tenant: { type: 'string' }, request: { type: 'string' } } })
  Promise.resolve()
    .then(async () => {
      if (!values.tenant || !values.request)
        throw new TypeError('usage: npm run explain -- --tenant <id> --request <file.json>')
      return explain({ tenant: values.tenant, requestText: await readFile(values.request, 'utf8') })
    })
    .then(
      (text) => console.log(text),
      (err: unknown) => {
        console.error(`explain: ${err instanceof Error ? err.message : String(err)}`)
        process.exit(1)
      },
    )
}
