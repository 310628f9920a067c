// Quick grouped leave-one-source-out for model variants while the nested harness is not there: sources of one
// upstream repository are held out together; each fold trains on the rest and scores the held-out rows through the
// full engine (uncalibrated attack logit). Prints pooled TPR at 1% FPR and the macro over attack sources.
// Usage: PORTCULLIS_CORPUS=… npx tsx scripts/screen/loso-quick.ts <variant…>   (variants: VARIANTS below)
import { compileScreen, scanText } from '../../shared/screen/engine.ts'
import { screenPolicySchema } from '../../shared/screen/policy-schema.ts'
import { type CorpusRow, groupOf, loadCorpus } from './corpus.ts'
import { DEFAULT_MODEL, type ModelOptions, trainModel } from './train-model.ts'

export const VARIANTS: Record<string, Partial<ModelOptions> | null> = {
  rules: null,
  chars: { words: false, negative: false, capMin: 0, capMax: 1 },
  concepts: { chars: false },
  'concepts+chars': {},
  'concepts+chars-signed': { negative: true, capMin: -2 },
}

const policy = screenPolicySchema.parse({})

function evaluate(rows: readonly CorpusRow[], scores: Map<string, number>): string {
  const benign = rows.filter((r) => r.label === 'benign').map((r) => scores.get(r.id)!)
  benign.sort((a, b) => b - a)
  const thr = benign[Math.floor(0.01 * benign.length)]! + 1e-9
  const attacks = rows.filter((r) => r.label === 'attack')
  const rate = (rs: readonly CorpusRow[]) => rs.filter((r) => scores.get(r.id)! >= thr).length / Math.max(1, rs.length)
  const bySource = new Map<string, CorpusRow[]>()
  for (const r of attacks) bySource.set(r.source, [...(bySource.get(r.source) ?? []), r])
  const per = [...bySource].map(([s, rs]) => [s, rate(rs)] as const)
  const macro = per.reduce((a, [, t]) => a + t, 0) / per.length
  const langs = new Map<string, CorpusRow[]>()
  for (const r of attacks) langs.set(r.lang, [...(langs.get(r.lang) ?? []), r])
  const perLang = [...langs].filter(([, rs]) => rs.length >= 20).map(([l, rs]) => `${l} ${rate(rs).toFixed(2)}`)
  const worstBenign = new Map<string, CorpusRow[]>()
  for (const r of rows) if (r.label === 'benign') worstBenign.set(r.source, [...(worstBenign.get(r.source) ?? []), r])
  const fp = [...worstBenign].map(([s, rs]) => [s, rate(rs)] as const).sort((a, b) => b[1] - a[1])
  return (
    `pooled TPR@1%FPR ${rate(attacks).toFixed(3)}  macro ${macro.toFixed(3)}  worst ${Math.min(...per.map((p) => p[1])).toFixed(3)}\n` +
    `  per source: ${per.map(([s, t]) => `${s} ${t.toFixed(2)}`).join(', ')}\n  per lang: ${perLang.join(', ')}\n` +
    `  worst benign at that threshold: ${fp
      .slice(0, 4)
      .map(([s, t]) => `${s} ${t.toFixed(3)}`)
      .join(', ')}`
  )
}

function main(): void {
  const rows = loadCorpus()
  const group = groupOf(rows)
  const groups = [...new Set(rows.map(group))]
  for (const name of process.argv.slice(2)) {
    const variant = VARIANTS[name]
    if (variant === undefined) throw new Error(`unknown variant ${name}`)
    const t0 = Date.now()
    const scores = new Map<string, number>()
    let trainMs = 0
    for (const g of groups) {
      const held = rows.filter((r) => group(r) === g)
      const t1 = Date.now()
      const model =
        variant &&
        trainModel(
          rows.filter((r) => group(r) !== g),
          { ...DEFAULT_MODEL, ...variant },
        )
      trainMs += Date.now() - t1
      const screen = model ? compileScreen(policy, model) : compileScreen(policy)
      for (const r of held) scores.set(r.id, variant ? scanText(screen, r.text).attackLogit : rulesOnly(r.text))
      process.stderr.write(`\r${name}: ${g} (${scores.size}/${rows.length})          `)
    }
    process.stderr.write('\n')
    console.log(
      `${name} (${groups.length} groups, ${((Date.now() - t0) / 1000).toFixed(0)} s, train ${(trainMs / groups.length).toFixed(0)} ms/fold): ${evaluate(rows, scores)}`,
    )
  }
}

let zero: ReturnType<typeof compileScreen> | null = null
function rulesOnly(text: string): number {
  zero ??= compileScreen(policy, trainModel([], { ...DEFAULT_MODEL, epochs: 0 }))
  return scanText(zero, text).attackLogit
}

main()
