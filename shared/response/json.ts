// Non-streamed answers: every assistant text of a chat or legacy completion (content, refusal, tool_calls
// arguments, text) goes through the same windows as a stream, flushed at once. A block is a tagged result the
// stage turns into 403 response.<category>; text that is not a JSON object fails closed (upstream.bad_response).
import type { ErrorCode } from '../errors.ts'
import type { AnswerGuard } from './guard.ts'

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

export type JsonOutcome =
  | { readonly ok: true; readonly text: string; readonly changed: boolean }
  | { readonly ok: false; readonly code: ErrorCode }

export function guardJsonAnswer(text: string, guard: AnswerGuard): JsonOutcome {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return { ok: false, code: 'upstream.bad_response' }
  }
  guard.decision.done = true
  if (!isObject(body) || !Array.isArray(body.choices)) return { ok: true, text, changed: false }
  let changed = false
  for (const [position, choice] of body.choices.entries()) {
    if (!isObject(choice)) continue
    const index = typeof choice.index === 'number' ? choice.index : position
    const fields: [Json, string, string][] = []
    if (typeof choice.text === 'string') fields.push([choice, 'text', 'text'])
    if (isObject(choice.message)) {
      const m = choice.message
      fields.push([m, 'content', 'content'], [m, 'refusal', 'refusal'])
      const calls = Array.isArray(m.tool_calls) ? m.tool_calls : []
      for (const [k, call] of calls.entries())
        if (isObject(call) && isObject(call.function))
          fields.push([call.function, 'arguments', `tool_calls.${k}.arguments`])
    }
    for (const [owner, key, field] of fields) {
      const value = owner[key]
      if (typeof value !== 'string') continue
      const { text: out, block } = guard.window(index, field).push(value, true)
      if (block !== null) return { ok: false, code: block.code }
      if (out !== value) {
        owner[key] = out
        changed = true
      }
    }
  }
  return changed ? { ok: true, text: JSON.stringify(body), changed } : { ok: true, text, changed }
}
