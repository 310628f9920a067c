// The Debian packages the suite needs beyond npm, declared once: `npm test` checks them first and, running as root
// where apt-get exists (CI, a fresh VM), installs what is missing; anywhere else it stops at once with the one
// command to run. The trade-off: a suite that installs system packages itself, but never silently skips a test.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

export interface SystemPackage {
  /** Debian package name (what apt-get installs). */
  readonly apt: string
  /** Which tests need it. */
  readonly why: string
  /** Whether it is usable on this machine. */
  readonly present: () => boolean
}

const onPath = (command: string): boolean => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0

export const SYSTEM_PACKAGES: readonly SystemPackage[] = [
  {
    apt: 'redis-server',
    why: 'the Upstash limiter backend runs against a real Redis behind the local REST bridge',
    present: () => onPath(process.env.REDIS_SERVER ?? 'redis-server'),
  },
  {
    apt: 'python3-jwt',
    why: 'the context-token interop tests verify with PyJWT, an independent JOSE implementation',
    // Debian's interpreter: python3-jwt installs there, not into a python3 that may come first on PATH.
    present: () => spawnSync('/usr/bin/python3', ['-c', 'import jwt']).status === 0,
  },
  {
    apt: 'chromium',
    why: 'pages are tested in a real browser (playwright-core drives Debian chromium)',
    present: () => existsSync('/usr/bin/chromium'),
  },
]

export type EnsureResult = { ok: true; installed: readonly string[] } | { ok: false; message: string }

/** Checks every package; installs the missing ones with apt-get when running as root, else says what to run. */
export function ensureSystemPackages(
  packages: readonly SystemPackage[] = SYSTEM_PACKAGES,
  opts: { log?: (line: string) => void; isRoot?: boolean } = {},
): EnsureResult {
  const log = opts.log ?? console.log
  const missing = packages.filter((p) => !p.present())
  if (missing.length === 0) return { ok: true, installed: [] }
  const names = missing.map((p) => p.apt)
  const command = `apt-get update && apt-get install -y ${names.join(' ')}`
  const reasons = missing.map((p) => `  ${p.apt}: ${p.why}`).join('\n')
  const isRoot = opts.isRoot ?? (typeof process.getuid === 'function' && process.getuid() === 0)
  if (!isRoot || !onPath('apt-get'))
    return { ok: false, message: `missing system packages:\n${reasons}\ninstall them first (as root): ${command}` }
  log(`installing missing system packages: ${names.join(' ')}`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  const steps = [
    ['apt-get', ['update', '-qq']],
    ['apt-get', ['install', '-y', '-qq', ...names]],
  ] as const
  for (const [cmd, args] of steps) {
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'], env })
    if (r.status !== 0)
      return { ok: false, message: `${cmd} ${args.join(' ')} failed (exit ${r.status}); run: ${command}` }
  }
  const still = missing.filter((p) => !p.present()).map((p) => p.apt)
  if (still.length > 0) return { ok: false, message: `still missing after apt-get: ${still.join(' ')}` }
  return { ok: true, installed: names }
}
