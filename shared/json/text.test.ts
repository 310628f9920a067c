import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { inspectJsonText, patchJsonText } from './text.ts'

describe('inspectJsonText', () => {
  it.each([
    ['{"a":1,"b":[{"a":2}]}', null],
    ['{"a":1,"a":2}', 'duplicate_key'],
    ['{"a":{"b":[{"c":1,"c":2}]}}', 'duplicate_key'],
    ['{"a":1,"\\u0061":2}', 'duplicate_key'],
    ['{"s":"{\\"a\\":1,\\"a\\":2}"}', null],
    [`${'['.repeat(65)}${']'.repeat(65)}`, 'too_deep'],
    [`${'['.repeat(64)}${']'.repeat(64)}`, null],
    [`{"a":"${'['.repeat(100)}"}`, null],
  ])('%s → %s', (text, expected) => {
    expect(inspectJsonText(text, 64)).toBe(expected)
  })

  it('never reports a problem for shallow JSON.stringify output', () => {
    fc.assert(
      fc.property(fc.object({ maxDepth: 5 }), (obj) => {
        expect(inspectJsonText(JSON.stringify(obj), 64)).toBeNull()
      }),
      { seed: 13, numRuns: 200 },
    )
  })
})

describe('patchJsonText', () => {
  const body = '{"model":"m", "seed":123456789012345678901234567890,"x":1e999,"max_tokens":9000,"stream_options":null}'
  it.each([
    ['replaces a value in place', [{ path: ['max_tokens'], value: 512 }], body.replace('9000', '512')],
    ['adds a missing member at the end', [{ path: ['n'], value: 1 }], `${body.slice(0, -1)},"n":1}`],
    [
      'replaces null with the object a nested patch needs',
      [{ path: ['stream_options', 'include_usage'], value: true }],
      body.replace('"stream_options":null', '"stream_options":{"include_usage":true}'),
    ],
    [
      'later patches to one path win',
      [
        { path: ['max_tokens'], value: 1 },
        { path: ['max_tokens'], value: 2 },
      ],
      body.replace('9000', '2'),
    ],
  ])('%s; every other byte kept', (_what, patches, expected) => {
    expect(patchJsonText(body, patches)).toBe(expected)
  })

  it('adds into an existing object and replaces inside arrays', () => {
    const text = '{ "messages" : [ {"role":"user","content":"a@b.example"} ], "stream_options": {"x": 1} }'
    const out = patchJsonText(text, [
      { path: ['messages', 0, 'content'], value: '[EMAIL_1]' },
      { path: ['stream_options', 'include_usage'], value: true },
    ])
    expect(out).toBe(
      '{ "messages" : [ {"role":"user","content":"[EMAIL_1]"} ], "stream_options": {"x": 1,"include_usage":true} }',
    )
    expect(patchJsonText('{}', [{ path: ['a'], value: 'b' }])).toBe('{"a":"b"}')
  })

  it('agrees with a parsed-and-set copy on random bodies', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })),
        fc.string(),
        fc.integer(),
        (obj, key, v) => {
          const out = patchJsonText(JSON.stringify(obj, null, 1), [{ path: [key], value: v }])
          expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify({ ...obj, [key]: v })))
        },
      ),
      { seed: 13, numRuns: 300 },
    )
  })
})
