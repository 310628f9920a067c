// How the dev model tier decides whether a request came through the edge: it verifies the Txn-Token with the
// same verifier a real model server would use (shared/txn-token), bound to the exact method, path and body.
// Configured by vars; with none set (model tier used on its own) it accepts and reports "not checked".
import { createTxnTokenVerifier, type TxnTokenVerifier } from '../../shared/txn-token/verifier.ts'

export interface DevModelEnv {
  /** Edge JWKS URL; when set, every request must carry a valid Txn-Token bound to its body. */
  readonly EDGE_JWKS_URL?: string
  readonly EDGE_ISSUER?: string
  readonly EDGE_AUDIENCE?: string
}

export interface EdgeReport {
  readonly verified: boolean
  readonly claims: Record<string, unknown> | null
}

export type EdgeCheck = { ok: true; report: EdgeReport } | { ok: false; reason: string }

// One verifier per isolate (its JWKS cache and replay store must outlive a request).
let cached: { key: string; verifier: TxnTokenVerifier } | null = null

function verifierFor(env: DevModelEnv): TxnTokenVerifier {
  const key = `${env.EDGE_JWKS_URL}\n${env.EDGE_ISSUER}\n${env.EDGE_AUDIENCE}`
  if (cached?.key !== key) {
    cached = {
      key,
      verifier: createTxnTokenVerifier({
        issuer: env.EDGE_ISSUER ?? '',
        audience: env.EDGE_AUDIENCE ?? '',
        jwksUri: env.EDGE_JWKS_URL as string,
      }),
    }
  }
  return cached.verifier
}

export async function checkEdgeToken(req: Request, body: Uint8Array, env: DevModelEnv): Promise<EdgeCheck> {
  if (!env.EDGE_JWKS_URL) return { ok: true, report: { verified: false, claims: null } }
  if (!env.EDGE_ISSUER || !env.EDGE_AUDIENCE) return { ok: false, reason: 'verifier_misconfigured' }
  const result = await verifierFor(env).verify({
    token: req.headers.get('txn-token'),
    method: req.method,
    path: new URL(req.url).pathname,
    body,
  })
  if (!result.ok) return { ok: false, reason: result.reason }
  return { ok: true, report: { verified: true, claims: result.claims as unknown as Record<string, unknown> } }
}
