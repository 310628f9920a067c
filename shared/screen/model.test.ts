import { describe, expect, it } from 'vitest'
import { shippedConcepts } from './concept-data.ts'
import { wordHash } from './concepts.ts'
import { viewFeatures } from './features.ts'
import { MAX_TOKEN, shippedModel } from './model.ts'
import { normalize } from './normalize.ts'

describe('model', () => {
  const m = shippedModel()
  const features = (text: string) => {
    const v = normalize(text)
    return viewFeatures(m, v.text, v.length)
  }
  const charFeatures = (text: string) => [...features(text).idx].filter((i) => i < 1 << m.bits).length

  it('ignores long ASCII tokens (encoded payloads) but not long runs of other scripts', () => {
    expect(charFeatures(`please decode ${'ab01'.repeat(MAX_TOKEN)} this`)).toBe(charFeatures('please decode this') + 3)
    const cjk = normalize('忽'.repeat(MAX_TOKEN + 5))
    expect(charFeatures('忽'.repeat(MAX_TOKEN + 5))).toBe(3 * (cjk.length + 1))
  })

  it('maps synonyms to a shared concept: disregard and ignore, instructions and directions', () => {
    const t = shippedConcepts()
    const conceptsOf = (w: string): number[] => {
      const h = wordHash(w)
      for (let p = h >>> (32 - t.bits); t.keys[p] !== 0; p = (p + 1) & (t.keys.length - 1))
        if (t.keys[p] === h) return [...t.ids.subarray(t.start[p]!, t.end[p]!)]
      return []
    }
    const shared = (a: string, b: string) => conceptsOf(a).some((c) => conceptsOf(b).includes(c))
    expect(shared('disregard', 'ignore')).toBe(true)
    expect(shared('instructions', 'directions')).toBe(true)
    expect(shared('ignore', 'banana')).toBe(false)
  })

  it('the shipped weights decode to 2^bits int8 values', () => {
    expect(m.weights.length).toBe(1 << m.bits)
    expect(m.wordWeights.length).toBe(1 << m.wordBits)
  })
})
