// Done-when check for the context token, through the real local stack (gateway + dev model tier + dev IdP in
// workerd) with the official `openai` SDK: the token the model tier received verifies in PyJWT against the
// gateway's published JWKS alone, and its digest matches the exact bytes the SDK sent.
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import OpenAI from 'openai'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Stack, startStack } from '../../scripts/dev/stack.ts'

const run = promisify(execFile)
const SCRIPT = fileURLToPath(new URL('./pyjwt_verify.py', import.meta.url))

let stack: Stack
let dir: string
beforeAll(async () => {
  stack = await startStack({ quiet: true })
  dir = await mkdtemp(join(tmpdir(), 'pyjwt-stack-'))
})
afterAll(async () => {
  await stack?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

type Received = { received: { headers: Record<string, string>; edge: { verified: boolean } } }

describe('local stack → PyJWT', () => {
  it('the token the model tier received verifies in PyJWT from the JWKS, bound to the SDK body', async () => {
    const sent: string[] = []
    const client = new OpenAI({
      apiKey: await stack.mint({ sub: 'dave', scope: 'chat' }),
      baseURL: `${stack.gatewayUrl}/v1`,
      maxRetries: 0,
      fetch: async (url, init) => {
        if (typeof init?.body === 'string') sent.push(init.body)
        return fetch(url, init)
      },
    })
    const completion = await client.chat.completions.create({
      model: 'dev-model',
      messages: [{ role: 'user', content: 'hello from the SDK' }],
      max_tokens: 4,
    })
    const { received } = completion as unknown as Received
    expect(received.edge.verified).toBe(true)
    const token = received.headers['txn-token']!

    const jwks = await (await fetch(`${stack.gatewayUrl}/.well-known/jwks.json`)).text()
    await writeFile(join(dir, 'jwks.json'), jwks)
    await writeFile(join(dir, 'token.txt'), token)
    await writeFile(join(dir, 'body.bin'), sent[0]!)
    const args = [join(dir, 'jwks.json'), join(dir, 'token.txt'), join(dir, 'body.bin'), stack.gatewayUrl]
    const { stdout } = await run('/usr/bin/python3', [
      SCRIPT,
      ...args,
      'portcullis-dev-model',
      'POST',
      '/v1/chat/completions',
    ])
    expect(JSON.parse(stdout)).toMatchObject({ ok: true, alg: 'ES256', claims: { sub: 'dave', tenant: 'default' } })

    await writeFile(join(dir, 'body.bin'), sent[0]!.replace('hello', 'HELLO'))
    const tampered = await run('/usr/bin/python3', [
      SCRIPT,
      ...args,
      'portcullis-dev-model',
      'POST',
      '/v1/chat/completions',
    ])
    expect(JSON.parse(tampered.stdout)).toMatchObject({ ok: false, error: 'digest' })
  })
})
