import { describe, expect, it } from 'vitest'
import { resolveVarRef } from './resolve.ts'

describe('resolveVarRef', () => {
  it.each([
    ['plain', {}, 'plain'],
    ['${UPSTREAM_URL:-http://127.0.0.1:8788}', {}, 'http://127.0.0.1:8788'],
    ['${UPSTREAM_URL:-http://127.0.0.1:8788}', { UPSTREAM_URL: 'http://10.0.0.1' }, 'http://10.0.0.1'],
    ['${UPSTREAM_URL:-x}', { UPSTREAM_URL: '' }, 'x'],
    ['${UPSTREAM_URL}', {}, null],
    ['${UPSTREAM_URL}', { UPSTREAM_URL: 42 }, null],
    ['${lower}', { lower: 'no' }, '${lower}'],
  ])('%s with %o → %s', (value, vars, expected) => {
    expect(resolveVarRef(value, vars)).toBe(expected)
  })
})
