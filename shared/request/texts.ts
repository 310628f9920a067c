// Caller texts, driven by the endpoint catalogue: every string in a prompt-bearing field, with its path in the
// body and the role it speaks as, in body order (message by message). Also the conversation windows — the seams
// between consecutive messages joined — so an instruction split across two or three messages is seen whole.
// Linear in the body: every field path is walked once, and each window copies at most 2 × WINDOW_CHARS.
import { type Endpoint, endpointSpec, type TextRole } from './endpoints.ts'

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

/** Parsed once per catalogue entry: `messages[].content` → [{key:'messages',each:true},{key:'content'}]. */
const compiled = new Map<string, { key: string; each: boolean }[]>()
function segments(at: string): { key: string; each: boolean }[] {
  let s = compiled.get(at)
  if (!s) {
    s = at.split('.').map((p) => (p.endsWith('[]') ? { key: p.slice(0, -2), each: true } : { key: p, each: false }))
    compiled.set(at, s)
  }
  return s
}

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

/** Every caller-controlled string the screen must see, with where it lives in the body. */
export function callerTexts(endpoint: Endpoint, json: JsonObject): CallerText[] {
  const out: CallerText[] = []
  for (const field of endpointSpec(endpoint).texts) {
    const segs = segments(field.at)
    const visit = (node: unknown, depth: number, path: (string | number)[], role: Role): void => {
      if (depth === segs.length) {
        if ('schema' in field) stringLeaves(node, path, role, out)
        else if (typeof node === 'string' && node.length > 0) out.push({ path, role, text: node })
        return
      }
      if (!isObject(node)) return
      const seg = segs[depth] as { key: string; each: boolean }
      if (!Object.hasOwn(node, seg.key)) return
      const child = node[seg.key]
      if (!seg.each) {
        visit(child, depth + 1, [...path, seg.key], role)
        return
      }
      if (!Array.isArray(child)) return
      child.forEach((item, i) => {
        const r = field.role === 'message' && depth === 0 ? messageRole(isObject(item) ? item.role : null) : role
        visit(item, depth + 1, [...path, seg.key, i], r)
      })
    }
    visit(json, 0, [], field.role === 'message' ? 'user' : field.role)
  }
  return out.sort((a, b) => comparePaths(a.path, b.path))
}

/** Characters taken from each side of a message seam: enough for a split sentence or two, and bounded. */
export const WINDOW_CHARS = 400

/**
 * The conversation's seams as texts: for each pair of consecutive messages, the end of the first joined to the
 * start of the next (and, for a short middle message, the one after), so a payload cut across messages is scanned
 * as one text. Their role is the more trusted-to-be-hostile `user`; their path names the messages joined.
 */
export function conversationWindows(texts: readonly CallerText[]): CallerText[] {
  const perMessage: { index: number; text: string }[] = []
  for (const t of texts) {
    if (t.path[0] !== 'messages' || typeof t.path[1] !== 'number') continue
    const last = perMessage[perMessage.length - 1]
    if (last && last.index === t.path[1]) {
      if (last.text.length < 2 * WINDOW_CHARS) last.text = `${last.text}\n${t.text.slice(0, 2 * WINDOW_CHARS)}`
    } else perMessage.push({ index: t.path[1], text: t.text })
  }
  const out: CallerText[] = []
  for (let i = 0; i + 1 < perMessage.length; i++) {
    const a = perMessage[i] as { index: number; text: string }
    const b = perMessage[i + 1] as { index: number; text: string }
    let joined = `${a.text.slice(-WINDOW_CHARS)}\n${b.text.slice(0, WINDOW_CHARS)}`
    let lastIndex = b.index
    const c = perMessage[i + 2]
    if (c && b.text.length < WINDOW_CHARS) {
      joined += `\n${c.text.slice(0, WINDOW_CHARS)}`
      lastIndex = c.index
    }
    out.push({ path: ['messages', `${a.index}-${lastIndex}`], role: 'user', text: joined })
  }
  return out
}
