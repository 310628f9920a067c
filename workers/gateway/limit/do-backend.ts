// Client side of the Durable Object limiter: groups checks by partition so each identity costs one DO round
// trip, and maps transport failures to LimiterUnavailableError. The clock is a parameter (tests fake it); the DO
// trusts the caller's clock, which Cloudflare keeps in sync across isolates.
import {
  type LimitAdjustment,
  type LimitCheck,
  type LimiterBackend,
  LimiterUnavailableError,
  type LimitOutcome,
} from '../../../shared/limit/backend.ts'
import type { DoRequest } from './durable-object.ts'

export interface DurableObjectBackendOptions {
  readonly namespace: DurableObjectNamespace
  readonly now?: () => number
}

function groupByPartition<T extends { partition: string }>(items: readonly T[]): Map<string, number[]> {
  const groups = new Map<string, number[]>()
  items.forEach((item, i) => {
    const group = groups.get(item.partition)
    if (group) group.push(i)
    else groups.set(item.partition, [i])
  })
  return groups
}

export function createDurableObjectBackend(options: DurableObjectBackendOptions): LimiterBackend {
  const now = options.now ?? Date.now

  async function send<T>(partition: string, request: DoRequest): Promise<T> {
    let response: Response
    try {
      const stub = options.namespace.get(options.namespace.idFromName(partition))
      response = await stub.fetch('https://limiter.internal/', { method: 'POST', body: JSON.stringify(request) })
    } catch (cause) {
      throw new LimiterUnavailableError('transport', { cause })
    }
    if (!response.ok) throw new LimiterUnavailableError('transport')
    return (await response.json()) as T
  }

  return {
    name: 'durable-object',
    async consume(checks: readonly LimitCheck[]): Promise<LimitOutcome[]> {
      const nowMs = now()
      const outcomes: LimitOutcome[] = new Array(checks.length)
      await Promise.all(
        [...groupByPartition(checks)].map(async ([partition, indexes]) => {
          const group = indexes.map((i) => checks[i]!)
          const results = await send<LimitOutcome[]>(partition, {
            op: 'consume',
            nowMs,
            checks: group.map(({ key, limit, windowSeconds, cost, extra, ceiling }) => ({
              key,
              limit,
              windowSeconds,
              cost,
              ...(extra ? { extra, ceiling: ceiling ?? limit } : {}),
            })),
          })
          if (!Array.isArray(results) || results.length !== group.length) throw new LimiterUnavailableError('transport')
          indexes.forEach((checkIndex, j) => {
            outcomes[checkIndex] = results[j]!
          })
        }),
      )
      return outcomes
    },
    async adjust(adjustments: readonly LimitAdjustment[]): Promise<void> {
      const nowMs = now()
      await Promise.all(
        [...groupByPartition(adjustments)].map(([partition, indexes]) =>
          send(partition, {
            op: 'adjust',
            nowMs,
            adjustments: indexes.map((i) => {
              const { key, windowSeconds, delta } = adjustments[i]!
              return { key, windowSeconds, delta }
            }),
          }),
        ),
      )
    },
  }
}
