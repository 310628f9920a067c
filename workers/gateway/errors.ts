// The only place a refusal becomes an HTTP response: OpenAI error shape, stable code, fixed message.
// Anything that is not a GatewayError is an internal error — logged by its name only, never its stack or text.
import type { Context } from 'hono'
import { ERRORS, type ErrorCode, errorBody, GatewayError } from '../../shared/errors.ts'
import type { AppEnv } from './env.ts'

export function errorResponse(
  code: ErrorCode,
  param: string | null = null,
  headers: Record<string, string> = {},
  detail: string | null = null,
) {
  return new Response(JSON.stringify(errorBody(code, param, detail)), {
    status: ERRORS[code].status,
    headers: { 'content-type': 'application/json', 'x-portcullis-code': code, ...headers },
  })
}

export function renderError(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof GatewayError) return errorResponse(err.code, err.param, { ...err.headers }, err.detail)
  console.error(
    JSON.stringify({ level: 'error', msg: 'unhandled', requestId: c.get('requestId') ?? null, error: err.name }),
  )
  return errorResponse('internal.error')
}
