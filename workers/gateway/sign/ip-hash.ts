// Keyed hash of the client IP for the context token: HMAC-SHA256(IP_HASH_KEY, ip), base64url. Stable per key,
// so the model tier can correlate one client's requests without learning its address; the key is imported once.
const encoder = new TextEncoder()
const keys = new Map<string, Promise<CryptoKey>>()

export async function hashClientIp(ip: string, secret: string): Promise<string> {
  let key = keys.get(secret)
  if (!key) {
    if (keys.size >= 4) keys.clear() // only a rotation of IP_HASH_KEY creates a second entry
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
    keys.set(secret, key)
  }
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await key, encoder.encode(ip)))
  let binary = ''
  for (const b of mac) binary += String.fromCharCode(b)
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}
