// The real gateway entry with its DECISIONS binding wrapped: every Analytics Engine point is passed on to
// Miniflare's own simulator (which keeps nothing readable) and also kept here, with the write time, so a test
// can read back exactly what a request wrote from GET /__points (a path no tenant route uses).

import type { Env } from '../../workers/gateway/env.ts'
import gateway from '../../workers/gateway/index.ts'

export * from '../../workers/gateway/index.ts'

export interface RecordedPoint extends AnalyticsEngineDataPoint {
  readonly timestamp: number
}

const points: RecordedPoint[] = []

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    if (new URL(request.url).pathname === '/__points') return Response.json(points.splice(0))
    const inner = env.DECISIONS
    const recording: AnalyticsEngineDataset = {
      writeDataPoint(point) {
        points.push({ ...point, timestamp: Date.now() })
        inner?.writeDataPoint(point)
      },
    }
    return gateway.fetch(request, { ...env, DECISIONS: recording }, ctx)
  },
}
