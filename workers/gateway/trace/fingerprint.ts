// Keyed fingerprints for the decision log: HMAC-SHA-256 of the prompt (to correlate repeats of the same text
// without storing it) and of the subject (for Analytics Engine, where a raw subject would be a second copy of an
// identity outside the logs). Keyed by the LOG_HMAC_KEY secret, so nobody without it can test a guessed prompt
// against the log; without the key there is no prompt fingerprint at all. 128 bits of output are plenty to
// correlate and keep the line short.

import type { Endpoint } from '../../../shared/policy/schema.ts'
import { callerTexts } from '../../../shared/screen/request.ts'
import type { JsonObject } from '../env.ts'

const FINGERPRINT_BYTES = 16 // 128-bit prefix of the MAC: collision-free for any log volume we will see
const encoder = new TextEncoder()

let cached: { secret: string; key: Promise<CryptoKey> } | null = null
function hmacKey(secret: string): Promise<CryptoKey> {
  if (cached?.secret !== secret) {
    const key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
    ])
    cached = { secret, key }
  }
  return cached.key
}

async function mac(secret: string, data: string): Promise<string> {
  const sig = new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(secret), encoder.encode(data)))
  let hex = ''
  for (const b of sig.subarray(0, FINGERPRINT_BYTES)) hex += b.toString(16).padStart(2, '0')
  return hex
}

/** The caller texts the screen sees, joined by a separator that cannot occur in JSON-decoded text unescaped. */
export function promptMaterial(endpoint: Endpoint, json: JsonObject | null): string | null {
  if (json === null || endpoint === 'models') return null
  const texts = callerTexts(endpoint, json)
  return texts.length === 0 ? null : texts.map((t) => t.text).join('\u0000')
}

export function promptFingerprint(secret: string | undefined, material: string | null): Promise<string | null> {
  if (!secret || material === null) return Promise.resolve(null)
  return mac(secret, `prompt\u0000${material}`)
}

/** Subject hash: keyed when LOG_HMAC_KEY is set, else a plain SHA-256 (the subject is already in Workers Logs). */
export async function subjectHash(secret: string | undefined, tenant: string, sub: string): Promise<string> {
  const material = `subject\u0000${tenant}\u0000${sub}`
  if (secret) return mac(secret, material)
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(material)))
  let hex = ''
  for (const b of digest.subarray(0, FINGERPRINT_BYTES)) hex += b.toString(16).padStart(2, '0')
  return hex
}
