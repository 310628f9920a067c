// Turns zod issues into the short, fixed sentences a policy author reads after `file:line field:`. Looks the
// field up in the JSON Schema generated from the same zod schema, so "integer" vs "number" and the allowed
// field names (for "did you mean …?") come from the one source of truth. Build-time only, never in the Worker.
import { z } from 'zod'
import { policySchema } from './schema.ts'

type JsonSchema = {
  type?: string | string[]
  properties?: Record<string, JsonSchema>
  additionalProperties?: JsonSchema | boolean
  items?: JsonSchema
  anyOf?: JsonSchema[]
  allOf?: JsonSchema[]
}

let cached: JsonSchema | null = null
const rootSchema = (): JsonSchema => {
  cached ??= z.toJSONSchema(policySchema, { io: 'input', unrepresentable: 'any' }) as JsonSchema
  return cached
}

/** Every schema a value at `path` may have to satisfy (unions fan out). */
function schemasAt(path: readonly PropertyKey[]): JsonSchema[] {
  let current: JsonSchema[] = [rootSchema()]
  for (const key of path) {
    const next: JsonSchema[] = []
    for (const s of current.flatMap(expand)) {
      if (typeof key === 'number' && s.items) next.push(s.items)
      else if (typeof key === 'string' && s.properties?.[key]) next.push(s.properties[key])
      else if (typeof key === 'string' && typeof s.additionalProperties === 'object') next.push(s.additionalProperties)
    }
    current = next
  }
  return current.flatMap(expand)
}

function expand(s: JsonSchema): JsonSchema[] {
  return [s, ...(s.anyOf ?? []).flatMap(expand), ...(s.allOf ?? []).flatMap(expand)]
}

const isIntegerField = (path: readonly PropertyKey[]) =>
  schemasAt(path).some((s) => s.type === 'integer' || (Array.isArray(s.type) && s.type.includes('integer')))

/** Edit distance, bounded: field names are short. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const keep = row[j] as number
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, prev + cost)
      prev = keep
    }
  }
  return row[b.length] as number
}

/** The closest allowed field name to a typo, if one is close enough to be a plausible intent. */
export function suggestField(parent: readonly PropertyKey[], key: string): string | null {
  const names = [...new Set(schemasAt(parent).flatMap((s) => Object.keys(s.properties ?? {})))]
  let best: string | null = null
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1
  for (const name of names) {
    const d = distance(key, name)
    if (d < bestDistance) {
      best = name
      bestDistance = d
    }
  }
  return best
}

const ARTICLE: Record<string, string> = {
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'a boolean (true or false)',
}

export interface DescribedIssue {
  readonly path: PropertyKey[]
  readonly message: string
}

/** One issue → the field it is about and a sentence. Parse with `{ reportInput: true }` so `input` is set. */
export function describeIssue(issue: z.core.$ZodIssue): DescribedIssue {
  switch (issue.code) {
    case 'unrecognized_keys': {
      const key = issue.keys[0] ?? ''
      const hint = suggestField(issue.path, key)
      return { path: [...issue.path, key], message: `unknown field${hint ? ` (did you mean "${hint}"?)` : ''}` }
    }
    case 'invalid_type': {
      if (issue.input === undefined) return { path: issue.path, message: 'is required' }
      const expected = issue.expected === 'number' && isIntegerField(issue.path) ? 'int' : issue.expected
      return { path: issue.path, message: `must be ${ARTICLE[expected] ?? `a ${expected}`}` }
    }
    case 'invalid_value':
      return { path: issue.path, message: `must be one of ${issue.values.map((v) => String(v)).join(', ')}` }
    case 'too_small': {
      if (issue.origin === 'number') {
        const kind = isIntegerField(issue.path) ? 'integer' : 'number'
        if (Number(issue.minimum) === 0 && !issue.inclusive)
          return { path: issue.path, message: `must be a positive ${kind}` }
        return { path: issue.path, message: `must be ${issue.inclusive ? '≥' : '>'} ${issue.minimum}` }
      }
      const unit = issue.origin === 'string' ? 'character' : 'item'
      const n = Number(issue.minimum)
      return { path: issue.path, message: `must have at least ${n} ${unit}${n === 1 ? '' : 's'}` }
    }
    case 'too_big': {
      if (issue.origin === 'number') {
        return { path: issue.path, message: `must be ${issue.inclusive ? '≤' : '<'} ${issue.maximum}` }
      }
      const unit = issue.origin === 'string' ? 'character' : 'item'
      return { path: issue.path, message: `must have at most ${issue.maximum} ${unit}s` }
    }
    case 'invalid_union': {
      // Each branch failed; when every branch was just the wrong type, name the types it may have.
      const types = issue.errors
        .map((branch) => branch[0])
        .filter((i) => i?.code === 'invalid_type' && i.path.length === 0)
      if (types.length === issue.errors.length && issue.input !== undefined) {
        const names = types.map((i) => ARTICLE[(i as { expected: string }).expected] ?? 'a value')
        return { path: issue.path, message: `must be ${[...new Set(names)].join(' or ')}` }
      }
      if (issue.input === undefined) return { path: issue.path, message: 'is required' }
      return { path: issue.path, message: 'has the wrong shape (see policies/schema.json)' }
    }
    default:
      return { path: issue.path, message: issue.message.replace(/^Invalid input: /, '') }
  }
}
