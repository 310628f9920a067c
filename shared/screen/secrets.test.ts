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
