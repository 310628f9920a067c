// OpenAI request-shape validation for the endpoints the gateway serves. Hand-written (no schema library in the
// bundle) and strict only where a wrong shape could change what later stages see: roles, content parts, token
// counts, streaming flags. Unknown top-level fields pass through, as the upstream API grows them often.
import type { Endpoint } from '../policy/schema.ts'

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
export type JsonMap = { [key: string]: Json }

export interface ValidRequest {
  readonly model: string | null
  /** The caller's requested output cap (max_completion_tokens wins over max_tokens), if any. */
  readonly maxTokens: number | null
  readonly maxTokensField: 'max_tokens' | 'max_completion_tokens' | null
  readonly stream: boolean
  /** Whether the caller itself asked for usage in the stream (stream_options.include_usage). */
  readonly streamUsage: boolean
}

export type ValidationResult = { ok: true; value: ValidRequest } | { ok: false; param: string; reason: string }

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function'])
const PART_TYPES = new Set(['text', 'image_url', 'input_audio', 'file', 'refusal'])
const MAX_MESSAGES = 2048
const MAX_MODEL_ID = 256
const MAX_STOP = 4

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
  if (typeof m !== 'string' || m.length === 0 || m.length > MAX_MODEL_ID) fail('model', 'must be a non-empty string')
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
    if (role === 'assistant' && (Array.isArray(msg.tool_calls) || isMap(msg.function_call))) return
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

function tokenInput(body: JsonMap, key: 'prompt' | 'input'): void {
  const v = body[key]
  if (typeof v === 'string') return
  if (!Array.isArray(v) || v.length === 0) fail(key, 'must be a string or a non-empty array')
  const arr = v as Json[]
  const allStrings = arr.every((x) => typeof x === 'string')
  const allInts = arr.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)
  const allIntArrays = arr.every(
    (x) =>
      Array.isArray(x) && x.length > 0 && x.every((t) => typeof t === 'number' && Number.isSafeInteger(t) && t >= 0),
  )
  if (!allStrings && !allInts && !allIntArrays) fail(key, 'must be strings, token ids, or arrays of token ids')
}

function sampling(body: JsonMap): void {
  numberIn(body, 'temperature', 0, 2)
  numberIn(body, 'top_p', 0, 1)
  numberIn(body, 'presence_penalty', -2, 2)
  numberIn(body, 'frequency_penalty', -2, 2)
  const n = positiveInt(body, 'n')
  if (n !== null && n > 128) fail('n', 'must be at most 128')
  stop(body)
}

function maxTokens(body: JsonMap): Pick<ValidRequest, 'maxTokens' | 'maxTokensField'> {
  const mct = positiveInt(body, 'max_completion_tokens')
  const mt = positiveInt(body, 'max_tokens')
  if (mct !== null) return { maxTokens: mct, maxTokensField: 'max_completion_tokens' }
  if (mt !== null) return { maxTokens: mt, maxTokensField: 'max_tokens' }
  return { maxTokens: null, maxTokensField: null }
}

/** Validate a parsed body for `endpoint`. `param` names the first offending field, OpenAI-style. */
export function validateRequest(endpoint: Endpoint, body: unknown): ValidationResult {
  try {
    if (endpoint === 'models') return { ok: true, value: EMPTY }
    if (!isMap(body)) return { ok: false, param: '', reason: 'body must be a JSON object' }
    const m = model(body)
    if (endpoint === 'embeddings') {
      tokenInput(body, 'input')
      const enc = body.encoding_format
      if (enc !== undefined && enc !== 'float' && enc !== 'base64') fail('encoding_format', 'must be float or base64')
      positiveInt(body, 'dimensions')
      return { ok: true, value: { ...EMPTY, model: m } }
    }
    if (endpoint === 'chat') messages(body)
    else tokenInput(body, 'prompt')
    sampling(body)
    return { ok: true, value: { model: m, ...maxTokens(body), ...streamFlags(body) } }
  } catch (err) {
    if (err instanceof Invalid) return { ok: false, param: err.param, reason: err.reason }
    throw err
  }
}

const EMPTY: ValidRequest = { model: null, maxTokens: null, maxTokensField: null, stream: false, streamUsage: false }
