// The local stand-in for the Kubernetes model tier (vLLM / KServe style, OpenAI-compatible): one model id,
// deterministic output, real SSE framing with a final usage chunk, and a `received` report of the identity and
// headers that reached it. A dev tool, not the product.
import { Hono } from 'hono'
import { checkEdgeToken, type DevModelEnv, type EdgeReport } from './edge.ts'
import { countTokens, type DevOptions, devOptions, embed, MODEL_ID, promptText, replyWords } from './generate.ts'
import { scriptedResponse, scriptFor } from './scripts.ts'

type Body = Record<string, unknown>
type Received = { headers: Record<string, string>; edge: EdgeReport }

const app = new Hono<{ Bindings: DevModelEnv }>()
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const created = () => Math.floor(Date.now() / 1000)

function receivedHeaders(req: Request): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of req.headers) {
    out[name] = name === 'authorization' ? value.replace(/^(Bearer )?.*$/, (_m, p) => `${p ?? ''}***`) : value
  }
  return out
}

/** One line per verified request, for the local inspector page: the decoded Txn-Token by the edge's request id. */
function reportEdge(req: Request, edge: EdgeReport): void {
  if (!edge.verified) return
  console.log(
    JSON.stringify({ msg: 'dev-model.edge', requestId: req.headers.get('x-request-id'), claims: edge.claims }),
  )
}

function openaiError(status: number, code: string, message: string) {
  return Response.json({ error: { message, type: 'invalid_request_error', code, param: null } }, { status })
}

app.get('/healthz', (c) => c.text('ok'))
app.get('/v1/models', async (c) => {
  const edge = await checkEdgeToken(c.req.raw, new Uint8Array(0), c.env)
  if (!edge.ok) return openaiError(401, 'edge_token_rejected', `edge token rejected: ${edge.reason}`)
  reportEdge(c.req.raw, edge.report)
  return c.json({ object: 'list', data: [{ id: MODEL_ID, object: 'model', created: 0, owned_by: 'portcullis-dev' }] })
})

app.post('/v1/:kind{chat/completions|completions|embeddings}', async (c) => {
  const bytes = new Uint8Array(await c.req.arrayBuffer())
  const edge = await checkEdgeToken(c.req.raw, bytes, c.env)
  if (!edge.ok) return openaiError(401, 'edge_token_rejected', `edge token rejected: ${edge.reason}`)
  reportEdge(c.req.raw, edge.report)
  let body: Body
  try {
    body = JSON.parse(new TextDecoder().decode(bytes)) as Body
  } catch {
    return openaiError(400, 'invalid_json', 'body is not JSON')
  }
  if (body.model !== MODEL_ID) return openaiError(404, 'model_not_found', `model ${String(body.model)} not found`)
  const opts = devOptions(body)
  if (opts.delayMs > 0) await sleep(opts.delayMs)
  if (opts.status !== null) return openaiError(opts.status, 'dev_forced_status', 'forced by dev_options.status')
  const received: Received = { headers: receivedHeaders(c.req.raw), edge: edge.report }
  const kind = c.req.param('kind')
  const prompt = promptText(body)
  const promptTokens = countTokens(prompt)

  if (kind === 'embeddings') {
    const inputs = Array.isArray(body.input) ? body.input : [body.input]
    const dims = typeof body.dimensions === 'number' ? Math.min(body.dimensions, 3072) : 16
    const data = inputs.map((x, index) => ({ object: 'embedding', index, embedding: embed(JSON.stringify(x), dims) }))
    const usage = { prompt_tokens: promptTokens, total_tokens: promptTokens }
    return c.json({ object: 'list', model: MODEL_ID, data, usage, received })
  }

  const maxTokens = Number(body.max_completion_tokens ?? body.max_tokens ?? 16)
  const words = replyWords(prompt, Math.max(1, Math.min(maxTokens, 64)))
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: words.length,
    total_tokens: promptTokens + words.length,
  }
  const chat = kind === 'chat/completions'
  const id = `${chat ? 'chatcmpl' : 'cmpl'}-dev-${(c.req.header('x-request-id') ?? '0').slice(0, 12)}`
  const includeUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true
  const scripted = scriptFor(opts.script, prompt)
  if (scripted !== null)
    return scriptedResponse(scripted, { id, chat, stream: body.stream === true, includeUsage, usage, received, prompt })
  if (body.stream !== true) {
    const text = words.join(' ')
    const choice = chat
      ? {
          index: 0,
          message: { role: 'assistant', content: text },
          finish_reason: words.length >= maxTokens ? 'length' : 'stop',
        }
      : { index: 0, text, finish_reason: 'stop' }
    const object = chat ? 'chat.completion' : 'text_completion'
    return c.json({ id, object, created: created(), model: MODEL_ID, choices: [choice], usage, received })
  }
  return new Response(sseStream({ id, chat, words, usage, includeUsage, received, opts }), {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' },
  })
})

function sseStream(s: {
  id: string
  chat: boolean
  words: string[]
  usage: Record<string, number>
  includeUsage: boolean
  received: Received
  opts: DevOptions
}): ReadableStream<Uint8Array> {
  const enc = new TextEncoder()
  const object = s.chat ? 'chat.completion.chunk' : 'text_completion'
  const frame = (data: unknown) => enc.encode(`data: ${JSON.stringify(data)}\n\n`)
  const chunk = (i: number, delta: string | null, finish: string | null) => ({
    id: s.id,
    object,
    created: created(),
    model: MODEL_ID,
    choices: [
      s.chat
        ? {
            index: 0,
            delta: delta === null ? {} : { ...(i === 0 ? { role: 'assistant' } : {}), content: delta },
            finish_reason: finish,
          }
        : { index: 0, text: delta ?? '', finish_reason: finish },
    ],
    ...(s.includeUsage ? { usage: null } : {}),
    ...(i === 0 ? { received: s.received } : {}),
  })
  let i = 0
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (s.opts.breakAfter !== null && i >= s.opts.breakAfter) {
        controller.error(new Error('dev_options.break_after'))
        return
      }
      if (i > 0 && s.opts.chunkDelayMs > 0) await sleep(s.opts.chunkDelayMs)
      if (i < s.words.length) {
        controller.enqueue(frame(chunk(i, `${i === 0 ? '' : ' '}${s.words[i]}`, null)))
      } else if (i === s.words.length) {
        controller.enqueue(frame(chunk(i, null, 'stop')))
        if (s.includeUsage)
          controller.enqueue(
            frame({ id: s.id, object, created: created(), model: MODEL_ID, choices: [], usage: s.usage }),
          )
        controller.enqueue(enc.encode('data: [DONE]\n\n'))
        controller.close()
      }
      i++
    },
  })
}

export default app
