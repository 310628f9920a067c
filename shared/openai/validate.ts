// OpenAI request-shape validation for the endpoints the gateway serves. Hand-written (no schema library in the
// bundle) and strict only where a wrong shape could change what later stages see: roles, content parts, token
// counts, streaming flags. Unknown top-level fields pass through, as the upstream API grows them often.
// Which fields are token ceilings, choice counts, token-id inputs and template overrides comes from the catalogue.
import { type CeilingField, type Endpoint, endpointSpec } from '../request/endpoints.ts'

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
export type JsonMap = { [key: string]: Json }

export interface ValidRequest {
  readonly model: string | null
  /** The largest output cap the caller asked for in any ceiling field (an upstream may read any of them). */
  readonly maxTokens: number | null
  /** Every ceiling field present in the body, so each can be clamped to the one grant. */
  readonly ceilingFields: readonly CeilingField[]
  /** Completions generated per request: the largest of the choice fields (n, best_of), at least 1. */
  readonly choices: number
  readonly stream: boolean
  /** Whether the caller itself asked for usage in the stream (stream_options.include_usage). */
  readonly streamUsage: boolean
  /** The prompt or input is given as token ids, which the screen cannot read. */
  readonly tokenIds: boolean
  /** A template override (vLLM chat_template, chat_template_kwargs) is present. */
  readonly templateOverride: boolean
}

export type ValidationResult = { ok: true; value: ValidRequest } | { ok: false; param: string; reason: string }

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function'])
const PART_TYPES = new Set(['text', 'image_url', 'input_audio', 'file', 'refusal'])
const MAX_MESSAGES = 2048
const MAX_MODEL_ID = 128 // Hugging Face ids are at most 96 characters; room for an org prefix and a revision
// Model ids are identifiers, logged and forwarded: no spaces, quotes, control characters, '@' (no e-mail addresses).
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:/+-]*$/
const MAX_STOP = 4
const MAX_CHOICES = 128 // n and best_of: the OpenAI API's own maximum

class Invalid {
  constructor(
    readonly param: string,
    readonly reason: string,
  ) {}
}

const fail = (param: string, reason: string): never => {
  throw new Invalid(param, reason)
}

export function isMap(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function positiveInt(body: JsonMap, key: string): number | null {
  const v = body[key]
  if (v === undefined || v === null) return null
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) fail(key, 'must be a positive integer')
  return v as number
}

function numberIn(body: JsonMap, key: string, min: number, max: number): void {
  const v = body[key]
  if (v === undefined || v === null) return
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
    fail(key, `must be a number in [${min}, ${max}]`)
}

function model(body: JsonMap): string {
  const m = body.model
  if (typeof m !== 'string' || m.length === 0 || m.length > MAX_MODEL_ID || !MODEL_ID.test(m))
    fail('model', `must be a model id (letters, digits, . _ : / + -, at most ${MAX_MODEL_ID})`)
  return m as string
}

function streamFlags(body: JsonMap): { stream: boolean; streamUsage: boolean } {
  const s = body.stream
  if (s !== undefined && s !== null && typeof s !== 'boolean') fail('stream', 'must be a boolean')
  const opts = body.stream_options
  let streamUsage = false
  if (opts !== undefined && opts !== null) {
    if (!isMap(opts)) fail('stream_options', 'must be an object')
    const iu = (opts as JsonMap).include_usage
    if (iu !== undefined && typeof iu !== 'boolean') fail('stream_options.include_usage', 'must be a boolean')
    streamUsage = iu === true
  }
  return { stream: s === true, streamUsage }
}

function stop(body: JsonMap): void {
  const s = body.stop
  if (s === undefined || s === null || typeof s === 'string') return
  if (!Array.isArray(s) || s.length > MAX_STOP || !s.every((x) => typeof x === 'string')) {
    fail('stop', `must be a string or up to ${MAX_STOP} strings`)
  }
}

function content(msg: JsonMap, at: string, role: string): void {
  const c = msg.content
  if (typeof c === 'string') return
  if (c === null || c === undefined) {
    const answered = Array.isArray(msg.tool_calls) || isMap(msg.function_call) || typeof msg.refusal === 'string'
    if (role === 'assistant' && answered) return
    fail(`${at}.content`, 'is required')
  }
  if (!Array.isArray(c) || c.length === 0) fail(`${at}.content`, 'must be a string or a non-empty array of parts')
  ;(c as Json[]).forEach((part, j) => {
    const p = `${at}.content[${j}]`
    if (!isMap(part) || typeof part.type !== 'string' || !PART_TYPES.has(part.type))
      fail(`${p}.type`, 'unknown part type')
    const typed = part as JsonMap
    if (typed.type === 'text' && typeof typed.text !== 'string') fail(`${p}.text`, 'must be a string')
    if (typed.type === 'image_url' && !(isMap(typed.image_url) && typeof typed.image_url.url === 'string')) {
      fail(`${p}.image_url.url`, 'must be a string')
    }
  })
}

function messages(body: JsonMap): void {
  const ms = body.messages
  if (!Array.isArray(ms) || ms.length === 0) fail('messages', 'must be a non-empty array')
  if ((ms as Json[]).length > MAX_MESSAGES) fail('messages', `at most ${MAX_MESSAGES} messages`)
  ;(ms as Json[]).forEach((m, i) => {
    const at = `messages[${i}]`
    if (!isMap(m)) fail(at, 'must be an object')
    const msg = m as JsonMap
    if (typeof msg.role !== 'string' || !ROLES.has(msg.role)) fail(`${at}.role`, 'unknown role')
    const role = msg.role as string
    if (msg.name !== undefined && typeof msg.name !== 'string') fail(`${at}.name`, 'must be a string')
    if (role === 'tool' && typeof msg.tool_call_id !== 'string')
      fail(`${at}.tool_call_id`, 'is required for tool messages')
    content(msg, at, role)
  })
}

/** Validates a prompt/input; true when it is given as token ids. */
function tokenInput(body: JsonMap, key: 'prompt' | 'input'): boolean {
  const v = body[key]
  if (typeof v === 'string') return false
  if (!Array.isArray(v) || v.length === 0) fail(key, 'must be a string or a non-empty array')
  const arr = v as Json[]
  const allStrings = arr.every((x) => typeof x === 'string')
  const allInts = arr.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)
  const allIntArrays = arr.every(
    (x) =>
      Array.isArray(x) && x.length > 0 && x.every((t) => typeof t === 'number' && Number.isSafeInteger(t) && t >= 0),
  )
  if (!allStrings && !allInts && !allIntArrays) fail(key, 'must be strings, token ids, or arrays of token ids')
  return !allStrings
}

function sampling(body: JsonMap): void {
  numberIn(body, 'temperature', 0, 2)
  numberIn(body, 'top_p', 0, 1)
  numberIn(body, 'presence_penalty', -2, 2)
  numberIn(body, 'frequency_penalty', -2, 2)
  stop(body)
}

/** Every ceiling and choice field of the endpoint, each validated; the largest asked for wins. */
function generation(endpoint: Endpoint, body: JsonMap): Pick<ValidRequest, 'maxTokens' | 'ceilingFields' | 'choices'> {
  const spec = endpointSpec(endpoint)
  let maxTokens: number | null = null
  const ceilingFields: CeilingField[] = []
  for (const field of spec.ceilings) {
    const v = positiveInt(body, field)
    if (v === null) continue
    ceilingFields.push(field)
    maxTokens = Math.max(maxTokens ?? 0, v)
  }
  let choices = 1
  for (const field of spec.choices) {
    const v = positiveInt(body, field)
    if (v !== null && v > MAX_CHOICES) fail(field, `must be at most ${MAX_CHOICES}`)
    choices = Math.max(choices, v ?? 1)
  }
  return { maxTokens, ceilingFields, choices }
}

function templateOverride(endpoint: Endpoint, body: JsonMap): boolean {
  return endpointSpec(endpoint).templateOverrides.some((f) => body[f] !== undefined && body[f] !== null)
}

/** Validate a parsed body for `endpoint`. `param` names the first offending field, OpenAI-style. */
export function validateRequest(endpoint: Endpoint, body: unknown): ValidationResult {
  try {
    if (endpoint === 'models') return { ok: true, value: EMPTY }
    if (!isMap(body)) return { ok: false, param: '', reason: 'body must be a JSON object' }
    const m = model(body)
    if (endpoint === 'embeddings') {
      const tokenIds = tokenInput(body, 'input')
      const enc = body.encoding_format
      if (enc !== undefined && enc !== 'float' && enc !== 'base64') fail('encoding_format', 'must be float or base64')
      positiveInt(body, 'dimensions')
      return { ok: true, value: { ...EMPTY, model: m, tokenIds } }
    }
    let tokenIds = false
    if (endpoint === 'chat') messages(body)
    else tokenIds = tokenInput(body, 'prompt')
    sampling(body)
    const value = { model: m, ...generation(endpoint, body), ...streamFlags(body), tokenIds }
    return { ok: true, value: { ...value, templateOverride: templateOverride(endpoint, body) } }
  } catch (err) {
    if (err instanceof Invalid) return { ok: false, param: err.param, reason: err.reason }
    throw err
  }
}

/** The facts of a request without a body (GET /v1/models). */
export const EMPTY: ValidRequest = {
  model: null,
  maxTokens: null,
  ceilingFields: [],
  choices: 1,
  stream: false,
  streamUsage: false,
  tokenIds: false,
  templateOverride: false,
}
