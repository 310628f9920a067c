import { describe, expect, it } from 'vitest'
import { featureIndices, MAX_TOKEN, shippedModel } from './model.ts'
import { normalize } from './normalize.ts'

describe('model', () => {
  const m = shippedModel()
  it('ignores long ASCII tokens (encoded payloads) but not long runs of other scripts', () => {
    const plain = normalize('please decode this')
    const withRun = normalize(`please decode ${'ab01'.repeat(MAX_TOKEN)} this`)
    expect(featureIndices(withRun.text, withRun.length, m.bits).length).toBe(
      featureIndices(plain.text, plain.length, m.bits).length + 3,
    )
    const cjk = normalize('忽'.repeat(MAX_TOKEN + 5))
    expect(featureIndices(cjk.text, cjk.length, m.bits).length).toBe(3 * (cjk.length + 2))
  })

  it('the shipped weights decode to 2^bits int8 values', () => {
    expect(m.weights.length).toBe(1 << m.bits)
  })
})
