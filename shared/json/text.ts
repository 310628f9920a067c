// JSON text handled as text: a linear structural check (duplicate keys at any depth, a nesting bound) and
// byte-exact patching (splice new values into the original text instead of re-serialising a parsed copy, so a
// big-integer `seed` or `1e999` the edge never touched keeps its exact spelling). The trade-off: patches can set
// object members and replace values, not insert array elements — the edge never needs more.

export type JsonTextProblem = 'duplicate_key' | 'too_deep'

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_OBJECT = 0x7b
const CLOSE_OBJECT = 0x7d
const OPEN_ARRAY = 0x5b
const CLOSE_ARRAY = 0x5d
const COMMA = 0x2c

/** Index of the closing quote of the string opening at `start`, or -1 if unterminated. */
function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    if (ch === BACKSLASH) i++
    else if (ch === QUOTE) return i
  }
  return -1
}

/** A key's decoded value; the escape-free common case needs no decoding. */
function keyAt(text: string, start: number, end: number): string | null {
  const raw = text.slice(start + 1, end)
  if (raw.indexOf('\\') < 0) return raw
  try {
    return JSON.parse(text.slice(start, end + 1)) as string
  } catch {
    return null
  }
}

/**
 * One linear pass, no recursion: the first structural problem, or null. Keys are compared after escape
 * decoding, so "a" and "\u0061" collide. Malformed text is not judged here (JSON.parse refuses it).
 */
export function inspectJsonText(text: string, maxDepth: number): JsonTextProblem | null {
  const stack: (Set<string> | null)[] = []
  let expectKey = false
  const n = text.length
  for (let i = 0; i < n; i++) {
    const ch = text.charCodeAt(i)
    if (ch === QUOTE) {
      const end = stringEnd(text, i)
      if (end < 0) return null
      const top = stack[stack.length - 1]
      if (expectKey && top) {
        const key = keyAt(text, i, end)
        if (key === null) return null
        if (top.has(key)) return 'duplicate_key'
        top.add(key)
        expectKey = false
      }
      i = end
    } else if (ch === OPEN_OBJECT || ch === OPEN_ARRAY) {
      if (stack.length >= maxDepth) return 'too_deep'
      stack.push(ch === OPEN_OBJECT ? new Set() : null)
      expectKey = ch === OPEN_OBJECT
    } else if (ch === CLOSE_OBJECT || ch === CLOSE_ARRAY) {
      stack.pop()
    } else if (ch === COMMA) {
      expectKey = stack[stack.length - 1] != null
    }
  }
  return null
}

// ---- patching -------------------------------------------------------------------------------------------

export type JsonPath = readonly (string | number)[]
export interface JsonTextPatch {
  readonly path: JsonPath
  /** Serialised with JSON.stringify: the edge writes only safe integers, booleans and strings. */
  readonly value: unknown
}

interface Node {
  value?: string
  readonly children: Map<string | number, Node>
}
interface Edit {
  readonly start: number
  readonly end: number
  readonly text: string
}

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d
function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++
  return i
}

/** End (exclusive) of the well-formed value starting at `i`. */
function valueEnd(text: string, i: number): number {
  const ch = text.charCodeAt(i)
  if (ch === QUOTE) return stringEnd(text, i) + 1
  if (ch === OPEN_OBJECT || ch === OPEN_ARRAY) {
    let depth = 0
    for (let k = i; k < text.length; k++) {
      const c = text.charCodeAt(k)
      if (c === QUOTE) k = stringEnd(text, k)
      else if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth++
      else if ((c === CLOSE_OBJECT || c === CLOSE_ARRAY) && --depth === 0) return k + 1
    }
    return text.length
  }
  let k = i
  while (k < text.length) {
    const c = text.charCodeAt(k)
    if (c === COMMA || c === CLOSE_OBJECT || c === CLOSE_ARRAY || isSpace(c)) break
    k++
  }
  return k
}

function build(node: Node): string {
  if (node.value !== undefined) return node.value
  const members: string[] = []
  for (const [key, child] of node.children) {
    if (typeof key === 'number') throw new Error('json patch: cannot create an array element')
    members.push(`${JSON.stringify(key)}:${build(child)}`)
  }
  return `{${members.join(',')}}`
}

/** Walks the value at `i` along the trie, recording edits; returns the value's end. */
function walk(text: string, i: number, node: Node, edits: Edit[]): number {
  const end = valueEnd(text, i)
  if (node.value !== undefined) {
    edits.push({ start: i, end, text: node.value })
    return end
  }
  const ch = text.charCodeAt(i)
  if (ch !== OPEN_OBJECT && ch !== OPEN_ARRAY) {
    edits.push({ start: i, end, text: build(node) }) // null or a scalar where the patch needs an object
    return end
  }
  const found = new Set<string | number>()
  let k = skipSpace(text, i + 1)
  let index = 0
  let members = 0
  while (text.charCodeAt(k) !== CLOSE_OBJECT && text.charCodeAt(k) !== CLOSE_ARRAY) {
    let key: string | number = index++
    if (ch === OPEN_OBJECT) {
      const keyEnd = stringEnd(text, k)
      key = keyAt(text, k, keyEnd) as string
      k = skipSpace(text, keyEnd + 1) + 1 // past ':'
      k = skipSpace(text, k)
    }
    members++
    const child = node.children.get(key)
    if (child) {
      found.add(key)
      k = walk(text, k, child, edits)
    } else k = valueEnd(text, k)
    k = skipSpace(text, k)
    if (text.charCodeAt(k) === COMMA) k = skipSpace(text, k + 1)
  }
  for (const [key, child] of node.children) {
    if (found.has(key)) continue
    if (ch === OPEN_ARRAY || typeof key === 'number') throw new Error('json patch: cannot create an array element')
    edits.push({ start: k, end: k, text: `${members++ > 0 ? ',' : ''}${JSON.stringify(key)}:${build(child)}` })
  }
  return end
}

/** The text with every patch applied; untouched bytes stay as they were. Later patches to one path win. */
export function patchJsonText(text: string, patches: readonly JsonTextPatch[]): string {
  if (patches.length === 0) return text
  const root: Node = { children: new Map() }
  for (const p of patches) {
    let node = root
    for (const seg of p.path) {
      if (node.value !== undefined) throw new Error('json patch: a patch inside a patched value')
      let next = node.children.get(seg)
      if (!next) {
        next = { children: new Map() }
        node.children.set(seg, next)
      }
      node = next
    }
    if (node.children.size > 0) throw new Error('json patch: a patch over patched members')
    node.value = JSON.stringify(p.value)
  }
  const edits: Edit[] = []
  walk(text, skipSpace(text, 0), root, edits)
  edits.sort((a, b) => a.start - b.start)
  let out = ''
  let at = 0
  for (const e of edits) {
    out += text.slice(at, e.start) + e.text
    at = e.end
  }
  return out + text.slice(at)
}
