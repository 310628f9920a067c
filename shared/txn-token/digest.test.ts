import { describe, expect, it } from 'vitest'
import { contentDigest, parseContentDigest, timingSafeEqualString } from './digest.ts'

describe('RFC 9530 Content-Digest', () => {
  it('matches the RFC 9530 §2 example and the empty body', async () => {
    // RFC 9530 §2, the example response body {"hello": "world"}
    expect(await contentDigest('{"hello": "world"}')).toBe('sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:')
    expect(await contentDigest(new Uint8Array())).toBe('sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:')
  })

  it('parses the sha-256 member and ignores others', () => {
    const v = 'sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:'
    expect(parseContentDigest(`sha-512=:abc:, ${v}`)).toBe(v)
    for (const bad of [null, '', 'sha-256=abc', 'md5=:AAAA:', 'sha-256=:AAAA:'])
      expect(parseContentDigest(bad)).toBeNull()
  })

  it('compares strings without early exit semantics leaking into results', () => {
    expect(timingSafeEqualString('abc', 'abc')).toBe(true)
    expect(timingSafeEqualString('abc', 'abd')).toBe(false)
    expect(timingSafeEqualString('abc', 'ab')).toBe(false)
  })
})
