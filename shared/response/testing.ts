// Test fixtures for the response guard: a guard from a policy input, and a stream fed delta by delta.
import { compileResponse } from './detect.ts'
import { AnswerGuard } from './guard.ts'
import { fingerprint } from './leak.ts'
import { type ResponsePolicyInput, responsePolicySchema } from './policy-schema.ts'
import { emptyResponseDecision } from './types.ts'

/** A well-formed OpenAI-style key (the detector's length and alphabet rules; not a real credential). */
export const FAKE_OPENAI_KEY = 'sk-test1234567890abcdefGHIJKLmnopqrstuvWXYZ0987'
export const FAKE_AWS_KEY = 'AKIAIOSFODNN7EXAMPLE'

export function testGuard(
  input: ResponsePolicyInput = {},
  memory: { pseudonyms?: Record<string, string>; system?: string[]; shadowMode?: boolean } = {},
): AnswerGuard {
  const policy = responsePolicySchema.parse(input)
  return new AnswerGuard(
    compileResponse(policy),
    { pseudonyms: new Map(Object.entries(memory.pseudonyms ?? {})), fingerprints: fingerprint(memory.system ?? []) },
    emptyResponseDecision(),
    { shadowMode: memory.shadowMode ?? false },
  )
}

/** Feeds `deltas` to one window (the last one final) and returns what the caller would see, joined. */
export function streamThrough(guard: AnswerGuard, deltas: readonly string[]): { text: string; blocked: string | null } {
  const w = guard.window(0, 'content')
  let text = ''
  for (const [i, d] of deltas.entries()) {
    const out = w.push(d, i === deltas.length - 1)
    if (out.block !== null) return { text, blocked: out.block.code }
    text += out.text
  }
  return { text, blocked: null }
}

/** Every way to cut `text` into two pieces, and a few three-piece cuts. */
export function splits(text: string): string[][] {
  const out: string[][] = []
  for (let i = 1; i < text.length; i++) out.push([text.slice(0, i), text.slice(i), ''])
  for (let i = 1; i < text.length - 2; i += 3)
    for (let j = i + 1; j < text.length; j += 5) out.push([text.slice(0, i), text.slice(i, j), text.slice(j), ''])
  return out
}
