// `npm run policy:check [-- --tenant <id>]`: validate every policy, then replay every fixture through the real
// gateway in workerd. Exits non-zero with a field-by-field diff on any mismatch. Also runs inside `npm test`
// (scripts/policy/check.test.ts).
import { parseArgs } from 'node:util'
import { runPolicyCheck } from './policy/check.ts'

const { values } = parseArgs({ options: { tenant: { type: 'string', multiple: true } } })

runPolicyCheck(values.tenant ? { tenants: values.tenant } : {}).then(
  (report) => {
    console.log(report.text)
    process.exitCode = report.ok ? 0 : 1
  },
  (err: unknown) => {
    console.error(`policy:check: ${err instanceof Error ? err.message : String(err)}`)
    process.exit(1)
  },
)
