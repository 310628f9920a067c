import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Automaton } from './automaton.ts'

const enc = (s: string) => Uint16Array.from(s, (c) => c.charCodeAt(0))

function matches(a: Automaton, text: string): [number, number, number][] {
  const out: [number, number, number][] = []
  a.scan(enc(text), text.length, (p, s, e) => out.push([p, s, e]))
  return out
}

describe('Automaton', () => {
  it('finds overlapping patterns, skipping spaces, with view offsets', () => {
    const a = new Automaton([
      { text: 'he', wordStart: false, wordEnd: false },
      { text: 'she', wordStart: false, wordEnd: false },
      { text: 'hers', wordStart: false, wordEnd: false },
      { text: 'ignoreall', wordStart: false, wordEnd: false },
    ])
    expect(matches(a, 'ushers')).toEqual([
      [1, 1, 4],
      [0, 2, 4],
      [2, 2, 6],
    ])
    expect(matches(a, 'x ignore all y')).toEqual([[3, 2, 12]])
  })

  it('honours word boundaries', () => {
    const a = new Automaton([{ text: 'dan', wordStart: true, wordEnd: true }])
    expect(matches(a, 'dan mode').length).toBe(1)
    expect(matches(a, 'abundant dance').length).toBe(0)
  })

  it('handles non-ASCII symbols through failure links', () => {
    const a = new Automaton([
      { text: '忽略指令', wordStart: false, wordEnd: false },
      { text: '略指', wordStart: false, wordEnd: false },
    ])
    expect(matches(a, '请忽略指令').map((m) => m[0])).toEqual([1, 0])
  })

  it('agrees with a naive search (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[abc]{1,4}$/), { minLength: 1, maxLength: 5 }),
        fc.stringMatching(/^[abc]{0,40}$/),
        (pats, text) => {
          const a = new Automaton(pats.map((p) => ({ text: p, wordStart: false, wordEnd: false })))
          const got = matches(a, text)
            .map(([p, s]) => `${p}@${s}`)
            .sort()
          const want: string[] = []
          pats.forEach((p, id) => {
            for (let i = text.indexOf(p); i >= 0; i = text.indexOf(p, i + 1)) want.push(`${id}@${i}`)
          })
          expect(got).toEqual(want.sort())
        },
      ),
    )
  })
})
