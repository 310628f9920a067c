// RFC 9530 Content-Digest over the exact bytes forwarded. The token's `req.digest` carries the same string as
// the header, so a verifier compares one value; only sha-256 is emitted and accepted (RFC 9530 §5: no MD5/SHA-1).
const encoder = new TextEncoder()

/** `sha-256=:<base64>:` — a Structured Field Dictionary with one byte-sequence member (RFC 9530 §2, RFC 8941 §3.3.5). */
export async function contentDigest(body: Uint8Array | string): Promise<string> {
  const bytes = typeof body === 'string' ? encoder.encode(body) : body
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
  return `sha-256=:${toBase64(hash)}:`
}

/** The sha-256 member of a Content-Digest header, normalised; null when absent or not a byte sequence. */
export function parseContentDigest(header: string | null | undefined): string | null {
  if (!header) return null
  for (const member of header.split(',')) {
    const m = /^\s*sha-256=:([A-Za-z0-9+/]{43}=):\s*$/.exec(member)
    if (m) return `sha-256=:${m[1]}:`
  }
  return null
}

/** Constant-time string comparison, so a digest mismatch does not leak how many leading bytes matched. */
export function timingSafeEqualString(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}

function toBase64(bytes: Uint8Array): string {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary)
}
