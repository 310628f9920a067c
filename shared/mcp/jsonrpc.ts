// Strict JSON-RPC 2.0 parsing for the MCP route, so the edge and the MCP server read one body one way: duplicate
// keys refused (shared/json), nesting depth and batch size bounded, ids of one type and unique in a batch, no
// members beyond the spec's. The trade-off: a few lax clients that JSON-RPC tolerates are refused here.
import { hasDuplicateKeys } from '../json/strict-parse.ts'
import { type JsonRpcErrorMessage, type JsonRpcId, type McpErrorCode, mcpError } from './errors.ts'
import { type AnswerKind, methodSpec } from './methods.ts'

export type JsonObject = { [key: string]: unknown }

export const MAX_JSON_DEPTH = 32 // MCP messages nest a tool's input schema; 32 levels is far beyond real ones
const MAX_ID_CHARS = 256 // an id is echoed back; a long one is only a way to amplify answers
const REQUEST_KEYS = new Set(['jsonrpc', 'id', 'method', 'params'])
const RESPONSE_KEYS = new Set(['jsonrpc', 'id', 'result', 'error'])

export type ClientMessage =
  | {
      readonly kind: 'request'
      readonly id: JsonRpcId
      readonly method: string
      readonly answer: AnswerKind
      readonly params: JsonObject
      readonly raw: JsonObject
    }
  | { readonly kind: 'notification'; readonly method: string; readonly raw: JsonObject }
  /** The client answering a server request (sampling, elicitation, roots): forwarded as is. */
  | { readonly kind: 'response'; readonly id: JsonRpcId; readonly raw: JsonObject }

export type ParsedBody =
  | { readonly ok: true; readonly batch: boolean; readonly messages: readonly ClientMessage[] }
  | { readonly ok: false; readonly status: number; readonly errors: readonly JsonRpcErrorMessage[] }

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v)

/** True when arrays/objects nest deeper than `max` (one linear pass, strings skipped). */
export function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    if (ch === 0x22 /* " */) {
      for (i++; i < text.length; i++) {
        const c = text.charCodeAt(i)
        if (c === 0x5c /* \ */) i++
        else if (c === 0x22) break
      }
    } else if (ch === 0x7b || ch === 0x5b) {
      if (++depth > max) return true
    } else if (ch === 0x7d || ch === 0x5d) depth--
  }
  return false
}

function validId(v: unknown): v is JsonRpcId {
  if (typeof v === 'string') return v.length > 0 && v.length <= MAX_ID_CHARS
  return typeof v === 'number' && Number.isSafeInteger(v)
}

type One = { ok: true; message: ClientMessage } | { ok: false; code: McpErrorCode; id: JsonRpcId | null }

function parseMessage(v: unknown): One {
  if (!isObject(v) || v.jsonrpc !== '2.0') return { ok: false, code: 'mcp.invalid_request', id: null }
  const id = 'id' in v ? v.id : undefined
  const echo = validId(id) ? id : null
  if (typeof v.method === 'string') {
    if (Object.keys(v).some((k) => !REQUEST_KEYS.has(k))) return { ok: false, code: 'mcp.invalid_request', id: echo }
    if (id !== undefined && !validId(id)) return { ok: false, code: 'mcp.invalid_request', id: null }
    if (v.params !== undefined && !isObject(v.params)) return { ok: false, code: 'mcp.invalid_params', id: echo }
    const spec = methodSpec(v.method)
    if (id === undefined) {
      if (spec?.kind !== 'notification') return { ok: false, code: 'mcp.method_not_found', id: null }
      return { ok: true, message: { kind: 'notification', method: spec.name, raw: v } }
    }
    if (spec?.kind !== 'request') return { ok: false, code: 'mcp.method_not_found', id: echo }
    const params = (v.params as JsonObject | undefined) ?? {}
    return {
      ok: true,
      message: { kind: 'request', id: id as JsonRpcId, method: spec.name, answer: spec.answer, params, raw: v },
    }
  }
  if (v.method !== undefined || !validId(id)) return { ok: false, code: 'mcp.invalid_request', id: echo }
  if (Object.keys(v).some((k) => !RESPONSE_KEYS.has(k)) || 'result' in v === 'error' in v)
    return { ok: false, code: 'mcp.invalid_request', id: echo }
  return { ok: true, message: { kind: 'response', id, raw: v } }
}

/** Parse a POST body: one message or a batch. Any bad entry refuses the whole body, naming each bad entry. */
export function parseClientBody(text: string, maxBatch: number): ParsedBody {
  const refuse = (code: McpErrorCode, errors = [mcpError(code, null)]): ParsedBody => ({
    ok: false,
    status: code === 'mcp.batch_too_large' ? 413 : 400,
    errors,
  })
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return refuse('mcp.parse_error')
  }
  if (hasDuplicateKeys(text) || nestsDeeperThan(text, MAX_JSON_DEPTH)) return refuse('mcp.parse_error')
  const batch = Array.isArray(value)
  const entries: unknown[] = batch ? (value as unknown[]) : [value]
  if (entries.length === 0) return refuse('mcp.invalid_request')
  if (entries.length > maxBatch) return refuse('mcp.batch_too_large')
  const messages: ClientMessage[] = []
  const errors: JsonRpcErrorMessage[] = []
  const ids = new Set<string>()
  for (const entry of entries) {
    const one = parseMessage(entry)
    if (!one.ok) {
      errors.push(mcpError(one.code, one.id))
      continue
    }
    if (one.message.kind !== 'notification') {
      // 1 and "1" are different JSON-RPC ids but collide in many clients' maps: refuse both spellings.
      const key = String(one.message.id)
      if (ids.has(key)) {
        errors.push(mcpError('mcp.invalid_request', null))
        continue
      }
      ids.add(key)
    }
    messages.push(one.message)
  }
  if (errors.length > 0) return { ok: false, status: 400, errors }
  return { ok: true, batch, messages }
}
