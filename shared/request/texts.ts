// Caller texts, driven by the endpoint catalogue: every string in a prompt-bearing field, with its path in the
// body and the role it speaks as, in body order (message by message). Also the conversation windows — the seams
// between consecutive messages joined — so an instruction split across two or three messages is seen whole.
// Linear in the body: every field path is walked once, and each window copies at most 2 × WINDOW_CHARS.
import { ENDPOINT_CATALOGUE, type Endpoint, type TextField, type TextRole } from './endpoints.ts'

export type Role = Exclude<TextRole, 'message'>
export type Path = readonly (string | number)[]

export interface CallerText {
  readonly path: Path
  readonly role: Role
  readonly text: string
}

type JsonObject = { readonly [key: string]: unknown }
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)

const ROLES = new Set<string>(['system', 'developer', 'user', 'assistant', 'tool'])
/** The legacy `function` role is a tool result; an unknown role is judged as the user. */
const messageRole = (v: unknown): Role =>
  typeof v === 'string' && ROLES.has(v) ? (v as Role) : v === 'function' ? 'tool' : 'user'

interface CompiledField {
  readonly keys: readonly string[]
  /** each[i]: segment i is `name[]` (every element of the array). */
  readonly each: readonly boolean[]
  readonly role: TextRole
  readonly schema: boolean
}

/** The catalogue's text fields, parsed once at module load: `messages[].content` → keys [messages, content]. */
const FIELDS = new Map<Endpoint, readonly CompiledField[]>(
  ENDPOINT_CATALOGUE.map((e) => [
    e.name,
    e.texts.map((f: TextField) => {
      const parts = f.at.split('.')
      return {
        keys: parts.map((p) => (p.endsWith('[]') ? p.slice(0, -2) : p)),
        each: parts.map((p) => p.endsWith('[]')),
        role: f.role,
        schema: f.schema === true,
      }
    }),
  ]),
)

/** Every string leaf of a JSON value (a schema, template kwargs, documents), iteratively. */
function stringLeaves(value: unknown, path: Path, role: Role, out: CallerText[]): void {
  const stack: [unknown, Path][] = [[value, path]]
  while (stack.length > 0) {
    const [v, p] = stack.pop() as [unknown, Path]
    if (typeof v === 'string') {
      if (v.length > 0) out.push({ path: p, role, text: v })
    } else if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], [...p, i]])
    else if (isObject(v)) {
      const keys = Object.keys(v)
      for (let i = keys.length - 1; i >= 0; i--) stack.push([v[keys[i] as string], [...p, keys[i] as string]])
    }
  }
}

function comparePaths(a: Path, b: Path): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a[i] as string | number
    const y = b[i] as string | number
    if (x === y) continue
    if (typeof x === 'number' && typeof y === 'number') return x - y
    return String(x) < String(y) ? -1 : 1
  }
  return a.length - b.length
}

function visit(
  f: CompiledField,
  node: unknown,
  depth: number,
  role: Role,
  path: (string | number)[],
  out: CallerText[],
): void {
  if (depth === f.keys.length) {
    if (f.schema) stringLeaves(node, [...path], role, out)
    else if (typeof node === 'string' && node.length > 0) out.push({ path: [...path], role, text: node })
    return
  }
  if (!isObject(node)) return
  const key = f.keys[depth] as string
  const child = node[key]
  if (child === undefined || !Object.hasOwn(node, key)) return
  path.push(key)
  if (!f.each[depth]) visit(f, child, depth + 1, role, path, out)
  else if (Array.isArray(child))
    for (let i = 0; i < child.length; i++) {
      const item = child[i]
      const r = f.role === 'message' && depth === 0 ? messageRole(isObject(item) ? item.role : null) : role
      path.push(i)
      visit(f, item, depth + 1, r, path, out)
      path.pop()
    }
  path.pop()
}

/** Every caller-controlled string the screen must see, with where it lives in the body. */
export function callerTexts(endpoint: Endpoint, json: JsonObject): CallerText[] {
  const out: CallerText[] = []
  const path: (string | number)[] = [] // one array, pushed and popped; copied only for a text found
  for (const f of FIELDS.get(endpoint) ?? []) {
    if (json[f.keys[0] as string] === undefined) continue // most fields are absent: cheap skip
    visit(f, json, 0, f.role === 'message' ? 'user' : (f.role as Role), path, out)
  }
  return out.length > 1 ? out.sort((a, b) => comparePaths(a.path, b.path)) : out
}

/** Characters taken from each side of a message seam: enough for a split sentence or two, and bounded. */
export const WINDOW_CHARS = 400

/** Client configuration, scanned on its own at its own weight; joining it to a turn would judge it as that turn. */
const NOT_JOINED = new Set<Role>(['system', 'developer'])

/**
 * The conversation's seams as texts: for each pair of consecutive turns (user, assistant, tool messages), the end
 * of the first joined to the start of the next (and, for a short middle turn, the one after), so a payload cut
 * across messages is scanned as one text. A window with replayed assistant text is judged as `assistant`, one of
 * tool results only as `tool`, any other as `user`; its path names the messages joined.
 */
export function conversationWindows(texts: readonly CallerText[]): CallerText[] {
  const turns: { index: number; role: Role; text: string }[] = []
  for (const t of texts) {
    if (t.path[0] !== 'messages' || typeof t.path[1] !== 'number' || NOT_JOINED.has(t.role)) continue
    const last = turns[turns.length - 1]
    if (last && last.index === t.path[1]) {
      if (last.text.length < 2 * WINDOW_CHARS) last.text = `${last.text}\n${t.text.slice(0, 2 * WINDOW_CHARS)}`
    } else turns.push({ index: t.path[1], role: t.role, text: t.text })
  }
  const out: CallerText[] = []
  for (let i = 0; i + 1 < turns.length; i++) {
    const joined = [turns[i], turns[i + 1]] as { index: number; role: Role; text: string }[]
    const third = turns[i + 2]
    if (third && (joined[1] as { text: string }).text.length < WINDOW_CHARS) joined.push(third)
    const text = joined
      .map((t, k) => (k === 0 ? t.text.slice(-WINDOW_CHARS) : t.text.slice(0, WINDOW_CHARS)))
      .join('\n')
    const roles = new Set(joined.map((t) => t.role))
    const role: Role = roles.has('assistant') ? 'assistant' : roles.size === 1 && roles.has('tool') ? 'tool' : 'user'
    const span = `${(joined[0] as { index: number }).index}-${(joined[joined.length - 1] as { index: number }).index}`
    out.push({ path: ['messages', span], role, text })
  }
  return out
}
