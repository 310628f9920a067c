// Runs the Analytics Engine SQL examples from docs/telemetry.md on PGlite (Postgres in WebAssembly). AE speaks
// a ClickHouse dialect; the three constructs the examples use are rewritten mechanically and nothing else:
// toStartOfInterval(ts, INTERVAL 'n' UNIT) → date_trunc, quantileExactWeighted(q)(x, w) → percentile_disc (the
// weight is dropped, which is exact only while every point has _sample_interval = 1 — loadPoints asserts it),
// and the dataset name is the table name in both.
import type { PGlite } from '@electric-sql/pglite'
import { AE_BLOBS, AE_DOUBLES } from '../../workers/gateway/trace/analytics.ts'
import type { RecordedPoint } from './recording-worker.ts'

export const DATASET = 'portcullis_decisions'

/** ```sql blocks of the doc, each named by the `-- name` comment on its first line. */
export function sqlExamples(doc: string): { name: string; sql: string }[] {
  return [...doc.matchAll(/```sql\n-- ([^\n]+)\n([\s\S]*?)```/g)].map((m) => ({
    name: m[1] as string,
    sql: m[2] as string,
  }))
}

export function aeToPostgres(sql: string): string {
  return sql
    .replace(
      /toStartOfInterval\((\w+),\s*INTERVAL\s*'1'\s*(HOUR|MINUTE|DAY)\)/gi,
      (_m, col: string, unit: string) => `date_trunc('${unit.toLowerCase()}', ${col})`,
    )
    .replace(
      /quantileExactWeighted\(([\d.]+)\)\((\w+),\s*\w+\)/g,
      (_m, q: string, col: string) => `percentile_disc(${q}) WITHIN GROUP (ORDER BY ${col})`,
    )
}

export async function loadPoints(db: PGlite, points: readonly RecordedPoint[]): Promise<void> {
  const blobs = AE_BLOBS.map((_, i) => `blob${i + 1} text`)
  const doubles = AE_DOUBLES.map((_, i) => `double${i + 1} double precision`)
  await db.exec(
    `CREATE TABLE ${DATASET} (timestamp timestamptz, index1 text, _sample_interval integer, ${[...blobs, ...doubles].join(', ')})`,
  )
  for (const p of points) {
    const values = [
      new Date(p.timestamp).toISOString(),
      String(p.indexes?.[0] ?? ''),
      1, // every point written, none sampled away: the weight the rewritten quantile drops is 1
      ...AE_BLOBS.map((_, i) => String(p.blobs?.[i] ?? '')),
      ...AE_DOUBLES.map((_, i) => Number(p.doubles?.[i] ?? 0)),
    ]
    const params = values.map((_, i) => `$${i + 1}`).join(', ')
    await db.query(`INSERT INTO ${DATASET} VALUES (${params})`, values)
  }
}
