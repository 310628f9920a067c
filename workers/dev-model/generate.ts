// Deterministic stand-ins for model output: the same request always yields the same words, token counts and
// vectors, so tests and demos are reproducible without a GPU.

export const MODEL_ID = 'dev-model'
const WORDS = [
  'The',
  'edge',
  'checked',
  'this',
  'request',
  'and',
  'the',
  'model',
  'tier',
  'answered',
  'it',
  'in',
  'order',
]

/** Cheap, stable token count: roughly 4 characters per token, at least 1. */
export function countTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4))
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h
}

/** `count` words, each one token, picked deterministically from the prompt. */
export function replyWords(prompt: string, count: number): string[] {
  const seed = fnv1a(prompt)
  const out: string[] = []
  for (let i = 0; i < count; i++) out.push(WORDS[(seed + i * 7) % WORDS.length] as string)
  return out
}

/** A unit-length vector derived from the text. */
export function embed(text: string, dimensions: number): number[] {
  const v: number[] = []
  let h = fnv1a(text)
  for (let i = 0; i < dimensions; i++) {
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0
    v.push((h / 0xffffffff) * 2 - 1)
  }
  const norm = Math.hypot(...v) || 1
  return v.map((x) => Number((x / norm).toFixed(6)))
}

export function promptText(body: Record<string, unknown>): string {
  if (Array.isArray(body.messages)) {
    return body.messages
      .map((m) => {
        const c = (m as { content?: unknown }).content
        if (typeof c === 'string') return c
        if (Array.isArray(c)) return c.map((p) => (typeof p?.text === 'string' ? p.text : '')).join(' ')
        return ''
      })
      .join('\n')
  }
  const p = body.prompt ?? body.input
  if (typeof p === 'string') return p
  if (Array.isArray(p)) return p.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('\n')
  return ''
}

export interface DevOptions {
  /** Milliseconds to wait before answering (upstream timeout tests). */
  readonly delayMs: number
  /** Milliseconds between stream chunks (first-byte tests). */
  readonly chunkDelayMs: number
  /** Abort the stream after this many chunks (broken-stream tests). */
  readonly breakAfter: number | null
  /** Answer with this status instead (5xx tests). */
  readonly status: number | null
  /** A scripted answer (workers/dev-model/scripts.ts) instead of generated words. */
  readonly script: string | null
}

const clampInt = (v: unknown, max: number): number | null =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 ? Math.min(v, max) : null

/** Test knobs ride in an extra body field the gateway forwards untouched, like any unknown OpenAI field. */
export function devOptions(body: Record<string, unknown>): DevOptions {
  const o = (typeof body.dev_options === 'object' && body.dev_options !== null ? body.dev_options : {}) as Record<
    string,
    unknown
  >
  return {
    delayMs: clampInt(o.delay_ms, 120_000) ?? 0,
    chunkDelayMs: clampInt(o.chunk_delay_ms, 10_000) ?? 0,
    breakAfter: clampInt(o.break_after, 10_000),
    status: clampInt(o.status, 599),
    script: typeof o.script === 'string' ? o.script : null,
  }
}
