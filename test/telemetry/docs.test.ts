// docs/telemetry.md is the schema operators read: every decision-log field is documented, and the Analytics Engine
// tables list exactly the columns analytics.ts writes, in order.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { AE_BLOBS, AE_DOUBLES } from '../../workers/gateway/trace/analytics.ts'
import { decisionLogSchema } from '../../workers/gateway/trace/log-schema.ts'

const DOC = readFileSync(new URL('../../docs/telemetry.md', import.meta.url), 'utf8')

function table(marker: string): [string, string][] {
  const part = DOC.slice(DOC.indexOf(`<!-- ${marker}:start -->`), DOC.indexOf(`<!-- ${marker}:end -->`))
  return part
    .split('\n')
    .filter((l) => /^\| (blob|double)\d+ /.test(l))
    .map((l) => l.split('|').map((c) => c.trim()))
    .map((cells) => [cells[1] as string, cells[2] as string])
}

describe('docs/telemetry.md', () => {
  it('documents every decision-log field', () => {
    const fields = Object.keys(decisionLogSchema.shape)
    expect(fields.filter((f) => !DOC.includes(`\`${f}\``))).toEqual([])
  })

  it('lists the blob and double columns exactly as written', () => {
    expect(table('ae-blobs')).toEqual(AE_BLOBS.map((b, i) => [`blob${i + 1}`, b]))
    expect(table('ae-doubles')).toEqual(AE_DOUBLES.map((d, i) => [`double${i + 1}`, d]))
  })
})
