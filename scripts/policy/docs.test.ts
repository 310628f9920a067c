// The README's field reference is generated from the schema; this fails when a schema change was not followed
// by `npx tsx scripts/policy/docs.ts`, and when a field has no explanation at all.
import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { END, fieldReference, normalizeTables, README_PATH, START, withReference } from './docs.ts'

describe('policies/README.md field reference', () => {
  it('is up to date with policies/schema.json (run: npx tsx scripts/policy/docs.ts)', async () => {
    const readme = await readFile(README_PATH, 'utf8')
    expect(readme).toContain(START)
    expect(readme).toContain(END)
    expect(normalizeTables(withReference(readme))).toBe(normalizeTables(readme))
  })

  it('explains every field', () => {
    const undocumented = fieldReference()
      .split('\n')
      .filter((row) => row.endsWith('|  |'))
      .map((row) => row.split('|')[1]?.trim())
    expect(undocumented).toEqual([])
  })
})
