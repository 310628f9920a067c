// Cheap, conservative prompt-token estimator for reserving token budgets before forwarding.
// One pass over UTF-16 code units, no tokenizer tables (those would cost ~2 MB and milliseconds of CPU per
// request); it over-counts on purpose, because the reservation is reconciled against the real `usage` later.
// Its error against js-tiktoken (o200k_base, cl100k_base) is measured in estimate.test.ts and shared/limit/README.md.
import type { Endpoint } from '../policy/schema.ts'

/** Chat framing per message (role, separators) as in OpenAI's cookbook counting recipe, rounded up. */
const TOKENS_PER_MESSAGE = 4
/** The assistant reply is primed with a few tokens. */
const TOKENS_REPLY_PRIMING = 3
/** An image part costs up to 765 tokens at detail=high for 1024x1024, more for larger images; reserve generously. */
const TOKENS_PER_IMAGE = 1_500
/** Tuned on the corpus: 4 over-reserves ~45% (o200k), 6 under-counts 1 prompt in 20; 5 under-counts ~1 in 60. */
const CHARS_PER_WORD_TOKEN = 5
/** Bound the work per request: beyond this many characters the estimate is linear in length, not counted. */
const MAX_SCANNED_CHARS = 2_000_000

const isWordChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 // a-z A-Z 0-9 _
const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13

/**
 * Estimated tokens for a text: ASCII word runs cost 1 token per started 5 characters, digits 1 per 3
 * (tokenizers split numbers into groups of 3), each ASCII punctuation or symbol 1, whitespace only where it is
 * a run the tokenizer keeps (newlines, indentation), and every non-ASCII character 1 (CJK is about 1 per
 * character; Latin accents are cheaper, so this over-counts them).
 */
export function estimateTextTokens(text: string): number {
  const n = Math.min(text.length, MAX_SCANNED_CHARS)
  let tokens = 0
  let word = 0
  let digits = 0
  let spaces = 0
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c >= 48 && c <= 57) {
      if (word > 0) tokens += Math.ceil(word / CHARS_PER_WORD_TOKEN)
      word = 0
      digits++
      continue
    }
    if (digits > 0) tokens += Math.ceil(digits / 3)
    digits = 0
    if (isWordChar(c)) {
      word++
      spaces = 0
      continue
    }
    if (word > 0) tokens += Math.ceil(word / CHARS_PER_WORD_TOKEN)
    word = 0
    if (isSpace(c)) {
      spaces++
      if (spaces === 2 || c === 10) tokens++ // a single space merges into the next word; runs and newlines do not
      continue
    }
    spaces = 0
    if (c >= 0xdc00 && c <= 0xdfff) continue // low surrogate: the pair was counted at its high half
    tokens += c < 128 ? 1 : c >= 0xd800 && c <= 0xdbff ? 2 : 1
  }
  if (word > 0) tokens += Math.ceil(word / CHARS_PER_WORD_TOKEN)
  if (digits > 0) tokens += Math.ceil(digits / 3)
  if (text.length > n) tokens += Math.ceil((text.length - n) / 2)
  return tokens
}

/** Token arrays (`prompt: [1, 2, 3]`) are exact; strings are estimated; an object costs its keys (plus 2 each for
 * quotes and colon) and its values. Iterative (an explicit stack), so no body — however deep — can exhaust the call stack. */
function estimateInput(input: unknown): number {
  let total = 0
  const stack: unknown[] = [input]
  while (stack.length > 0) {
    const v = stack.pop()
    if (typeof v === 'string') total += estimateTextTokens(v)
    else if (typeof v === 'number' || typeof v === 'boolean') total += 1
    else if (Array.isArray(v)) for (const item of v) stack.push(item)
    else if (typeof v === 'object' && v !== null) {
      for (const [key, item] of Object.entries(v)) {
        total += estimateTextTokens(key) + 2 // the key, its quotes/colon
        stack.push(item)
      }
    }
  }
  return total
}

function estimateContent(content: unknown): number {
  if (typeof content === 'string') return estimateTextTokens(content)
  if (!Array.isArray(content)) return content === null || content === undefined ? 0 : estimateInput(content)
  let total = 0
  for (const part of content) {
    if (typeof part !== 'object' || part === null) continue
    const p = part as { type?: unknown; text?: unknown }
    if (p.type === 'text' && typeof p.text === 'string') total += estimateTextTokens(p.text)
    else if (p.type === 'image_url' || p.type === 'input_image') total += TOKENS_PER_IMAGE
    else total += estimateInput(part)
  }
  return total
}

/** Prompt tokens the request will consume, estimated from the validated JSON body. */
export function estimatePromptTokens(endpoint: Endpoint, body: Readonly<Record<string, unknown>> | null): number {
  if (body === null) return 0
  switch (endpoint) {
    case 'chat': {
      const messages = Array.isArray(body.messages) ? body.messages : []
      let total = TOKENS_REPLY_PRIMING
      for (const message of messages) {
        total += TOKENS_PER_MESSAGE
        if (typeof message !== 'object' || message === null) continue
        const m = message as Record<string, unknown>
        total += estimateContent(m.content)
        if (typeof m.name === 'string') total += estimateTextTokens(m.name) + 1
        if (m.tool_calls !== undefined) total += estimateInput(m.tool_calls)
      }
      if (body.tools !== undefined) total += estimateInput(body.tools)
      if (body.functions !== undefined) total += estimateInput(body.functions)
      if (body.response_format !== undefined) total += estimateInput(body.response_format)
      // vLLM extensions the template renders into the prompt.
      for (const key of ['chat_template', 'chat_template_kwargs', 'documents'] as const)
        if (body[key] !== undefined) total += estimateInput(body[key])
      return total
    }
    case 'completions':
      return estimateInput(body.prompt) + (typeof body.suffix === 'string' ? estimateTextTokens(body.suffix) : 0)
    case 'embeddings':
      return estimateInput(body.input)
    case 'models':
      return 0
  }
}
