import { describe, expect, it } from 'vitest'
import { findSecrets } from './secrets.ts'

// The prefix scan slides one char pair along the text and jumps past each credential it finds: the pair after a
// jump must be re-read, so back-to-back and adjacent credentials are all found, each once, at the right offsets.
const AWS = 'AKIAIOSFODNN7EXAMPLE'
const OPENAI = `sk-${'a1B2'.repeat(10)}`
// A fake PEM block (no key material), assembled so repository secret scanners do not flag the test itself.
const PEM_LABEL = ['RSA', 'PRIVATE', 'KEY'].join(' ')
const PEM = `-----BEGIN ${PEM_LABEL}-----\nabc\n-----END ${PEM_LABEL}-----`
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl'

describe('findSecrets positions', () => {
  it.each([
    [
      `${AWS} ${OPENAI}`,
      [
        ['aws_access_key', 0],
        ['openai_key', 21],
      ],
    ],
    [
      `${OPENAI}\n${AWS}`,
      [
        ['openai_key', 0],
        ['aws_access_key', 44],
      ],
    ],
    [
      `${JWT} ${JWT}`,
      [
        ['jwt', 0],
        ['jwt', 62],
      ],
    ],
    [`x${OPENAI}`, []],
    [
      `${AWS},${AWS}`,
      [
        ['aws_access_key', 0],
        ['aws_access_key', 21],
      ],
    ],
    [OPENAI.slice(0, 20), []],
    // A PEM block needs no boundary before its '-----', so it can start right where the previous credential ends.
    [
      `${AWS}${PEM}`,
      [
        ['aws_access_key', 0],
        ['private_key', 20],
      ],
    ],
  ])('%j', (text, expected) => {
    expect(findSecrets(text).map((f) => [f.type, f.start])).toEqual(expected)
  })
})

describe('findSecrets candidate search', () => {
  // Sparse anchors are found by indexOf; past one anchor per 16 chars the scan visits every position instead. Both
  // must find the same credentials: the same keys behind plain text and behind a flood of '-' and '_'.
  const keys = [AWS, OPENAI, PEM, JWT, `ghp_${'a'.repeat(30)}000000`, `xoxb-${'1a'.repeat(12)}`]
  const body = keys.join(' and ')
  const expected = findSecrets(body).map((f) => f.type)
  it.each([
    ['plain', `Some notes first. ${body}`],
    ['after a flood', `${'-_ '.repeat(200)}${body}`],
    ['in a flood', `${'- '.repeat(100)}${keys.join(' -_-_ ')}${' _'.repeat(100)}`],
  ])('%s', (_name, text) => {
    expect(findSecrets(text).map((f) => f.type)).toEqual(expected)
  })

  it('finds every kind in the plain text', () => {
    expect(expected).toEqual(['aws_access_key', 'openai_key', 'private_key', 'jwt', 'slack_token'])
  })
})
