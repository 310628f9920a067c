import { describe, expect, it } from 'vitest'
import { compileScreen } from './engine.ts'
import { screenPolicySchema } from './policy-schema.ts'
import { callerTexts, scanRequest } from './request.ts'

const screen = compileScreen(screenPolicySchema.parse({}))

describe('callerTexts', () => {
  it('finds every caller-controlled string with its path and role', () => {
    const texts = callerTexts('chat', {
      messages: [
        { role: 'system', content: 'be nice' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'part' },
            { type: 'image_url', image_url: { url: 'x' } },
          ],
        },
        { role: 'assistant', content: null, tool_calls: [{ function: { name: 'f', arguments: '{"q":1}' } }] },
        { role: 'tool', content: 'result' },
      ],
      tools: [{ type: 'function', function: { name: 'f', description: 'looks things up' } }],
    })
    expect(texts.map((t) => [t.path.join('.'), t.role])).toEqual([
      ['messages.0.content', 'system'],
      ['messages.1.content.0.text', 'user'],
      ['messages.2.tool_calls.0.function.arguments', 'assistant'],
      ['messages.3.content', 'tool'],
      ['tools.0.function.description', 'developer'],
    ])
    expect(callerTexts('completions', { prompt: ['a', 'b'], suffix: 'c' }).map((t) => t.text)).toEqual(['a', 'b', 'c'])
    expect(callerTexts('embeddings', { input: 'e' }).map((t) => t.text)).toEqual(['e'])
    expect(callerTexts('embeddings', { input: [1, 2, 3] })).toEqual([])
  })
})

describe('scanRequest redaction', () => {
  it('replaces exactly the detected spans of the original text (offsets survive normalisation)', () => {
    const content = 'Ｈｉ\u200b! card 4111 1111 1111 1111, mail a.b@example.com, ssn 123-45-6789, again a.b@example.com'
    const { decision, redacted } = scanRequest(screen, 'chat', { messages: [{ role: 'user', content }] })
    expect(decision.verdict).toBe('redact')
    expect((redacted as { messages: { content: string }[] }).messages[0]!.content).toBe(
      'Ｈｉ\u200b! card [CARD_1], mail [EMAIL_1], ssn [SSN_1], again [EMAIL_1]',
    )
    expect(decision.redactions).toEqual({ CARD: 1, EMAIL: 2, SSN: 1 })
    for (const s of decision.spans) expect(s.path).toBe('messages.0.content')
    expect(JSON.stringify(decision)).not.toContain('example.com')
  })

  it('leaves the body alone when nothing is redacted', () => {
    const { decision, redacted } = scanRequest(screen, 'embeddings', { input: ['plain text about tea'] })
    expect(decision.verdict).toBe('allow')
    expect(redacted).toBeNull()
  })
})
