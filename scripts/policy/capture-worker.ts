// Stands in for every model tier during fixture replay: records exactly what the gateway forwarded (keyed by
// the x-request-id the gateway sends) and answers like an OpenAI-compatible server, JSON or SSE.
const captured = new Map<string, { method: string; url: string; headers: Record<string, string>; body: string }>()
const MAX_KEPT = 1_000 // replay reads each capture right away; this only bounds a harness bug

function answer(path: string, body: Record<string, unknown>): Response {
  const usage = { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 }
  if (path.endsWith('/embeddings')) {
    return Response.json({
      object: 'list',
      model: body.model,
      data: [{ object: 'embedding', index: 0, embedding: [0, 1] }],
      usage,
    })
  }
  if (path.endsWith('/models'))
    return Response.json({ object: 'list', data: [{ id: 'replay-model', object: 'model' }] })
  if (body.stream === true) {
    const chunk = {
      id: 'replay',
      object: 'chat.completion.chunk',
      model: body.model,
      choices: [{ index: 0, delta: { content: 'ok' }, finish_reason: 'stop' }],
    }
    const usageChunk = { id: 'replay', object: 'chat.completion.chunk', model: body.model, choices: [], usage }
    const text = `data: ${JSON.stringify(chunk)}\n\ndata: ${JSON.stringify(usageChunk)}\n\ndata: [DONE]\n\n`
    return new Response(text, { headers: { 'content-type': 'text/event-stream' } })
  }
  const choice = path.endsWith('/chat/completions')
    ? { index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }
    : { index: 0, text: 'ok', finish_reason: 'stop' }
  return Response.json({ id: 'replay', object: 'chat.completion', model: body.model, choices: [choice], usage })
}

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url)
    if (url.pathname.startsWith('/__captured/')) {
      const id = url.pathname.slice('/__captured/'.length)
      const hit = captured.get(id)
      captured.delete(id)
      return hit ? Response.json(hit) : new Response('not captured', { status: 404 })
    }
    const text = await request.text()
    const id = request.headers.get('x-request-id')
    if (id !== null) {
      if (captured.size >= MAX_KEPT) captured.clear()
      captured.set(id, {
        method: request.method,
        url: request.url,
        headers: Object.fromEntries(request.headers),
        body: text,
      })
    }
    let body: Record<string, unknown> = {}
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {}
    } catch {}
    return answer(url.pathname, body)
  },
}
