// Build-time check that a tenant regex cannot backtrack super-linearly. Conservative by design: no unbounded
// quantifiers (`*`, `+`, `{n,}`) — an unanchored `a.*b` is already quadratic on "aaaa…" — no nested quantifiers,
// no quantified alternation, no backreferences or lookarounds, and a bounded product of quantifier ranges, so each
// start position costs a constant and a scan stays linear. Tenants write `\w{1,40}` instead of `\w+`.

export type RegexVerdict = { ok: true } | { ok: false; reason: string }

const MAX_BACKTRACK = 4096 // product of (max - min + 1) over quantified atoms: work per start position
const MAX_REPEAT = 256 // largest {m,n} upper bound
const MAX_SOURCE = 512 // pattern length in chars

export function checkLinearRegex(source: string): RegexVerdict {
  if (source.length === 0 || source.length > MAX_SOURCE) return { ok: false, reason: `must be 1..${MAX_SOURCE} chars` }
  try {
    new RegExp(source, 'u')
  } catch {
    return { ok: false, reason: 'is not a valid regular expression' }
  }
  // depth-indexed: does the group at this depth contain a quantifier / an alternation?
  const hasQuant: boolean[] = [false]
  const hasAlt: boolean[] = [false]
  let product = 1
  let atom = false // something quantifiable precedes
  let lastGroupQuant = false
  let lastGroupAlt = false
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!
    if (c === '\\') {
      const next = source[i + 1] ?? ''
      if (/[1-9k]/.test(next)) return { ok: false, reason: 'backreferences are not allowed' }
      i++
      atom = true
      lastGroupQuant = lastGroupAlt = false
      continue
    }
    if (c === '[') {
      let j = i + 1
      if (source[j] === '^') j++
      if (source[j] === ']') j++
      while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1
      i = j
      atom = true
      lastGroupQuant = lastGroupAlt = false
      continue
    }
    if (c === '(') {
      if (source[i + 1] === '?' && source[i + 2] !== ':' && source[i + 2] !== '<')
        return { ok: false, reason: 'lookarounds are not allowed' }
      if (source.startsWith('(?<=', i) || source.startsWith('(?<!', i))
        return { ok: false, reason: 'lookarounds are not allowed' }
      hasQuant.push(false)
      hasAlt.push(false)
      atom = false
      continue
    }
    if (c === ')') {
      lastGroupQuant = hasQuant.pop() ?? false
      lastGroupAlt = hasAlt.pop() ?? false
      if (lastGroupQuant) hasQuant[hasQuant.length - 1] = true
      atom = true
      continue
    }
    if (c === '|') {
      hasAlt[hasAlt.length - 1] = true
      atom = false
      continue
    }
    if (c === '*' || c === '+')
      return { ok: false, reason: `unbounded quantifier '${c}': use {m,n} with n <= ${MAX_REPEAT}` }
    if (c === '?' || c === '{') {
      let min = 0
      let max = 1
      if (c === '{') {
        const close = source.indexOf('}', i)
        const body = close > i ? source.slice(i + 1, close) : ''
        const m = /^(\d{1,4})(,(\d{0,4}))?$/.exec(body)
        if (!m) {
          atom = true
          continue
        }
        min = Number(m[1])
        max = m[2] === undefined ? min : m[3] === '' || m[3] === undefined ? Number.POSITIVE_INFINITY : Number(m[3])
        if (!Number.isFinite(max)) return { ok: false, reason: `unbounded quantifier {${body}}: give an upper bound` }
        if (max > MAX_REPEAT) return { ok: false, reason: `quantifier upper bound must be <= ${MAX_REPEAT}` }
        i = close
      }
      if (!atom) continue
      if (lastGroupQuant) return { ok: false, reason: 'nested quantifiers are not allowed' }
      if (lastGroupAlt) return { ok: false, reason: 'quantified alternation is not allowed' }
      if (source[i + 1] === '?' || source[i + 1] === '+') i++
      hasQuant[hasQuant.length - 1] = true
      product *= max - min + 1
      if (product > MAX_BACKTRACK)
        return { ok: false, reason: 'too many quantified atoms (backtracking bound exceeded)' }
      atom = false
      lastGroupQuant = lastGroupAlt = false
      continue
    }
    atom = true
    lastGroupQuant = lastGroupAlt = false
  }
  return { ok: true }
}
