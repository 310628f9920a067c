// `npm start`: the whole local stack, offline — the gateway under `wrangler dev` (the real wrangler.toml and its
// bindings), the dev model tier and the dev IdP in workerd via Miniflare. Dev keys are created on first run in
// the git-ignored .dev/ folder. Flags: --tenant <id> (run that tenant's [env.<id>]), --redis (Upstash backend
// through a local bridge in front of redis-server), --inspect-prompts (the inspector page records prompt text sent
// through its proxy). PORT overrides the gateway port (default 8787). The inspector page (DEV_INSPECTOR_PORT,
// default 8790) shows the decisions live: this process tails the gateway's decision log and the dev model tier's
// verified Txn-Tokens (scripts/dev/inspector/).
import { type ChildProcess, spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { Miniflare } from 'miniflare'
import { mintDevToken } from '../workers/dev-idp/mint.ts'
import { buildPolicies, REPO_ROOT } from './build-policies.ts'
import { DEV_DIR, ensureDevIdpKey } from './dev/idp-key.ts'
import { DEFAULT_INSPECTOR_PORT, type Inspector, startInspector } from './dev/inspector/server.ts'
import { devGatewayVars, devModelBindings, type LocalServices, startLocalServices } from './dev/local-services.ts'
import { DEV_AUDIENCE, lineHandler, startWorker } from './dev/stack.ts'
import { localIssuerVars } from './policy/scaffold.ts'

const { values } = parseArgs({
  options: {
    tenant: { type: 'string' },
    redis: { type: 'boolean', default: false },
    'inspect-prompts': { type: 'boolean', default: false },
  },
})
const port = Number(process.env.PORT ?? 8787)
const modelPort = Number(process.env.DEV_MODEL_PORT ?? 8788)
const idpPort = Number(process.env.DEV_IDP_PORT ?? 8789)
const inspectorPort = Number(process.env.DEV_INSPECTOR_PORT ?? DEFAULT_INSPECTOR_PORT)
const mcpPort = Number(process.env.DEV_MCP_PORT ?? 8791)
const gatewayUrl = `http://127.0.0.1:${port}`
const idpUrl = `http://127.0.0.1:${idpPort}`

const workers: Miniflare[] = []
let wrangler: ChildProcess | null = null
let services: LocalServices | null = null
let inspector: Inspector | null = null

let stopping: Promise<never> | null = null
/** Idempotent: Ctrl-C and wrangler's own exit both land here; the first caller's cleanup is the one awaited. */
function shutdown(code: number): Promise<never> {
  stopping ??= (async () => {
    wrangler?.kill('SIGTERM')
    await Promise.allSettled(workers.map((w) => w.dispose()))
    await services?.stop()
    await inspector?.stop()
    process.exit(code)
  })()
  return stopping
}

async function waitForGateway(timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (wrangler?.exitCode !== null) throw new Error('wrangler dev exited during start-up')
    try {
      const res = await fetch(`${gatewayUrl}/v1/models`, { signal: AbortSignal.timeout(1000) })
      if (res.status > 0) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`gateway did not start on ${gatewayUrl} within ${timeoutMs / 1000} s`)
}

async function main(): Promise<void> {
  const compiled = await buildPolicies({ quiet: true })
  const tenant = compiled.find((t) => t.id === (values.tenant ?? 'default'))
  if (!tenant) throw new Error(`unknown tenant "${values.tenant}" (have: ${compiled.map((t) => t.id).join(', ')})`)
  const idpKey = await ensureDevIdpKey()
  const upstreamOverride = process.env.UPSTREAM_URL
  inspector = await startInspector({
    gatewayUrl,
    port: inspectorPort,
    inspectPrompts: values['inspect-prompts'] === true,
    tenants: compiled,
  })

  const idp = await startWorker('workers/dev-idp/index.ts', idpPort, {
    bindings: { IDP_ISSUER: idpUrl, IDP_PRIVATE_JWK: JSON.stringify(idpKey), IDP_DEFAULT_AUDIENCE: DEV_AUDIENCE },
  })
  workers.push(idp.mf)
  if (!upstreamOverride) {
    const bindings = devModelBindings(gatewayUrl, tenant.policy.upstream.audience)
    const store = inspector.store
    const model = await startWorker('workers/dev-model/index.ts', modelPort, {
      bindings,
      onLine: (line: string) => store.modelLine(line), // its Txn-Token reports are for the page, not the terminal
    })
    workers.push(model.mf)
  }
  // After the fixed ports are bound: redis and its bridge take random free ports.
  services = await startLocalServices({ redis: values.redis === true, gatewayUrl, mcpPort })

  const vars = await devGatewayVars({
    idpUrl,
    upstreamUrl: upstreamOverride ?? `http://127.0.0.1:${modelPort}`,
    gatewayUrl,
    // A scaffolded tenant's issuer is `${<ID>_IDP_ISSUER:-…}`: point it at the dev IdP.
    extra: { ...localIssuerVars(tenant.id, idpUrl), ...services.gatewayBindings },
  })
  const envFile = join(DEV_DIR, `gateway-${port}.env`) // per port: two local stacks must not share it
  // Single quotes: dotenv keeps the JSON key sets literally (double quotes would mangle their escapes).
  const envText = Object.entries(vars).map(([k, v]) => `${k}='${v.replace(/'/g, '')}'`)
  await writeFile(envFile, `${envText.join('\n')}\n`, { mode: 0o600 })

  const args = [
    join(REPO_ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js'),
    'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--env-file',
    envFile,
  ]
  args.push('--show-interactive-dev-session=false', '--inspector-port', '0')
  if (values.tenant && values.tenant !== 'default') args.push('--env', values.tenant)
  wrangler = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
  })
  // Tail the decision log: every line still reaches the terminal; decision lines also feed the inspector.
  const store = inspector.store
  lineHandler((line) => {
    process.stdout.write(`${line}\n`)
    store.gatewayLine(line)
  })(wrangler.stdout as NodeJS.ReadableStream)
  wrangler.on('exit', (code) => {
    if (code !== null && code !== 0) void shutdown(code)
  })
  await waitForGateway(90_000)

  const issuer = tenant.policy.auth.issuers[0]
  const token = await mintDevToken(idpKey, {
    issuer: idpUrl,
    audience: issuer ? ([issuer.audience].flat()[0] ?? DEV_AUDIENCE) : DEV_AUDIENCE,
    sub: 'alice',
    scope: 'chat embeddings',
    tenant: tenant.id,
    ttlSeconds: 3600,
  })
  printBanner(token, tenant.id)
}

function printBanner(token: string, tenant: string): void {
  const lines = [
    '',
    `Portcullis is up — tenant "${tenant}"${values.redis ? ', Upstash backend via local redis-server' : ''}`,
    `  gateway     ${gatewayUrl}   (OpenAI-compatible: /v1/chat/completions, /v1/completions, /v1/embeddings, /v1/models)`,
    `  model tier  ${process.env.UPSTREAM_URL ?? `http://127.0.0.1:${modelPort}  (dev-model)`}`,
    `  dev IdP     ${idpUrl}   (mint more tokens: npm run --silent token -- --sub bob --scope chat)`,
    `  inspector   ${inspector?.url}   (live decisions, stage-by-stage traces, charts)`,
    ...(inspector?.proxyUrl
      ? [`  prompts     send to ${inspector.proxyUrl}/v1 to see prompt text in the inspector (--inspect-prompts)`]
      : []),
    `  MCP         ${gatewayUrl}/mcp → dev MCP server ${services?.mcpUrl ?? ''}   (token: --scope "mcp:tools:*")`,
    '',
    'Try it (the token below is valid for one hour):',
    '',
    `curl -s ${gatewayUrl}/v1/chat/completions \\`,
    `  -H "Authorization: Bearer ${token}" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '{"model":"dev-model","messages":[{"role":"user","content":"Hello"}]}'`,
    '',
    'Or with the openai SDK:',
    '',
    "import OpenAI from 'openai'",
    `const openai = new OpenAI({ baseURL: '${gatewayUrl}/v1', apiKey: '${token}' })`,
    "console.log((await openai.chat.completions.create({ model: 'dev-model', messages: [{ role: 'user', content: 'Hello' }] })).choices[0].message.content)",
    '',
    'Ctrl-C stops everything.',
    '',
  ]
  process.stdout.write(`${lines.join('\n')}\n`)
}

process.on('SIGINT', () => void shutdown(0))
process.on('SIGTERM', () => void shutdown(0))
main().catch(async (err: unknown) => {
  console.error(`start: ${err instanceof Error ? err.message : String(err)}`)
  await shutdown(1)
})
