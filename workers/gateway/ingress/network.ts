// Geo / ASN / IP rules from `request.cf` and the edge-set client address. Pure: takes the client context and
// the tenant's network policy, returns the refusal code or null.
import type { Policy } from '../../../shared/policy/schema.ts'
import type { ClientContext } from '../env.ts'

type NetworkPolicy = Policy['ingress']['network']

export function checkNetwork(
  client: ClientContext,
  rules: NetworkPolicy,
): 'ingress.geo_blocked' | 'ingress.ip_blocked' | null {
  const country = client.country?.toUpperCase() ?? null
  if (rules.allowCountries !== null) {
    // An allowlist fails closed when the edge does not know the country.
    if (country === null || !rules.allowCountries.some((c) => c.toUpperCase() === country)) return 'ingress.geo_blocked'
  }
  if (country !== null && rules.denyCountries.some((c) => c.toUpperCase() === country)) return 'ingress.geo_blocked'
  if (client.asn !== null && rules.denyAsns.includes(client.asn)) return 'ingress.ip_blocked'
  if (client.ip !== null && rules.denyIps.some((cidr) => ipInCidr(client.ip as string, cidr)))
    return 'ingress.ip_blocked'
  return null
}

/** Parses IPv4 or IPv6 text into 16 bytes (IPv4 as ::ffff:a.b.c.d); null if malformed. */
export function parseIp(text: string): Uint8Array | null {
  const out = new Uint8Array(16)
  if (text.includes('.') && !text.includes(':')) {
    const parts = text.split('.')
    if (parts.length !== 4) return null
    out[10] = 0xff
    out[11] = 0xff
    for (let i = 0; i < 4; i++) {
      const p = parts[i] as string
      if (!/^[0-9]{1,3}$/.test(p) || Number(p) > 255) return null
      out[12 + i] = Number(p)
    }
    return out
  }
  const halves = text.split('::')
  if (halves.length > 2) return null
  const head = halves[0] ? (halves[0] as string).split(':') : []
  const tail = halves.length === 2 && halves[1] ? (halves[1] as string).split(':') : []
  const groups = head.length + tail.length
  if ((halves.length === 1 && groups !== 8) || groups > 7 + (halves.length === 1 ? 1 : 0)) return null
  const put = (g: string, idx: number): boolean => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false
    const v = Number.parseInt(g, 16)
    out[idx * 2] = v >> 8
    out[idx * 2 + 1] = v & 0xff
    return true
  }
  for (let i = 0; i < head.length; i++) if (!put(head[i] as string, i)) return null
  for (let i = 0; i < tail.length; i++) if (!put(tail[i] as string, 8 - tail.length + i)) return null
  return out
}

export function ipInCidr(ip: string, cidr: string): boolean {
  const [net, bitsText] = cidr.split('/')
  const a = parseIp(ip)
  const b = parseIp(net as string)
  if (!a || !b) return false
  const v4 = (net as string).includes('.')
  const bits = bitsText === undefined ? 128 : Number(bitsText) + (v4 ? 96 : 0)
  if (!Number.isInteger(bits) || bits < 0 || bits > 128) return false
  for (let i = 0; i < 16; i++) {
    const take = Math.max(0, Math.min(8, bits - i * 8))
    const mask = take === 0 ? 0 : (0xff << (8 - take)) & 0xff
    if (((a[i] as number) & mask) !== ((b[i] as number) & mask)) return false
  }
  return true
}
