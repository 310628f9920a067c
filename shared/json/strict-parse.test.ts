import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { hasDuplicateKeys, parseJsonObject } from './strict-parse.ts'

describe('hasDuplicateKeys', () => {
  it.each([
    ['{"a":1,"b":2}', false],
    ['{"a":1,"a":2}', true],
    ['{"a":1,"\\u0061":2}', true],
    ['{"a":{"b":1},"c":{"b":2}}', false],
    ['{"a":{"b":1,"b":2}}', true],
    ['{"a":[{"x":1},{"x":2}]}', false],
    ['{"a":"{\\"a\\":1}","b":"a"}', false],
    ['{"a":[1,2,{"k":1,"k":1}]}', true],
    ['{"s":"a,\\"b\\":1","s2":"x"}', false],
  ])('%s → %s', (text, expected) => {
    expect(hasDuplicateKeys(text)).toBe(expected)
  })

  it('never reports a duplicate for JSON.stringify output', () => {
    fc.assert(
      fc.property(fc.object(), (obj) => {
        expect(hasDuplicateKeys(JSON.stringify(obj))).toBe(false)
      }),
    )
  })
})

describe('parseJsonObject', () => {
  it.each(['[]', '1', 'null', '"x"', '{', '{"a":1,"a":1}'])('refuses %s', (text) => {
    expect(parseJsonObject(text)).toBeNull()
  })
  it('parses an object', () => {
    expect(parseJsonObject('{"sub":"alice"}')).toEqual({ sub: 'alice' })
  })
})
