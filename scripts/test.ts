// `npm test`: the whole suite — system packages, policy build, type check, lint, then every vitest file (unit tests
// in Node, integration tests against the real Workers in workerd). Ends with one line `N passed, N failed` for CI.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { REPO_ROOT } from './build-policies.ts'
import { ensureSystemPackages } from './system-deps.ts'

const bin = (name: string) => join(REPO_ROOT, 'node_modules', '.bin', name)
const run = (label: string, cmd: string, args: string[]): boolean => {
  process.stdout.write(`\n== ${label}\n`)
  const r = spawnSync(cmd, args, { cwd: REPO_ROOT, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' } })
  return r.status === 0
}

let passed = 0
let failed = 0
const check = (ok: boolean) => (ok ? passed++ : failed++)

// First, and fatal: without these some tests could only fail or be skipped, and the suite never skips.
process.stdout.write('\n== system packages\n')
const system = ensureSystemPackages()
if (!system.ok) {
  console.error(`npm test: ${system.message}`)
  console.log('\n0 passed, 1 failed')
  process.exit(1)
}

check(run('policies', bin('tsx'), ['scripts/build-policies.ts']))
check(run('typecheck (tsc --noEmit, strict)', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']))
check(run('lint + format (biome ci)', bin('biome'), ['ci', '--colors=off', '.']))

const outDir = mkdtempSync(join(tmpdir(), 'portcullis-vitest-'))
const outFile = join(outDir, 'results.json')
const extra = process.argv.slice(2)
const vitestOk = run('vitest', bin('vitest'), [
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${outFile}`,
  ...extra,
])
try {
  const results = JSON.parse(readFileSync(outFile, 'utf8')) as {
    numPassedTests: number
    numFailedTests: number
    numPendingTests: number
    numTodoTests: number
    numTotalTests: number
  }
  passed += results.numPassedTests
  failed += results.numFailedTests
  // Skipped or todo tests are failures here: the suite must not skip.
  failed += results.numPendingTests + results.numTodoTests
  if (!vitestOk && results.numFailedTests === 0) failed++ // e.g. a file that failed to load
} catch {
  failed++
}
rmSync(outDir, { recursive: true, force: true })
console.log(`\n${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
