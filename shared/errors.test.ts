import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ERRORS, type ErrorCode, errorBody, isErrorCode } from './errors.ts'

describe('error codes', () => {
  it('every code is namespaced, has a 4xx/5xx status and a generic message', () => {
    for (const [code, spec] of Object.entries(ERRORS)) {
      expect(code).toMatch(/^[a-z]+\.[a-z_]+$/)
      expect(spec.status).toBeGreaterThanOrEqual(400)
      expect(spec.status).toBeLessThan(600)
      expect(spec.message).not.toMatch(/threshold|regex|kid|score/i)
    }
  })

  it('renders the OpenAI error shape', () => {
    expect(errorBody('ingress.invalid_request', 'messages[0].role')).toEqual({
      error: {
        message: ERRORS['ingress.invalid_request'].message,
        type: 'invalid_request_error',
        code: 'ingress.invalid_request',
        param: 'messages[0].role',
      },
    })
  })

  it('recognises only known codes', () => {
    const known: ErrorCode = 'auth.token_expired'
    expect(isErrorCode(known)).toBe(true)
    expect(isErrorCode('auth.nope')).toBe(false)
    expect(isErrorCode('toString')).toBe(false)
  })
})

describe('README error table', () => {
  it('lists exactly the codes, statuses, types and messages of ERRORS', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    const table = readme.slice(readme.indexOf('<!-- errors:start -->'), readme.indexOf('<!-- errors:end -->'))
    const rows = table
      .split('\n')
      .filter((l) => l.startsWith('| `'))
      .map((l) => l.split('|').map((c) => c.trim()))
    const documented = Object.fromEntries(
      rows.map((r) => [r[1]?.replaceAll('`', ''), { status: Number(r[2]), type: r[3], message: r[4] }]),
    )
    expect(documented).toEqual(ERRORS)
  })
})
