import { describe, expect, it } from 'vitest'
import { estimatePromptTokens, estimateTextTokens } from './estimate.ts'
import { corpusPath, loadCorpusTexts, measureEstimator } from './measure-estimator.ts'

describe('token estimator', () => {
  it.each([
    ['', 0],
    ['hello', 1],
    ['hello world', 2],
    ['internationalization', 4],
    ['12345678', 3],
    ['a, b.', 4],
    ['日本語', 3],
    ['😀', 2],
  ])('estimateTextTokens(%j) = %i', (text, tokens) => {
    expect(estimateTextTokens(text)).toBe(tokens)
  })

  it('counts chat framing, content parts, images and tools', () => {
    const plain = estimatePromptTokens('chat', { messages: [{ role: 'user', content: 'hello world' }] })
    expect(plain).toBe(3 + 4 + 2)
    const image = estimatePromptTokens('chat', {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'hello world' },
            { type: 'image_url', image_url: { url: 'x' } },
          ],
        },
      ],
    })
    expect(image).toBe(plain + 1_500)
    const tools = estimatePromptTokens('chat', { messages: [], tools: [{ type: 'function', function: { name: 'f' } }] })
    expect(tools).toBeGreaterThan(3)
  })

  it('token-array prompts are exact; models costs nothing', () => {
    expect(estimatePromptTokens('completions', { prompt: [1, 2, 3, 4] })).toBe(4)
    expect(estimatePromptTokens('embeddings', { input: [[1, 2], [3]] })).toBe(3)
    expect(estimatePromptTokens('models', null)).toBe(0)
  })

  it('a body nested far past any bound is estimated without recursion (hole 4)', () => {
    let deep: unknown = 'x'
    for (let i = 0; i < 100_000; i++) deep = [deep]
    expect(estimatePromptTokens('chat', { messages: [], tools: deep })).toBeGreaterThan(0)
  })

  it(`over-reserves on the corpus (${corpusPath()}) against o200k_base and cl100k_base, within stated bounds`, () => {
    const texts = loadCorpusTexts()
    expect(texts.length).toBeGreaterThan(1_000)
    const o200k = measureEstimator(texts, 'o200k_base')
    const cl100k = measureEstimator(texts, 'cl100k_base')
    // The figures in shared/limit/README.md; a change to the estimator must update both.
    expect(o200k.meanSignedErrorPct).toBeGreaterThan(0) // conservative on average
    expect(o200k.meanAbsErrorPct).toBeLessThan(40)
    expect(o200k.underCountPct).toBeLessThan(3)
    expect(cl100k.meanAbsErrorPct).toBeLessThan(35)
    expect(cl100k.underCountPct).toBeLessThan(15)
  }, 60_000)
})
