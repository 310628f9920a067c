// What `npm start -- --tenant <id>` needs to run a tenant's `[env.<id>]` locally: that env's vars and bindings
// in Miniflare's shape, plus the vars that point a scaffolded tenant's issuer at the local dev IdP.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { REPO_ROOT } from '../build-policies.ts'
import { localIssuerVars } from './scaffold.ts'
import { parseWrangler, type WorkerBindings, workerBindings } from './wrangler-config.ts'

export interface LocalTenantEnv extends WorkerBindings {
  /** vars of [env.<id>] (TENANT pins the tenant) + `<ID>_IDP_ISSUER` / `<ID>_IDP_JWKS_URL` → the dev IdP. */
  readonly vars: Record<string, string>
}

export async function localTenantEnv(
  id: string,
  opts: { idpUrl: string; wranglerPath?: string },
): Promise<LocalTenantEnv> {
  const text = await readFile(opts.wranglerPath ?? join(REPO_ROOT, 'wrangler.toml'), 'utf8')
  const env = workerBindings(parseWrangler(text), id) // throws TypeError for an unknown env
  return { ...env, vars: { ...localIssuerVars(id, opts.idpUrl), ...env.vars } }
}
