import { describe, expect, it } from 'vitest'
import { fingerprint } from './leak.ts'
import { pseudonymizeRequest, systemTexts } from './pseudonymize.ts'

describe('pseudonymizeRequest', () => {
  const body = {
    model: 'm',
    messages: [
      { role: 'system', content: 'Support desk. Escalations go to desk@example.org.' },
      { role: 'user', content: 'I am ada@example.com, call +44 20 7946 0958 or write ada@example.com again.' },
      { role: 'assistant', tool_calls: [{ function: { name: 'f', arguments: '{"mail":"ada@example.com"}' } }] },
    ],
  }

  it('replaces every occurrence, equal values share a placeholder, the mapping restores them', () => {
    const r = pseudonymizeRequest('chat', body, ['email', 'phone'])
    const text = JSON.stringify(r.json)
    expect(text).not.toContain('ada@example.com')
    expect(text).not.toContain('7946')
    expect(r.json?.messages).toEqual([
      { role: 'system', content: 'Support desk. Escalations go to [EMAIL_1].' },
      { role: 'user', content: 'I am [EMAIL_2], call [PHONE_1] or write [EMAIL_2] again.' },
      { role: 'assistant', tool_calls: [{ function: { name: 'f', arguments: '{"mail":"[EMAIL_2]"}' } }] },
    ])
    expect([...r.mapping]).toEqual([
      ['[EMAIL_1]', 'desk@example.org'],
      ['[EMAIL_2]', 'ada@example.com'],
      ['[PHONE_1]', '+44 20 7946 0958'],
    ])
    expect(r.counts).toEqual({ EMAIL: 4, PHONE: 1 })
    expect(body.messages[1]!.content).toContain('ada@example.com') // the caller's object is not mutated
  })

  it('does nothing without types or without PII', () => {
    expect(pseudonymizeRequest('chat', body, []).json).toBeNull()
    expect(pseudonymizeRequest('completions', { model: 'm', prompt: 'hello' }, ['email']).json).toBeNull()
  })

  it('legacy prompts are pseudonymized too', () => {
    const r = pseudonymizeRequest('completions', { model: 'm', prompt: ['to ada@example.com'] }, ['email'])
    expect(r.json?.prompt).toEqual(['to [EMAIL_1]'])
  })

  it('fingerprints only system and developer text', () => {
    expect(systemTexts('chat', body)).toEqual(['Support desk. Escalations go to desk@example.org.'])
    expect(fingerprint(['one two three four five six seven']).size).toBe(0)
    expect(fingerprint(['one two three four five six seven eight nine']).size).toBe(2)
  })
})
