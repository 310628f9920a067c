// Shadow mode in one place: a refusal is either thrown (enforce) or recorded in `decisions.shadowed` and the
// request carried on (shadow). Authorize, the IP shield, limit and screen all refuse through this helper, so
// they cannot disagree on what shadow mode means — every refusal it did not enforce leaves a record.
import type { Context } from 'hono'
import { type ErrorCode, GatewayError } from '../../shared/errors.ts'
import type { AppEnv } from './env.ts'

export const isShadowMode = (c: Context<AppEnv>): boolean => c.get('tenant').policy.mode === 'shadow'

/** Throws the refusal, or in shadow mode records it and returns (the caller then carries on). */
export function refuseOrRecord(
  c: Context<AppEnv>,
  code: ErrorCode,
  headers: Readonly<Record<string, string>> = {},
  detail: string | null = null,
): void {
  if (!isShadowMode(c)) throw new GatewayError(code, null, headers, detail)
  c.get('decisions').shadowed.push(code)
}
