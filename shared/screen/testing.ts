// Test fixtures shared by the screen's tests: the default policy compiled once, and the attack score the phrase,
// engine and calibration tables compare against the injection threshold.
import { compileScreen, scanText } from './engine.ts'
import { screenPolicySchema } from './policy-schema.ts'

export const defaultPolicy = screenPolicySchema.parse({})
export const defaultScreen = compileScreen(defaultPolicy)
export const injectionThreshold = defaultPolicy.categories.injection.threshold

/** The highest of the injection, jailbreak and extraction scores of `text` as a user message. */
export function attackScore(text: string): number {
  const s = scanText(defaultScreen, text).scores
  return Math.max(s.injection, s.jailbreak, s.extraction)
}
