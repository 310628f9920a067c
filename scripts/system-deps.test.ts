import { describe, expect, it } from 'vitest'
import { ensureSystemPackages, SYSTEM_PACKAGES, type SystemPackage } from './system-deps.ts'

const pkg = (apt: string, present: boolean): SystemPackage => ({ apt, why: `${apt} is needed`, present: () => present })

describe('system packages', () => {
  it('passes when every package is present, installing nothing', () => {
    expect(ensureSystemPackages([pkg('a', true), pkg('b', true)], { isRoot: false })).toEqual({
      ok: true,
      installed: [],
    })
  })

  it('without root, stops at once naming the one command that installs what is missing', () => {
    const r = ensureSystemPackages([pkg('present-one', true), pkg('missing-one', false), pkg('missing-two', false)], {
      isRoot: false,
    })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.message).toContain('apt-get update && apt-get install -y missing-one missing-two')
    expect(r.message).toContain('missing-one is needed')
    expect(r.message).not.toContain('present-one')
  })

  it.each(SYSTEM_PACKAGES.map((p) => [p.apt, p]))('%s is installed here (npm test installs it first)', (_, p) => {
    expect(p.present()).toBe(true)
  })
})
