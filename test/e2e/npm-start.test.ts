// `npm start` as a user runs it: the real script (wrangler dev for the gateway, dev model tier, dev IdP),
// the banner's token used as printed, then Ctrl-C. Also `npm start -- --tenant acme` (a scaffolded tenant env).
import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { freePort } from '../../scripts/dev/stack.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
let child: ChildProcess | null = null

/** Ctrl-C as a terminal sends it: SIGINT to the whole process group (npm, tsx, wrangler, workerd). */
async function interrupt(): Promise<number | null> {
  if (!child || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return null
  const exited = new Promise<number | null>((r) => child?.once('exit', (code) => r(code)))
  process.kill(-child.pid, 'SIGINT')
  return exited
}

afterEach(async () => {
  await interrupt()
})

const START_ATTEMPTS = 3 // free-port-then-bind can race another test's listener; a fresh set of ports fixes it
type Started = { banner: string; port: number; inspectorPort: number }

/** Starts `npm start` on free ports and waits for its banner; retried on fresh ports when a port was taken
 * between freePort() and the bind (EADDRINUSE under full-suite load). */
async function start(args: string[]): Promise<Started> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(args)
    } catch (err) {
      const inUse = err instanceof Error && /EADDRINUSE|address already in use/i.test(err.message)
      if (!inUse || attempt >= START_ATTEMPTS) throw err
      await interrupt()
    }
  }
}

async function startOnce(args: string[]): Promise<Started> {
  const [port, modelPort, idpPort, inspectorPort, mcpPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ]
  child = spawn('npm', ['start', '--', ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      DEV_MODEL_PORT: String(modelPort),
      DEV_IDP_PORT: String(idpPort),
      DEV_INSPECTOR_PORT: String(inspectorPort),
      DEV_MCP_PORT: String(mcpPort),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so the test can press Ctrl-C on all of it
  })
  let out = ''
  let err = ''
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString()
  })
  child.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000)
  })
  const deadline = Date.now() + 110_000
  while (!out.includes('Ctrl-C stops everything')) {
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${out.slice(-2000)}\n${err}`)
    if (Date.now() > deadline) throw new Error(`npm start did not print its banner:\n${out.slice(-2000)}\n${err}`)
    await new Promise((r) => setTimeout(r, 200))
  }
  return { banner: out, port, inspectorPort }
}

const tokenFrom = (banner: string) => /Authorization: Bearer ([A-Za-z0-9._-]+)/.exec(banner)?.[1] as string

describe('npm start', () => {
  it('brings up the whole stack and the banner token works', { timeout: 150_000 }, async () => {
    const { banner, port, inspectorPort } = await start([])
    expect(banner).toContain(`http://127.0.0.1:${port}/v1/chat/completions`)
    expect(banner).toMatch(new RegExp(`inspector +http://127\\.0\\.0\\.1:${inspectorPort} `))
    expect(banner).toContain("import OpenAI from 'openai'")
    const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokenFrom(banner)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'dev-model', messages: [{ role: 'user', content: 'Hello' }] }),
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { received: { edge: { verified: boolean } } }
    expect(body.received.edge.verified).toBe(true)
    // The inspector tails wrangler dev's decision log: the request is there, joined with its verified Txn-Token.
    const rows = async () =>
      (await (await fetch(`http://127.0.0.1:${inspectorPort}/api/decisions?code=ok`)).json()) as { endpoint: string }[]
    for (let i = 0; i < 50 && !(await rows()).some((r) => r.endpoint === 'chat'); i++)
      await new Promise((r) => setTimeout(r, 100))
    expect((await rows()).some((r) => r.endpoint === 'chat')).toBe(true)
    await interrupt()
    await new Promise((r) => setTimeout(r, 1000))
    await expect(fetch(`http://127.0.0.1:${port}/v1/models`)).rejects.toThrow()
  })

  it('runs a scaffolded tenant env with --tenant', { timeout: 150_000 }, async () => {
    const { banner, port } = await start(['--tenant', 'acme'])
    expect(banner).toContain('tenant "acme"')
    const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokenFrom(banner)}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'dev-model', messages: [{ role: 'user', content: 'Hello' }] }),
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { received: { edge: { claims: { tenant: string } } } }
    expect(body.received.edge.claims.tenant).toBe('acme')
  })
})
