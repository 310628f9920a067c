// `npm run mcp:pin -- --tenant <id> [--out file]`: read the tenant's MCP server's current tools/list with the
// official SDK client, hash each definition like the edge does (shared/mcp/pin.ts), screen each description, and
// write the pins as a YAML fragment for review. Each request carries a Txn-Token signed with the edge's dev keys,
// so an MCP server that verifies edge tokens (as the dev one does) answers this CLI too. Nothing is applied:
// a person reads the file and copies the pins into the policy.
import { randomUUID } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { pinOf } from '../shared/mcp/pin.ts'
import type { McpPolicy } from '../shared/mcp/policy-schema.ts'
import { descriptionTexts, mcpScreen, screenTexts } from '../shared/mcp/screen.ts'
import { resolveVarRef } from '../shared/policy/resolve.ts'
import type { ScreenPolicy } from '../shared/screen/policy-schema.ts'
import { buildContextClaims } from '../shared/txn-token/claims.ts'
import { contentDigest } from '../shared/txn-token/digest.ts'
import { loadSigningKeys, signContextToken } from '../shared/txn-token/signer.ts'
import { compilePolicies, REPO_ROOT } from './build-policies.ts'
import { DEV_DIR } from './dev/idp-key.ts'
import { ensureDevTxnKeys } from './txn-keys.ts'

export interface ReviewedTool {
  readonly name: string
  readonly pin: string
  /** The description screen's verdict: a `block` is written commented out, for a person to look at first. */
  readonly verdict: 'allow' | 'flag' | 'redact' | 'block'
}

export interface EdgeSigner {
  readonly issuer: string
  readonly audience: string
  /** TXN_SIGNING_KEYS: a JSON array of private JWKs. */
  readonly signingKeys: string
  readonly tenant: string
}

/** A fetch that adds Txn-Token + Content-Digest, as the edge would, to every request the SDK client makes. */
export function signingFetch(signer: EdgeSigner): typeof fetch {
  return async function signedFetch(input, init) {
    const keys = await loadSigningKeys(signer.signingKeys)
    const key = keys.ok ? keys.keys[0] : undefined
    if (!key) throw new Error('no usable signing key')
    const url = new URL(input instanceof Request ? input.url : String(input))
    const method = (init?.method ?? 'GET').toUpperCase()
    const body = typeof init?.body === 'string' ? init.body : ''
    const digest = await contentDigest(body)
    const id = randomUUID().replaceAll('-', '')
    const claims = buildContextClaims({
      issuer: signer.issuer,
      audience: signer.audience,
      nowSeconds: Date.now() / 1000,
      lifetimeSeconds: 60,
      requestId: id,
      traceparent: null,
      policy: { id: signer.tenant, version: 'mcp-pin', sha256: '0'.repeat(64) },
      mode: 'enforce',
      caller: { sub: 'mcp-pin', scopes: [], method: 'bearer' },
      workload: { name: 'portcullis-mcp-pin', colo: null },
      clientIp: null,
      country: null,
      asn: null,
      shadowed: [],
      request: { method, path: url.pathname, digest },
    })
    const headers = new Headers(init?.headers)
    headers.set('txn-token', await signContextToken(claims, key))
    headers.set('content-digest', digest)
    return fetch(input, { ...init, headers })
  }
}

/** The server's tools, each with its pin and description verdict (every page of tools/list). */
export async function readToolPins(opts: {
  url: string
  fetch?: typeof fetch
  mcp: McpPolicy
  screen: ScreenPolicy
}): Promise<ReviewedTool[]> {
  const client = new Client({ name: 'portcullis-mcp-pin', version: '1.0.0' })
  const transport = new StreamableHTTPClientTransport(new URL(opts.url), opts.fetch ? { fetch: opts.fetch } : {})
  await client.connect(transport)
  try {
    const out: ReviewedTool[] = []
    let cursor: string | undefined
    do {
      const page = await client.listTools(cursor === undefined ? {} : { cursor })
      for (const tool of page.tools) {
        const t = { name: tool.name, description: tool.description, inputSchema: tool.inputSchema }
        const outcome = screenTexts(mcpScreen(opts.screen, opts.mcp, 'descriptions'), descriptionTexts(t), t)
        // A screen that fails says nothing about the text: treat it like a block, for a person to read first.
        out.push({ name: tool.name, pin: await pinOf(t), verdict: outcome?.decision.verdict ?? 'block' })
      }
      cursor = page.nextCursor
    } while (cursor !== undefined)
    return out
  } finally {
    await transport.terminateSession().catch(() => {})
    await client.close()
  }
}

/** The YAML fragment a reviewer pastes under `mcp.tools.pins`. */
export function pinsYaml(tenant: string, tools: readonly ReviewedTool[]): string {
  const lines = [
    `# Tool pins for tenant ${tenant}, read from the MCP server on ${new Date().toISOString()}.`,
    '# Review each description, then copy the approved lines into policies/<tenant>/policy.yaml under mcp.tools.pins.',
    'pins:',
  ]
  for (const t of tools) {
    const entry = `  ${JSON.stringify(t.name)}: ${t.pin}`
    lines.push(
      t.verdict === 'block' ? `  # BLOCKED by the description screen, not pinned:\n  #${entry.slice(1)}` : entry,
    )
    if (t.verdict === 'flag') lines[lines.length - 1] += ' # flagged by the description screen: read it first'
  }
  return `${lines.join('\n')}\n`
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { tenant: { type: 'string', default: 'default' }, out: { type: 'string' } } })
  const tenantId = values.tenant as string
  const compiled = (await compilePolicies()).find((c) => c.id === tenantId)
  if (!compiled) throw new Error(`no tenant ${tenantId} under policies/`)
  const mcp = compiled.policy.mcp
  if (!mcp) throw new Error(`tenant ${tenantId} has no mcp: section`)
  const url = resolveVarRef(mcp.upstream.url, process.env)
  if (url === null) throw new Error('mcp.upstream.url references an unset variable')
  const keys = await ensureDevTxnKeys(DEV_DIR)
  const issuer = process.env.TXN_ISSUER ?? `http://127.0.0.1:${process.env.PORT ?? 8787}`
  const tools = await readToolPins({
    url,
    fetch: signingFetch({ issuer, audience: mcp.upstream.audience, signingKeys: keys.signingKeys, tenant: tenantId }),
    mcp,
    screen: compiled.policy.screen,
  })
  const out = values.out ?? join(REPO_ROOT, 'policies', tenantId, 'mcp-pins.review.yaml')
  await writeFile(out, pinsYaml(tenantId, tools))
  process.stdout.write(`${tools.length} tools read from ${url}; pins written for review to ${out}\n`)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((err: unknown) => {
    process.stderr.write(`mcp:pin: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exit(1)
  })
}
