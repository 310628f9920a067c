// `npm run bench [-- --json] [-- --only gateway,screen] [-- --quick]`: every benchmark, side by side in one run. Figures
// are reported (and compared with their targets in the README), never asserted — a benchmark is not a test.
import { parseArgs } from 'node:util'
import { benchGateway } from './gateway.ts'
import { benchLimit } from './limit.ts'
import { benchScreen } from './screen.ts'
import { benchTxnToken } from './txn-token.ts'

const SUITES: Record<string, () => Promise<Record<string, number>>> = {
  gateway: benchGateway,
  'txn-token': benchTxnToken,
  limit: benchLimit,
  screen: () => benchScreen({ quick: values.quick }),
}

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    only: { type: 'string' },
    quick: { type: 'boolean', default: false }, // fewer screen folds
  },
})

async function main(): Promise<void> {
  const wanted = values.only ? values.only.split(',') : Object.keys(SUITES)
  const result: Record<string, number> = {}
  for (const name of wanted) {
    const suite = SUITES[name]
    if (!suite) throw new Error(`unknown suite "${name}" (have: ${Object.keys(SUITES).join(', ')})`)
    if (!values.json) process.stderr.write(`bench: ${name}…\n`)
    Object.assign(result, await suite())
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`)
    return
  }
  const width = Math.max(...Object.keys(result).map((k) => k.length))
  for (const [k, v] of Object.entries(result)) process.stdout.write(`${k.padEnd(width)}  ${v}\n`)
}

main().catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
})
