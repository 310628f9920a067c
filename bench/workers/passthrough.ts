// The baseline for the gateway's added latency: a Worker that forwards the request to the upstream untouched.
interface Env {
  readonly UPSTREAM_URL: string
}

export default {
  fetch(req: Request, env: Env): Promise<Response> {
    const url = new URL(req.url)
    return fetch(`${env.UPSTREAM_URL}${url.pathname}`, req)
  },
}
