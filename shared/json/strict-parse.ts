// JSON.parse silently keeps the last of duplicate keys, so two parsers can read one token differently
// (RFC 8259 §4 leaves duplicates undefined; RFC 7515 §5.2 and RFC 7519 §4 require rejecting them in JOSE).
// This scanner runs once over the text (linear, no recursion) and reports whether any object repeats a key,
// comparing keys after escape decoding so "a" and "\u0061" collide.

export function hasDuplicateKeys(text: string): boolean {
  const stack: (Set<string> | null)[] = []
  let expectKey = false
  let i = 0
  const n = text.length
  while (i < n) {
    const ch = text.charCodeAt(i)
    if (ch === 0x22 /* " */) {
      const end = stringEnd(text, i)
      if (end < 0) return false // malformed: JSON.parse will reject it
      const top = stack[stack.length - 1]
      if (expectKey && top) {
        let key: string
        try {
          key = JSON.parse(text.slice(i, end + 1)) as string
        } catch {
          return false
        }
        if (top.has(key)) return true
        top.add(key)
        expectKey = false
      }
      i = end + 1
      continue
    }
    if (ch === 0x7b /* { */) {
      stack.push(new Set())
      expectKey = true
    } else if (ch === 0x5b /* [ */) {
      stack.push(null)
    } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) {
      stack.pop()
    } else if (ch === 0x2c /* , */) {
      expectKey = stack[stack.length - 1] != null
    }
    i++
  }
  return false
}

function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    if (ch === 0x5c /* \ */) i++
    else if (ch === 0x22) return i
  }
  return -1
}

/** JSON.parse that refuses duplicate keys and non-object roots; null on any problem. */
export function parseJsonObject(text: string): Record<string, unknown> | null {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null
  return hasDuplicateKeys(text) ? null : (value as Record<string, unknown>)
}
