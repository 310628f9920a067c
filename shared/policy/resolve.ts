// Binds `${VAR}` / `${VAR:-default}` references in policy strings to deployment vars. Runs once per isolate
// per tenant (the gateway caches the result), never per request.

const VAR_REF = /^\$\{([A-Z][A-Z0-9_]*)(?::-([^}]*))?\}$/

/** The bound value, or null when the var is unset/empty and there is no default. */
export function resolveVarRef(value: string, vars: Readonly<Record<string, unknown>>): string | null {
  const m = VAR_REF.exec(value)
  if (!m) return value
  const bound = vars[m[1] as string]
  if (typeof bound === 'string' && bound !== '') return bound
  return m[2] ?? null
}
