// The request model: one body, one meaning. The bytes are read once (by the caller, within the size cap), decoded
// as strict UTF-8, checked for duplicate keys at any depth and nesting beyond MAX_JSON_DEPTH, parsed once, and
// validated per the endpoint catalogue. Stages read the parsed view and the derived facts; the edge's rewrites
// are named patches spliced into the original text when the body is sealed, so every byte the edge did not
// rewrite — a big-integer seed, `1e999` — is forwarded exactly as the caller sent it. Sealing is memoised: the
// sign stage digests and the forward stage sends the same bytes, and patching after the seal is a bug (throws).
import { inspectJsonText, type JsonPath, patchJsonText } from '../json/text.ts'
import { EMPTY, type ValidRequest, validateRequest } from '../openai/validate.ts'
import type { Endpoint } from './endpoints.ts'

/**
 * Deepest nesting accepted, objects and arrays counted together. A chat body with tools whose JSON schemas
 * nest a few levels needs about 12; 64 leaves room and keeps every recursive consumer (estimator, screen
 * walk, upstream parsers) far from stack limits.
 */
export const MAX_JSON_DEPTH = 64

/** Every rewrite the edge may make, by name (recorded in the decision log; one place to audit). */
export const PATCH_NAMES = ['ceiling', 'stream_usage', 'pseudonym', 'redaction'] as const
export type PatchName = (typeof PATCH_NAMES)[number]

interface NamedPatch {
  readonly name: PatchName
  readonly path: JsonPath
  readonly value: unknown
}

type JsonObject = { [key: string]: unknown }
const encoder = new TextEncoder()
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false })

export class RequestBody {
  readonly #raw: Uint8Array
  readonly #text: string
  /** The caller's body as parsed (never mutated; patches are not reflected here). */
  readonly json: JsonObject | null
  readonly #patches: NamedPatch[] = []
  #sealed: Uint8Array | null = null
  /** `json` with the patches so far applied, copied on the first patch. */
  #view: JsonObject | null = null

  constructor(raw: Uint8Array, text: string, json: JsonObject | null) {
    this.#raw = raw
    this.#text = text
    this.json = json
  }

  /** A body from bytes already known to be one JSON object (or empty), without the ingress checks: for stubs of
   * earlier stages in tests and benchmarks. Ingress uses parseRequestBody. */
  static fromBytes(raw: Uint8Array | string): RequestBody {
    const bytes = typeof raw === 'string' ? encoder.encode(raw) : raw
    const text = utf8.decode(bytes)
    return new RequestBody(bytes, text, text === '' ? null : (JSON.parse(text) as JsonObject))
  }

  /** The body as the next stage sees it: the caller's JSON with the patches so far applied. A stage that screens
   * text reads this, so text an earlier stage rewrote (pseudonyms) is what it judges and rewrites further. */
  get current(): JsonObject | null {
    return this.#view ?? this.json
  }

  /** Sets the value at `path` (creating missing object members) when the body is sealed. */
  patch(name: PatchName, path: JsonPath, value: unknown): void {
    if (this.#sealed) throw new Error('request body already sealed')
    if (this.json === null) throw new Error('request body has no JSON to patch')
    this.#patches.push({ name, path, value })
    this.#view ??= structuredClone(this.json)
    setPath(this.#view, path, value)
  }

  /** Distinct patch names applied, in order (for the decision log). */
  get patchNames(): PatchName[] {
    return [...new Set(this.#patches.map((p) => p.name))]
  }

  get sealed(): boolean {
    return this.#sealed !== null
  }

  /** The exact bytes to digest and send: the caller's bytes, or them with the patches spliced in. */
  seal(): Uint8Array {
    if (this.#sealed) return this.#sealed
    this.#sealed = this.#patches.length === 0 ? this.#raw : encoder.encode(patchJsonText(this.#text, this.#patches))
    return this.#sealed
  }
}

/** Writes `value` at `path`, creating missing object members (the same meaning patchJsonText gives a patch). */
function setPath(root: JsonObject, path: JsonPath, value: unknown): void {
  let node: Record<string | number, unknown> = root
  for (let k = 0; k < path.length - 1; k++) {
    const seg = path[k]!
    const next = node[seg]
    if (typeof next !== 'object' || next === null) node[seg] = {}
    node = node[seg] as Record<string | number, unknown>
  }
  node[path[path.length - 1]!] = value
}

export const NO_BODY_FACTS: ValidRequest = EMPTY
export const emptyBody = (): RequestBody => new RequestBody(new Uint8Array(0), '', null)

export type ParsedRequest =
  | { ok: true; body: RequestBody; facts: ValidRequest }
  | { ok: false; code: 'ingress.malformed_json' | 'ingress.invalid_request'; param: string | null }

/** Decodes, checks, parses and validates a request body read within the size cap. */
export function parseRequestBody(endpoint: Endpoint, raw: Uint8Array): ParsedRequest {
  let text: string
  try {
    text = utf8.decode(raw)
  } catch {
    return { ok: false, code: 'ingress.malformed_json', param: null }
  }
  // Structure first: a 10,000-deep body is refused before any parser or walker recurses into it.
  // A duplicate key is refused too: JSON.parse keeps the last, other parsers the first — two meanings.
  if (inspectJsonText(text, MAX_JSON_DEPTH) !== null) return { ok: false, code: 'ingress.invalid_request', param: null }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return { ok: false, code: 'ingress.malformed_json', param: null }
  }
  const valid = validateRequest(endpoint, json)
  if (!valid.ok) return { ok: false, code: 'ingress.invalid_request', param: valid.param || null }
  return { ok: true, body: new RequestBody(raw, text, json as JsonObject), facts: valid.value }
}
