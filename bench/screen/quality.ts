// Quality half of the screen bench: nested leave-one-group-out (bench/screen/nested.ts) for every variant, then
// the figures for the rules alone, the model alone and the shipped combination, the evasion pass and long documents
// on the shipped variant's held-out screens. Per-row out-of-fold results go to .bench/ (git-ignored) to inspect.
import { mkdirSync, writeFileSync } from 'node:fs'
import { type CorpusRow, groupOf, loadCorpus } from '../../scripts/screen/corpus.ts'
import { progress } from '../../scripts/screen/progress.ts'
import { firedRules } from '../../scripts/screen/rule-audit.ts'
import { DISCUSSION_PADDING, EVASIONS } from './evasions.ts'
import { dealGroups, type NestedRun, runNested, verdictOf } from './nested.ts'
import { type Judged, summarize, type TableRow, table } from './report.ts'
import { SHIPPED_VARIANT, VARIANTS, warmFeatures } from './variants.ts'

export interface QualityReport {
  readonly metrics: Record<string, number>
  /** label, n, then blocked / blocked-or-flagged / at the 1%-FPR threshold for shipped, rules, model. */
  readonly rows: [string, number, ...number[]][]
}

export interface QualityOptions {
  /** Fewer folds (6 outer folds of groups, inner 3) for a quick look; the full run holds out each group alone. */
  readonly quick?: boolean
  readonly log?: (line: string) => void
}

const QUICK_OUTER = 6
const QUICK_INNER = 3
const FULL_INNER = 4 // inner grouped K-fold: K≈4 keeps ~170 trainings per variant inside the bench budget
const BENCH_DIR = '.bench'

/** Long benign documents (4–20 KB) made of consecutive benign rows of one source, as production prompts are long
 * documents: each is scored by the fold that never saw its source. `attack` is set when an attack row of another
 * source is spliced into the middle (an indirect injection inside a document). */
export function longDocuments(
  rows: readonly CorpusRow[],
  count = 120,
): { source: string; text: string; attack?: CorpusRow }[] {
  const docs: { source: string; text: string; attack?: CorpusRow }[] = []
  const bySource = new Map<string, CorpusRow[]>()
  for (const r of rows) if (r.label === 'benign') bySource.set(r.source, [...(bySource.get(r.source) ?? []), r])
  const sources = [...bySource.keys()].sort()
  const attacks = rows.filter((r) => r.label === 'attack')
  let cursor = 0
  for (let d = 0; d < count && sources.length > 0; d++) {
    const source = sources[d % sources.length]!
    const pool = bySource.get(source)!
    const size = 4096 + ((d * 7919) % 16384) // 4–20 KB, spread deterministically
    const parts: string[] = []
    let len = 0
    for (let k = 0; len < size && k < pool.length; k++) {
      const t = pool[(cursor + k) % pool.length]!.text
      parts.push(t)
      len += t.length + 2
    }
    cursor += parts.length
    docs.push({ source, text: parts.join('\n\n') })
    const attack = attacks[(d * 131) % Math.max(1, attacks.length)]
    if (attack) {
      const mid = Math.floor(parts.length / 2)
      docs.push({
        source: attack.source,
        text: [...parts.slice(0, mid), attack.text, ...parts.slice(mid)].join('\n\n'),
        attack,
      })
    }
  }
  return docs
}

const rate = (xs: readonly { blocked: boolean }[]) => xs.filter((x) => x.blocked).length / Math.max(1, xs.length)

function merged(tables: readonly TableRow[][]): QualityReport['rows'] {
  const keyed = new Map<string, [string, number, ...number[]]>()
  tables.forEach((t, k) => {
    for (const [label, n, ...figures] of t) {
      const row = keyed.get(label) ?? [label, n, ...Array<number>(3 * tables.length).fill(Number.NaN)]
      row.splice(2 + 3 * k, 3, ...figures)
      keyed.set(label, row)
    }
  })
  return [...keyed.values()]
}

function writeRows(runs: readonly NestedRun[]): void {
  mkdirSync(BENCH_DIR, { recursive: true })
  const byId = runs.map((run) => new Map(run.rows.map((r) => [r.row.id, r])))
  const lines = runs[0]!.rows.map(({ row, group }) => {
    const per = Object.fromEntries(
      runs.map((run, k) => {
        const r = byId[k]!.get(row.id)!
        const { attack, rank, verdict, model, modelVerdict } = r
        return [run.variant, { attack, rank, verdict, model, modelVerdict }]
      }),
    )
    const { text: _text, ...meta } = row
    return JSON.stringify({ ...meta, group, ...per })
  })
  writeFileSync(`${BENCH_DIR}/screen-nested.jsonl`, `${lines.join('\n')}\n`)
  writeFileSync(
    `${BENCH_DIR}/screen-nested-folds.json`,
    `${JSON.stringify(runs.map((r) => ({ variant: r.variant, folds: r.folds })))}\n`,
  )
}

export function benchQuality(opts: QualityOptions = {}): QualityReport {
  const log = opts.log ?? (() => {})
  const rows = loadCorpus()
  const group = groupOf(rows)
  const groups = [...new Set(rows.map(group))].sort()
  const outer = opts.quick ? dealGroups(rows, group, QUICK_OUTER) : groups.map((g) => [g])
  const innerK = opts.quick ? QUICK_INNER : FULL_INNER
  const started = Date.now()
  log(
    `nested leave-one-group-out: ${outer.length} outer folds × (${innerK} inner + 1) trainings × ${VARIANTS.length} variants`,
  )
  warmFeatures(rows)
  firedRules(rows)
  const bar = progress('screen nested', VARIANTS.length * outer.length * (innerK + 1))
  let steps = 0
  const runs = VARIANTS.map((v) => runNested(rows, v, { outer, innerK, tick: (d) => bar.update(++steps, d) }))
  bar.done()
  writeRows(runs)
  const shipped = runs.find((r) => r.variant === SHIPPED_VARIANT.name)!
  const rules = runs.find((r) => r.variant === 'rules')!
  const judged = (run: NestedRun): Judged[] => run.rows.map((r) => ({ row: r.row, score: r.rank, verdict: r.verdict }))
  const modelAlone: Judged[] = shipped.rows.map((r) => ({ row: r.row, score: r.modelRank, verdict: r.modelVerdict }))
  const metrics: Record<string, number> = {
    ...summarize('screen', judged(shipped)),
    ...summarize('screen_rules', judged(rules)),
    ...summarize('screen_model', modelAlone),
  }
  for (const run of runs)
    if (run !== shipped && run !== rules)
      Object.assign(metrics, summarize(`screen_variant_${run.variant}`, judged(run)))
  const allAttacks = shipped.rows.filter((r) => r.row.label === 'attack')
  const heldoutTpr = allAttacks.filter((r) => r.verdict === 'block').length / Math.max(1, allAttacks.length)
  metrics.screen_heldout_tpr = heldoutTpr
  metrics.screen_demoted_rules_mean =
    shipped.folds.reduce((a, f) => a + f.demoted.length, 0) / Math.max(1, shipped.folds.length)
  const out = merged([table(judged(shipped)), table(judged(rules)), table(modelAlone)])
  const screenOf = (row: CorpusRow) => shipped.screens.get(group(row))!
  const docs = longDocuments(rows).map((d) => {
    const holder = d.attack ?? rows.find((r) => r.source === d.source)!
    return {
      source: d.source,
      attack: d.attack !== undefined,
      blocked: verdictOf(screenOf(holder), d.text).verdict === 'block',
    }
  })
  const longBenign = docs.filter((d) => !d.attack)
  const longAttack = docs.filter((d) => d.attack)
  out.push(['long benign document (4-20 KB)', longBenign.length, rate(longBenign)])
  out.push(['long document + spliced attack', longAttack.length, rate(longAttack)])
  const caughtIds = new Set(shipped.rows.filter((r) => r.verdict !== 'allow').map((r) => r.row.id))
  const evasionTpr: number[] = []
  const evasionFpr: number[] = []
  const sample = opts.quick ? rows.filter((_, i) => i % 4 === 0) : rows
  let paddingTpr = 0
  let paddingCaught = 0
  for (const [name, transform] of [...Object.entries(EVASIONS), ['discussion_padding', DISCUSSION_PADDING] as const]) {
    const ev = sample.map((row) => {
      const v = verdictOf(screenOf(row), transform(row.text)).verdict
      return { row, blocked: v === 'block', caught: v !== 'allow' }
    })
    const evAttacks = ev.filter((s) => s.row.label === 'attack')
    const evBenign = ev.filter((s) => s.row.label === 'benign')
    if (transform === DISCUSSION_PADDING) {
      paddingTpr = rate(evAttacks)
      paddingCaught = evAttacks.filter((s) => s.caught).length / Math.max(1, evAttacks.length)
    } else {
      evasionTpr.push(rate(evAttacks))
      evasionFpr.push(rate(evBenign))
    }
    out.push([`evasion=${name} attack`, evAttacks.length, rate(evAttacks)])
    out.push([`evasion=${name} benign`, evBenign.length, rate(evBenign)])
  }
  const baseTpr =
    sample === rows
      ? heldoutTpr
      : rate(
          sample
            .filter((r) => r.label === 'attack')
            .map((row) => ({ blocked: shipped.rows.find((s) => s.row.id === row.id)!.verdict === 'block' })),
        )
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
  Object.assign(metrics, {
    screen_evasion_tpr_drop: baseTpr - mean(evasionTpr),
    screen_evasion_worst_tpr_drop: baseTpr - Math.min(...evasionTpr),
    screen_evasion_block_fpr: mean(evasionFpr),
    screen_evasion_worst_block_fpr: Math.max(...evasionFpr),
    screen_discussion_padding_tpr_drop: baseTpr - paddingTpr,
    screen_discussion_padding_caught_drop:
      rate(sample.filter((r) => r.label === 'attack').map((row) => ({ blocked: caughtIds.has(row.id) }))) -
      paddingCaught,
    screen_long_benign_block_fpr: rate(longBenign),
    screen_long_spliced_attack_tpr: rate(longAttack),
    screen_quality_seconds: (Date.now() - started) / 1000,
  })
  return { metrics, rows: out }
}
