// The dev IdP's signing key: generated on first use into the git-ignored .dev/ folder, reused afterwards.
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { exportJWK, generateKeyPair, type JWK } from 'jose'
import { REPO_ROOT } from '../build-policies.ts'

export const DEV_DIR = join(REPO_ROOT, '.dev')

export async function ensureDevIdpKey(dir = DEV_DIR): Promise<JWK> {
  const file = join(dir, 'idp-key.json')
  try {
    return JSON.parse(await readFile(file, 'utf8')) as JWK
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  const { privateKey } = await generateKeyPair('ES256', { extractable: true })
  const jwk = await exportJWK(privateKey)
  const kid = `dev-idp-${new Date().toISOString().slice(0, 10)}-${crypto.randomUUID().slice(0, 8)}`
  const full: JWK = { ...jwk, kid, alg: 'ES256', use: 'sig' }
  await mkdir(dir, { recursive: true, mode: 0o700 })
  await writeFile(file, `${JSON.stringify(full)}\n`, { mode: 0o600, flag: 'wx' }).catch(
    async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err
    },
  )
  return JSON.parse(await readFile(file, 'utf8')) as JWK
}
