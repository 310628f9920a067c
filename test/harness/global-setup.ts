// Runs once before the suite: compiles the policies so every test sees the same generated module.
import { buildPolicies } from '../../scripts/build-policies.ts'

export default async function setup(): Promise<void> {
  await buildPolicies({ quiet: true })
}
