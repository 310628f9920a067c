// Every refusal Portcullis can make, as one union of stable codes (like jose's ERR_JWT_EXPIRED).
// Clients and tests match on `code`; the message is a fixed, generic sentence per code, so it never
// reveals which internal check, threshold or key fired beyond what the code already says.

import { SCREEN_CATEGORY_TABLE } from './screen/categories.ts'

export type OpenAIErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'server_error'

interface ErrorSpec {
  readonly status: number
  readonly type: OpenAIErrorType
  readonly message: string
}

/** `screen.<category>` for every screen category, from the category table (403, its fixed message). */
const SCREEN_ERRORS = Object.fromEntries(
  SCREEN_CATEGORY_TABLE.map((c) => [`screen.${c.name}`, { status: 403, type: 'permission_error', message: c.refusal }]),
) as {
  readonly [C in (typeof SCREEN_CATEGORY_TABLE)[number] as `screen.${C['name']}`]: {
    readonly status: 403
    readonly type: 'permission_error'
    readonly message: C['refusal']
  }
}

// The table is the single source of truth: `ErrorCode` is derived from its keys, and the README's error table
// is checked against it by errors.test.ts.
export const ERRORS = {
  'ingress.not_found': { status: 404, type: 'not_found_error', message: 'No such endpoint.' },
  'ingress.method_not_allowed': { status: 405, type: 'invalid_request_error', message: 'Method not allowed.' },
  'ingress.unknown_host': { status: 404, type: 'not_found_error', message: 'No tenant is served on this host.' },
  'ingress.unsupported_media_type': {
    status: 415,
    type: 'invalid_request_error',
    message: 'Unsupported content type.',
  },
  'ingress.body_too_large': { status: 413, type: 'invalid_request_error', message: 'Request body too large.' },
  'ingress.malformed_json': { status: 400, type: 'invalid_request_error', message: 'Request body is not valid JSON.' },
  'ingress.invalid_request': {
    status: 400,
    type: 'invalid_request_error',
    message: 'Request does not match the endpoint schema.',
  },
  'ingress.geo_blocked': { status: 403, type: 'permission_error', message: 'Requests from this location are refused.' },
  'ingress.ip_blocked': { status: 403, type: 'permission_error', message: 'Requests from this network are refused.' },
  'auth.missing_token': { status: 401, type: 'authentication_error', message: 'A bearer token is required.' },
  'auth.malformed_token': { status: 401, type: 'authentication_error', message: 'The bearer token is malformed.' },
  'auth.invalid_token': { status: 401, type: 'authentication_error', message: 'The bearer token is not valid.' },
  'auth.token_expired': { status: 401, type: 'authentication_error', message: 'The bearer token has expired.' },
  'auth.token_not_yet_valid': {
    status: 401,
    type: 'authentication_error',
    message: 'The bearer token is not yet valid.',
  },
  'auth.token_too_old': { status: 401, type: 'authentication_error', message: 'The bearer token is too old.' },
  'auth.invalid_claims': {
    status: 401,
    type: 'authentication_error',
    message: 'The bearer token claims are not accepted.',
  },
  'auth.untrusted_issuer': {
    status: 401,
    type: 'authentication_error',
    message: 'The token issuer is not trusted here.',
  },
  'auth.unknown_key': { status: 401, type: 'authentication_error', message: 'The token signing key is unknown.' },
  'auth.jwks_unavailable': {
    status: 503,
    type: 'server_error',
    message: 'The identity provider keys are unavailable; try again later.',
  },
  'auth.jwks_invalid': { status: 503, type: 'server_error', message: 'The identity provider key set was refused.' },
  'authz.endpoint_forbidden': {
    status: 403,
    type: 'permission_error',
    message: 'Your scopes do not allow this endpoint.',
  },
  'authz.model_forbidden': { status: 403, type: 'permission_error', message: 'Your scopes do not allow this model.' },
  'authz.max_tokens_exceeded': {
    status: 403,
    type: 'permission_error',
    message: 'max_tokens exceeds what your scopes allow.',
  },
  'authz.unscreened_input': {
    status: 403,
    type: 'permission_error',
    message: 'Your scopes do not allow token-id prompts or template overrides.',
  },
  'limit.requests': { status: 429, type: 'rate_limit_error', message: 'Request rate limit exceeded.' },
  'limit.tokens': { status: 429, type: 'rate_limit_error', message: 'Token budget exceeded.' },
  'limit.ip': { status: 429, type: 'rate_limit_error', message: 'Too many requests from this address.' },
  'limit.unavailable': { status: 503, type: 'server_error', message: 'Rate limiting is unavailable; try again later.' },
  ...SCREEN_ERRORS,
  'screen.unavailable': { status: 503, type: 'server_error', message: 'Prompt screening is unavailable.' },
  'sign.key_unavailable': { status: 503, type: 'server_error', message: 'The gateway cannot sign requests right now.' },
  'upstream.timeout': { status: 504, type: 'server_error', message: 'The model tier did not answer in time.' },
  'upstream.unavailable': { status: 502, type: 'server_error', message: 'The model tier is unavailable.' },
  'upstream.bad_response': { status: 502, type: 'server_error', message: 'The model tier returned an error.' },
  'upstream.stream_interrupted': { status: 502, type: 'server_error', message: 'The model stream was interrupted.' },
  'response.secret': {
    status: 403,
    type: 'permission_error',
    message: 'The answer was withheld: it contained a credential.',
  },
  'response.pii': {
    status: 403,
    type: 'permission_error',
    message: 'The answer was withheld: it contained personal data.',
  },
  'response.tenant_rule': {
    status: 403,
    type: 'permission_error',
    message: 'The answer was withheld by tenant policy.',
  },
  'response.exfiltration': {
    status: 403,
    type: 'permission_error',
    message: 'The answer was withheld: it linked to an untrusted host.',
  },
  'response.leak': {
    status: 403,
    type: 'permission_error',
    message: 'The answer was withheld: it repeated the system prompt.',
  },
  'response.too_large': { status: 502, type: 'server_error', message: 'The model answer is too large to screen.' },
  'response.unavailable': { status: 502, type: 'server_error', message: 'Answer screening is unavailable.' },
  'internal.error': { status: 500, type: 'server_error', message: 'Internal error.' },
} as const satisfies Record<string, ErrorSpec>

export type ErrorCode = keyof typeof ERRORS

export interface OpenAIErrorBody {
  error: { message: string; type: OpenAIErrorType; code: ErrorCode; param: string | null }
}

/** The wire body for a refusal: the OpenAI error shape with our stable code. `detail` replaces the fixed
 * message only where the code's own numbers help the client (limit.tokens that can never fit). */
export function errorBody(code: ErrorCode, param: string | null = null, detail: string | null = null): OpenAIErrorBody {
  const spec: ErrorSpec = ERRORS[code]
  return { error: { message: detail ?? spec.message, type: spec.type, code, param } }
}

export function errorStatus(code: ErrorCode): number {
  return ERRORS[code].status
}

/** Thrown inside the pipeline; only the error handler turns it into a response. */
export class GatewayError extends Error {
  override readonly name = 'GatewayError'
  constructor(
    readonly code: ErrorCode,
    readonly param: string | null = null,
    readonly headers: Readonly<Record<string, string>> = {},
    /** A message with numbers that replaces the fixed one (never caller text, never a secret). */
    readonly detail: string | null = null,
  ) {
    super(code)
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERRORS, value)
}
