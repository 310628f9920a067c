// Node `node:http` adapter for the verifier, for a model server or an ext_authz service in a few lines:
//   http.createServer(withTxnToken(verifier, (req, res, { claims, body }) => { … }))
// The body must be read to check its digest, so the handler gets the exact bytes (`body`) instead of the stream.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TxnTokenClaims } from './claims.ts'
import type { TxnTokenVerifier } from './verifier.ts'

export const NODE_MAX_BODY_BYTES = 10 * 1024 * 1024 // the edge caps bodies lower; this only bounds memory here

export interface NodeTxnOptions {
  readonly maxBodyBytes?: number
  /** The path the edge signed, from this request. Default: the URL path, minus `stripPrefix` when it starts with it. */
  readonly path?: (req: IncomingMessage) => string
  /** A prefix the mesh or the upstream URL added in front of the gateway's path (e.g. "/openai"). */
  readonly stripPrefix?: string
}

export interface VerifiedRequest {
  readonly claims: TxnTokenClaims
  /** The exact body bytes whose digest the token carries. */
  readonly body: Buffer
}

/** Read the body (bounded) and verify the request's Txn-Token against it. */
export async function verifyNodeRequest(
  verifier: TxnTokenVerifier,
  req: IncomingMessage,
  opts: NodeTxnOptions = {},
): Promise<{ ok: true; verified: VerifiedRequest } | { ok: false; status: number; code: string }> {
  const body = await readBody(req, opts.maxBodyBytes ?? NODE_MAX_BODY_BYTES)
  if (body === null) return { ok: false, status: 413, code: 'txn_token.body_too_large' }
  const header = req.headers['txn-token']
  const result = await verifier.verify({
    token: Array.isArray(header) ? undefined : header, // two Txn-Token headers are never legitimate
    method: req.method ?? 'GET',
    path: (opts.path ?? defaultPath(opts.stripPrefix))(req),
    body,
  })
  if (!result.ok) return { ok: false, status: result.status, code: `txn_token.${result.reason}` }
  return { ok: true, verified: { claims: result.claims, body } }
}

/** Wrap a `node:http` request listener: only requests with a valid, body-bound edge token reach `handler`. */
export function withTxnToken(
  verifier: TxnTokenVerifier,
  handler: (req: IncomingMessage, res: ServerResponse, verified: VerifiedRequest) => void | Promise<void>,
  opts: NodeTxnOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  return function txnTokenListener(req, res) {
    verifyNodeRequest(verifier, req, opts)
      .then((outcome) => (outcome.ok ? handler(req, res, outcome.verified) : refuse(res, outcome.status, outcome.code)))
      .catch(() => {
        if (!res.headersSent) refuse(res, 500, 'txn_token.internal_error')
        else res.destroy()
      })
  }
}

/** Connect/Express-style middleware: sets `req.txnToken` and `req.rawBody`, or answers 401/413/503 itself.
 * Mount it before any body parser (it consumes the stream). */
export function requireTxnToken(verifier: TxnTokenVerifier, opts: NodeTxnOptions = {}) {
  return function requireTxnToken(
    req: IncomingMessage & { txnToken?: TxnTokenClaims; rawBody?: Buffer },
    res: ServerResponse,
    next: (err?: unknown) => void,
  ): void {
    verifyNodeRequest(verifier, req, opts).then((outcome) => {
      if (!outcome.ok) return refuse(res, outcome.status, outcome.code)
      req.txnToken = outcome.verified.claims
      req.rawBody = outcome.verified.body
      next()
    }, next)
  }
}

function refuse(res: ServerResponse, status: number, code: string): void {
  // OpenAI error shape, like the gateway's; the code names the failed check, never token or body content.
  const body = JSON.stringify({
    error: {
      message: 'The request did not come through the edge gateway.',
      type: 'authentication_error',
      code,
      param: null,
    },
  })
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
  res.end(body)
}

function defaultPath(prefix: string | undefined): (req: IncomingMessage) => string {
  return (req) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    return prefix && path.startsWith(prefix) ? path.slice(prefix.length) || '/' : path
  }
}

async function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  const declared = Number(req.headers['content-length'])
  if (Number.isFinite(declared) && declared > max) return null
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    const buf = chunk as Buffer
    size += buf.length
    if (size > max) return null
    chunks.push(buf)
  }
  return Buffer.concat(chunks)
}
