// The phrase-rule audit as a bench table: for every rule, its worst benign source (firing rate), how many benign
// sources it fires on above 0.5% (those demote it: it may not block alone), and its recall on attack sources
// (macro, best source). The full matrix goes to .bench/screen-rule-audit.json.
import { mkdirSync, writeFileSync } from 'node:fs'
import type { CorpusRow } from '../../scripts/screen/corpus.ts'
import { MAX_BENIGN_FIRE_RATE, ruleStats } from '../../scripts/screen/rule-audit.ts'

export function ruleAuditLines(rows: readonly CorpusRow[]): string[] {
  const stats = ruleStats(rows)
  mkdirSync('.bench', { recursive: true })
  writeFileSync('.bench/screen-rule-audit.json', `${JSON.stringify(stats, null, 1)}\n`)
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(6)
  const lines = [
    'rule                     weight  worst benign source        rate  noisy  attack macro  best attack source',
  ]
  for (const s of stats) {
    const [worstSource, worst] = Object.entries(s.benign).sort((a, b) => b[1] - a[1])[0] ?? ['-', 0]
    const noisy = Object.values(s.benign).filter((r) => r > MAX_BENIGN_FIRE_RATE).length
    const attack = Object.entries(s.attack).sort((a, b) => b[1] - a[1])
    const macro = attack.reduce((a, [, r]) => a + r, 0) / Math.max(1, attack.length)
    const [bestSource, best] = attack[0] ?? ['-', 0]
    lines.push(
      `${s.rule.padEnd(24)} ${s.weight.toFixed(1).padStart(6)}  ${worstSource.padEnd(22)} ${pct(worst)}  ${String(noisy).padStart(5)}  ${pct(macro).padStart(12)}  ${bestSource} ${pct(best).trim()}`,
    )
  }
  return lines
}
