import { describe, expect, it } from 'vitest'
import { ipInCidr } from './network.ts'

describe('ipInCidr', () => {
  it.each([
    ['10.1.2.3', '10.0.0.0/8', true],
    ['11.1.2.3', '10.0.0.0/8', false],
    ['192.168.1.1', '192.168.1.1', true],
    ['192.168.1.2', '192.168.1.1/32', false],
    ['0.0.0.0', '0.0.0.0/0', true],
    ['2001:db8::1', '2001:db8::/32', true],
    ['2001:db9::1', '2001:db8::/32', false],
    ['::ffff:10.0.0.1', '10.0.0.0/8', false],
    ['999.1.1.1', '0.0.0.0/0', false],
    ['1.2.3', '0.0.0.0/0', false],
    ['fe80::1', 'fe80::/10', true],
  ])('%s in %s → %s', (ip, cidr, expected) => {
    expect(ipInCidr(ip, cidr)).toBe(expected)
  })
})
