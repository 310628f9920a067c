import { describe, expect, it } from 'vitest'
import piiVectors from '../../test/vectors/screen-pii.json' with { type: 'json' }
import secretVectors from '../../test/vectors/screen-secrets.json' with { type: 'json' }
import { findPii, ibanValid, ipv6Valid, luhnValid, PII_TYPES, ssnValid } from './pii.ts'
import { base62, crc32, findSecrets, githubChecksumValid } from './secrets.ts'

const ALL = new Set<string>(PII_TYPES)
const OPEN_GATES = { at: 1, digits: 99, colons: 99 }

describe('PII known-answer vectors', () => {
  it.each(piiVectors.map((v) => [v.type, v.valid, v] as const))('%s valid=%s', (type, valid, v) => {
    const hit = findPii(v.text, ALL, OPEN_GATES).find((f) => f.type === type)
    if (valid) expect(hit && v.text.slice(hit.start, hit.end)).toBe(v.value)
    else expect(hit).toBeUndefined()
  })
})

describe('secret known-answer vectors', () => {
  it.each(secretVectors.map((v) => [v.type, v.valid, v] as const))('%s valid=%s', (type, valid, v) => {
    const found = findSecrets(v.text).some((f) => f.type === type)
    expect(found).toBe(valid)
  })
})

describe('validators', () => {
  it.each([
    ['4111111111111111', true],
    ['4111111111111112', false],
    ['79927398713', true],
  ])('luhn %s', (d, ok) => expect(luhnValid(d)).toBe(ok))
  it.each([
    ['GB82WEST12345698765432', true],
    ['DE89370400440532013000', true],
    ['DE89370400440532013001', false],
  ])('iban %s', (s, ok) => expect(ibanValid(s)).toBe(ok))
  it.each([
    ['123456789', true],
    ['666123456', false],
    ['000123456', false],
    ['900123456', false],
    ['123004567', false],
    ['123450000', false],
  ])('ssn %s', (s, ok) => expect(ssnValid(s)).toBe(ok))
  it.each([
    ['2001:db8::1', true],
    ['::1', true],
    ['1:2:3:4:5:6:7:8', true],
    ['1:2:3', false],
    ['2001:db8:::1', false],
  ])('ipv6 %s', (s, ok) => expect(ipv6Valid(s)).toBe(ok))
  it('GitHub token checksum is base62(crc32) of the body', () => {
    expect(crc32('The quick brown fox jumps over the lazy dog')).toBe(0x414fa339)
    const body = `ghp_${'a'.repeat(30)}`
    expect(githubChecksumValid(body + base62(crc32(body), 6))).toBe(true)
    expect(githubChecksumValid(`${body}000000`)).toBe(false)
  })
})

describe('number candidates', () => {
  // Sparse candidates are found by a char-class search; past one per 32 chars the scan visits every char instead.
  // Both must find the same numbers: the same card, phone and IBAN in prose and after a run of hex.
  const body = 'card 4111 1111 1111 1111, call +44 20 7946 0958, IBAN GB82 WEST 1234 5698 7654 32.'
  const expected = findPii(body, ALL, OPEN_GATES).map((f) => f.type)
  it.each([
    ['prose', `Some notes (nothing numeric here) first. ${body}`],
    ['after hex', `${'4a6f1e2d'.repeat(100)} ${body}`],
  ])('%s', (_name, text) => {
    expect(findPii(text, ALL, OPEN_GATES).map((f) => f.type)).toEqual(expected)
  })

  it('finds each kind in the prose', () => {
    expect(expected).toEqual(['card', 'phone', 'iban'])
  })
})
