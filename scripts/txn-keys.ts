// Context-token keys: generate a signing key, derive public JWKs, assemble the two Worker secrets, print the
// rotation procedure, and create local dev keys on first `npm start`. Private keys go to stdout or 0600 files
// only; nothing here logs key material.
//
//   npx tsx scripts/txn-keys.ts generate [--alg ES256|EdDSA] [--kid KID]   private JWK (one line) on stdout
//   npx tsx scripts/txn-keys.ts public FILE...                              JSON array of public JWKs
//   npx tsx scripts/txn-keys.ts signing FILE...                             JSON array of private JWKs
//   npx tsx scripts/txn-keys.ts rotation                                    the rotation procedure
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { exportJWK, generateKeyPair } from 'jose'
import {
  type PrivateTxnJwk,
  type PublicTxnJwk,
  parsePrivateJwks,
  parsePublicJwks,
  publicOnly,
  type TxnAlgorithm,
} from '../shared/txn-token/keys.ts'

export async function generateSigningKey(alg: TxnAlgorithm = 'ES256', kid?: string): Promise<PrivateTxnJwk> {
  const { privateKey } = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}),
  })
  const jwk = await exportJWK(privateKey)
  const id = kid ?? `txn-${new Date().toISOString().slice(0, 10)}-${crypto.randomUUID().slice(0, 8)}`
  const parsed = parsePrivateJwks(JSON.stringify([{ ...jwk, kid: id, alg, use: 'sig' }]))
  if (!parsed.ok) throw new Error(`generated key rejected: ${parsed.detail}`)
  return parsed.keys[0]!
}

/** TXN_SIGNING_KEYS value: private JWKs, the first one signs. */
export function signingSecret(keys: readonly PrivateTxnJwk[]): string {
  return JSON.stringify(keys)
}

/** TXN_PUBLISHED_KEYS value: public halves of the next and/or retired keys. */
export function publishedSecret(keys: readonly (PublicTxnJwk | PrivateTxnJwk)[]): string {
  return JSON.stringify(keys.map((k) => publicOnly(k)))
}

export const ROTATION_STEPS = `Context-token key rotation (zero rejected requests). Let C be the current key, N the next one.
Wait times: W = longest verifier JWKS cache (gateway JWKS max-age 300 s; the Node verifier refreshes every 300 s;
Istio refreshes every 20 min by default, PILOT_JWT_PUB_KEY_REFRESH_INTERVAL) + margin. T = max token lifetime (≤ 300 s).

0. Create N (keep the file out of git; .dev/ is ignored):
     npx tsx scripts/txn-keys.ts generate --kid txn-$(date +%Y-%m) > .dev/next.jwk
1. Publish N before it signs:
     npx tsx scripts/txn-keys.ts public .dev/next.jwk | npx wrangler secret put TXN_PUBLISHED_KEYS [--env E]
   JWKS now lists C and N. Wait W.
2. Sign with N, keep C published for tokens already in flight:
     npx tsx scripts/txn-keys.ts signing .dev/next.jwk | npx wrangler secret put TXN_SIGNING_KEYS [--env E]
     npx tsx scripts/txn-keys.ts public .dev/current.jwk | npx wrangler secret put TXN_PUBLISHED_KEYS [--env E]
   Wait T + W.
3. Retire C:
     echo '[]' | npx wrangler secret put TXN_PUBLISHED_KEYS [--env E]
     mv .dev/next.jwk .dev/current.jwk   # and destroy the old private key
Check after each step: curl -s https://<edge>/.well-known/jwks.json | jq '.keys[].kid'
Emergency (key compromised): skip the waits; requests signed in the gap are refused by verifiers until they refresh.`

export interface DevTxnKeys {
  readonly signingKeys: string
  readonly publishedKeys: string
}

/** Dev keys for `npm start` and the test harness: created once in `dir` (0600), reused afterwards. */
export async function ensureDevTxnKeys(dir: string): Promise<DevTxnKeys> {
  const signingFile = join(dir, 'txn-signing-keys.json')
  const publishedFile = join(dir, 'txn-published-keys.json')
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const fresh = `${signingSecret([await generateSigningKey('ES256', `dev-txn-${crypto.randomUUID().slice(0, 8)}`)])}\n`
  // 'wx': two processes starting at once keep whichever key was written first.
  for (const [file, content] of [
    [signingFile, fresh],
    [publishedFile, '[]\n'],
  ] as const) {
    await writeFile(file, content, { mode: 0o600, flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err
    })
  }
  const signingKeys = (await readFile(signingFile, 'utf8')).trim()
  const publishedKeys = (await readFile(publishedFile, 'utf8')).trim()
  const check = parsePrivateJwks(signingKeys)
  if (!check.ok) throw new Error(`${signingFile}: ${check.detail} (delete it to regenerate)`)
  const pub = parsePublicJwks(publishedKeys)
  if (!pub.ok) throw new Error(`${publishedFile}: ${pub.detail}`)
  return { signingKeys, publishedKeys }
}

async function readKeys(files: readonly string[]): Promise<PrivateTxnJwk[]> {
  if (files.length === 0) throw new Error('name at least one private JWK file')
  const keys: PrivateTxnJwk[] = []
  for (const file of files) {
    const parsed = parsePrivateJwks(await readFile(file, 'utf8'))
    if (!parsed.ok) throw new Error(`${file}: ${parsed.detail}`)
    keys.push(...parsed.keys)
  }
  return keys
}

export async function main(argv: readonly string[]): Promise<string> {
  const [command, ...rest] = argv
  const flag = (name: string) => {
    const i = rest.indexOf(name)
    return i === -1 ? undefined : rest[i + 1]
  }
  switch (command) {
    case 'generate': {
      const alg = flag('--alg') ?? 'ES256'
      if (alg !== 'ES256' && alg !== 'EdDSA') throw new Error('--alg must be ES256 or EdDSA')
      return JSON.stringify(await generateSigningKey(alg, flag('--kid')))
    }
    case 'public':
      return publishedSecret(await readKeys(rest))
    case 'signing':
      return signingSecret(await readKeys(rest))
    case 'rotation':
      return ROTATION_STEPS
    default:
      throw new Error(
        'usage: txn-keys.ts generate [--alg ES256|EdDSA] [--kid KID] | public FILE... | signing FILE... | rotation',
      )
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (out) => process.stdout.write(`${out}\n`),
    (err: Error) => {
      process.stderr.write(`txn-keys: ${err.message}\n`)
      process.exit(1)
    },
  )
}
