// The endpoint allowlist: exact paths only (no prefix matching, no normalisation of `..` or `//`), so what is
// checked is exactly what is forwarded.
import type { Endpoint } from '../../../shared/policy/schema.ts'

export interface RouteSpec {
  readonly endpoint: Endpoint
  readonly method: 'GET' | 'POST'
  readonly hasBody: boolean
}

export const ROUTES: ReadonlyMap<string, RouteSpec> = new Map([
  ['/v1/chat/completions', { endpoint: 'chat', method: 'POST', hasBody: true }],
  ['/v1/completions', { endpoint: 'completions', method: 'POST', hasBody: true }],
  ['/v1/embeddings', { endpoint: 'embeddings', method: 'POST', hasBody: true }],
  ['/v1/models', { endpoint: 'models', method: 'GET', hasBody: false }],
])

/** Trailing slash is the only spelling variant accepted. */
export function lookupRoute(pathname: string): { path: string; spec: RouteSpec } | null {
  const path = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname
  const spec = ROUTES.get(path)
  return spec ? { path, spec } : null
}
