// The inspector's two small charts as inline SVG, rendered on the server: median decision time per edge stage,
// and refusals by code per minute. No charting library: two bar charts are a few rectangles, and the page stays
// one self-contained file with nothing to fetch from the internet.
import { TIMED_STAGES } from '../../../workers/gateway/trace/timing.ts'
import { type InspectedRecord, isRefusal, outcomeOf } from './store.ts'

export const LATENCY_WINDOW_MS = 5 * 60_000 // "the last minutes": long enough to see a trend, short enough to react
export const REFUSAL_MINUTES = 10
const PALETTE = ['#d1495b', '#edae49', '#00798c', '#30638e', '#7b2cbf', '#6a994e', '#bc4749', '#3d405b']

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)

function median(values: number[]): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor((sorted.length - 1) / 2)] as number
}

export function stageLatencySvg(records: readonly InspectedRecord[], now: number): string {
  const recent = records.filter((r) => now - r.receivedAt <= LATENCY_WINDOW_MS)
  const stages = TIMED_STAGES.filter((s) => s !== 'upstream')
  const values = stages.map((s) =>
    median(
      recent
        .map((r) => (r.decision.stages as Record<string, number | undefined>)[s])
        .filter((v) => v !== undefined) as number[],
    ),
  )
  const max = Math.max(0.01, ...values)
  const row = 18
  const bars = stages.map((s, i) => {
    const w = Math.round(((values[i] as number) / max) * 200)
    const y = i * row
    return `<text x="0" y="${y + 13}" font-size="11">${s}</text><rect x="60" y="${y + 3}" width="${w}" height="12" fill="#30638e"/><text x="${64 + w}" y="${y + 13}" font-size="11">${(values[i] as number).toFixed(2)} ms</text>`
  })
  return `<svg id="chart-latency" role="img" aria-label="median decision time per stage, last 5 minutes" width="340" height="${stages.length * row}" xmlns="http://www.w3.org/2000/svg">${bars.join('')}</svg>`
}

export function refusalsSvg(records: readonly InspectedRecord[], now: number): string {
  const minute = 60_000
  const start = Math.floor(now / minute) * minute - (REFUSAL_MINUTES - 1) * minute
  const codes = [...new Set(records.map(outcomeOf).filter(isRefusal))].sort()
  const buckets = Array.from({ length: REFUSAL_MINUTES }, () => new Map<string, number>())
  for (const r of records) {
    const code = outcomeOf(r)
    const i = Math.floor((r.receivedAt - start) / minute)
    if (!isRefusal(code) || i < 0 || i >= REFUSAL_MINUTES) continue
    const b = buckets[i] as Map<string, number>
    b.set(code, (b.get(code) ?? 0) + 1)
  }
  const max = Math.max(1, ...buckets.map((b) => [...b.values()].reduce((a, n) => a + n, 0)))
  const height = 80
  const colW = 24
  const cols = buckets.map((b, i) => {
    let y = height
    return codes
      .map((code, k) => {
        const n = b.get(code) ?? 0
        if (n === 0) return ''
        const h = Math.max(2, Math.round((n / max) * height))
        y -= h
        return `<rect x="${i * colW}" y="${y}" width="${colW - 4}" height="${h}" fill="${PALETTE[k % PALETTE.length]}" data-code="${esc(code)}" data-count="${n}"><title>${esc(code)}: ${n}</title></rect>`
      })
      .join('')
  })
  const legend = codes.map(
    (code, k) =>
      `<rect x="0" y="${height + 8 + k * 14}" width="10" height="10" fill="${PALETTE[k % PALETTE.length]}"/><text x="14" y="${height + 17 + k * 14}" font-size="11">${esc(code)}</text>`,
  )
  const total = height + 12 + codes.length * 14
  return `<svg id="chart-refusals" role="img" aria-label="refusals by code per minute, last ${REFUSAL_MINUTES} minutes" width="${REFUSAL_MINUTES * colW}" height="${total}" xmlns="http://www.w3.org/2000/svg"><line x1="0" y1="${height}" x2="${REFUSAL_MINUTES * colW}" y2="${height}" stroke="#999"/>${cols.join('')}${legend.join('')}</svg>`
}
