// Policy fixtures, like cedar-examples: each tenant folder holds ALLOW/, DENY/, REDACT/ and FLAG/ request files
// with the outcome the policy must produce. Parsed strictly (unknown fields are errors, as in policies) so a
// typo in a fixture cannot turn it into a test that always passes.
import { readdir, readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { z } from 'zod'
import { isErrorCode } from '../../shared/errors.ts'

export const FIXTURE_KINDS = ['ALLOW', 'DENY', 'REDACT', 'FLAG'] as const
export type FixtureKind = (typeof FIXTURE_KINDS)[number]

const jsonObject = z.record(z.string(), z.unknown())

/** `iat`/`exp`/`nbf` may be "now", "now+N" or "now-N" (seconds), resolved when the token is minted. */
export const RELATIVE_TIME = /^now(?:([+-])([0-9]{1,9}))?$/

export const fixtureSchema = z
  .object({
    $schema: z.string().optional(),
    description: z.string().min(1).describe('What this fixture proves, in one sentence.'),
    request: z
      .object({
        method: z.enum(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']).default('POST'),
        path: z.string().startsWith('/'),
        headers: z.record(z.string(), z.string()).default({}),
        claims: jsonObject
          .nullable()
          .describe('Caller token claims (sub, scope, …); iss/aud default to the issuer. null: no token.'),
        issuer: z.number().int().nonnegative().default(0).describe('Which of the tenant issuers signs the token.'),
        body: z.unknown().optional(),
      })
      .strict(),
    expect: z
      .object({
        status: z.number().int().min(100).max(599),
        code: z
          .string()
          .refine(isErrorCode, 'must be a code from shared/errors.ts')
          .optional()
          .describe('The refusal code (x-portcullis-code).'),
        forwardedBody: z.unknown().optional().describe('The exact JSON body the model tier must receive.'),
        decision: jsonObject.optional().describe('A subset the decision-log line must contain.'),
      })
      .strict(),
  })
  .strict()

export type Fixture = z.output<typeof fixtureSchema>

export interface LoadedFixture {
  readonly tenant: string
  readonly kind: FixtureKind
  /** Repo-relative (or root-relative) path, for reports. */
  readonly path: string
  readonly fixture: Fixture
}

/** The rules a fixture folder adds on top of the schema: what each kind must assert. */
export function checkKind(kind: FixtureKind, f: Fixture): string | null {
  const { status, code, forwardedBody, decision } = f.expect
  switch (kind) {
    case 'ALLOW':
      return status >= 400 || code !== undefined ? 'ALLOW fixtures expect a 2xx/3xx status and no code' : null
    case 'DENY':
      return status < 400 || code === undefined ? 'DENY fixtures expect a 4xx/5xx status and a code' : null
    case 'REDACT':
      return forwardedBody === undefined || status >= 400
        ? 'REDACT fixtures expect a success and a forwardedBody'
        : null
    case 'FLAG':
      return decision === undefined || status >= 400 ? 'FLAG fixtures expect a success and a decision' : null
  }
}

export function parseFixture(path: string, kind: FixtureKind, text: string): Fixture {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new TypeError(`${path}: not JSON (${(err as Error).message})`)
  }
  const result = fixtureSchema.safeParse(json)
  if (!result.success) {
    const issue = result.error.issues[0]
    const field = issue?.path.join('.') || '(root)'
    const what = issue?.code === 'unrecognized_keys' ? `unknown field "${issue.keys[0]}"` : issue?.message
    throw new TypeError(`${path} ${field}: ${what}`)
  }
  const wrong = checkKind(kind, result.data)
  if (wrong) throw new TypeError(`${path}: ${wrong}`)
  return result.data
}

/** Every fixture of every tenant under `root` (sorted, so reports are stable). Throws on the first bad file. */
export async function loadFixtures(root: string, tenants: readonly string[], base = root): Promise<LoadedFixture[]> {
  const out: LoadedFixture[] = []
  for (const tenant of tenants) {
    for (const kind of FIXTURE_KINDS) {
      const dir = join(root, tenant, kind)
      let names: string[]
      try {
        names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort()
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue
        throw err
      }
      for (const name of names) {
        const file = join(dir, name)
        const path = relative(base, file)
        out.push({ tenant, kind, path, fixture: parseFixture(path, kind, await readFile(file, 'utf8')) })
      }
    }
  }
  return out
}
