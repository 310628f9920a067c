// The one catalogue of endpoints the gateway serves: path, method, body, which fields carry caller text (and in
// which role), which carry token ceilings and choice counts, which are template overrides. Routing, the policy's
// endpoint enum, validation, token estimation and the screen's field list are all derived from this table, so
// adding an endpoint or a prompt-bearing field touches one place. Data only: no Workers globals, no zod.

/** Who a text speaks as. `message` = the role of the enclosing `messages[i]`. */
export type TextRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'message'

/**
 * A field that carries caller text. `at` is a dotted path where `name[]` means "every element of the array
 * `name`". `schema` fields hold a JSON value (a JSON schema, template kwargs, documents) whose every string leaf
 * — descriptions, enum values, titles, defaults — is caller text.
 */
export interface TextField {
  readonly at: string
  readonly role: TextRole
  readonly schema?: true
}

const MESSAGE_TEXTS = [
  { at: 'messages[].content', role: 'message' },
  { at: 'messages[].content[].text', role: 'message' },
  { at: 'messages[].content[].refusal', role: 'message' },
  { at: 'messages[].refusal', role: 'message' },
  { at: 'messages[].name', role: 'message' },
  { at: 'messages[].tool_calls[].function.name', role: 'message' },
  { at: 'messages[].tool_calls[].function.arguments', role: 'message' },
  { at: 'messages[].function_call.name', role: 'message' },
  { at: 'messages[].function_call.arguments', role: 'message' },
] as const satisfies readonly TextField[]

const TOOL_TEXTS = [
  { at: 'tools[].function.name', role: 'developer' },
  { at: 'tools[].function.description', role: 'developer' },
  { at: 'tools[].function.parameters', role: 'developer', schema: true },
  { at: 'functions[].name', role: 'developer' },
  { at: 'functions[].description', role: 'developer' },
  { at: 'functions[].parameters', role: 'developer', schema: true },
  { at: 'response_format.json_schema.name', role: 'developer' },
  { at: 'response_format.json_schema.description', role: 'developer' },
  { at: 'response_format.json_schema.schema', role: 'developer', schema: true },
] as const satisfies readonly TextField[]

// vLLM extensions: a template override rewrites how every message is framed; documents are retrieved content.
const VLLM_TEXTS = [
  { at: 'chat_template', role: 'system' },
  { at: 'chat_template_kwargs', role: 'system', schema: true },
  { at: 'documents', role: 'tool', schema: true },
] as const satisfies readonly TextField[]

export const ENDPOINT_CATALOGUE = [
  {
    name: 'chat',
    path: '/v1/chat/completions',
    method: 'POST',
    body: true,
    generates: true,
    texts: [...MESSAGE_TEXTS, ...TOOL_TEXTS, ...VLLM_TEXTS],
    // Every field an OpenAI-compatible server may read as the output cap: all are clamped to one grant. The
    // first is written when the caller set none (every OpenAI-compatible server reads max_tokens).
    ceilings: ['max_tokens', 'max_completion_tokens'],
    // Each requested choice may generate up to the cap.
    choices: ['n'],
    templateOverrides: ['chat_template', 'chat_template_kwargs'],
    tokenIdFields: [],
  },
  {
    name: 'completions',
    path: '/v1/completions',
    method: 'POST',
    body: true,
    generates: true,
    texts: [
      { at: 'prompt', role: 'user' },
      { at: 'prompt[]', role: 'user' },
      { at: 'suffix', role: 'user' },
    ],
    ceilings: ['max_tokens', 'max_completion_tokens'],
    // best_of generates best_of candidates server-side even when only n are returned.
    choices: ['n', 'best_of'],
    templateOverrides: [],
    tokenIdFields: ['prompt'],
  },
  {
    name: 'embeddings',
    path: '/v1/embeddings',
    method: 'POST',
    body: true,
    generates: false,
    texts: [
      { at: 'input', role: 'user' },
      { at: 'input[]', role: 'user' },
    ],
    ceilings: [],
    choices: [],
    templateOverrides: [],
    tokenIdFields: ['input'],
  },
  {
    name: 'models',
    path: '/v1/models',
    method: 'GET',
    body: false,
    generates: false,
    texts: [],
    ceilings: [],
    choices: [],
    templateOverrides: [],
    tokenIdFields: [],
  },
] as const satisfies readonly {
  readonly name: string
  readonly path: `/v1/${string}`
  readonly method: 'GET' | 'POST'
  readonly body: boolean
  readonly generates: boolean
  readonly texts: readonly TextField[]
  readonly ceilings: readonly string[]
  readonly choices: readonly string[]
  readonly templateOverrides: readonly string[]
  readonly tokenIdFields: readonly string[]
}[]

export type EndpointSpec = (typeof ENDPOINT_CATALOGUE)[number]
export type Endpoint = EndpointSpec['name']
export type CeilingField = EndpointSpec['ceilings'][number]

/** The endpoint names, in catalogue order (the policy schema's enum). */
export const ENDPOINT_NAMES = ENDPOINT_CATALOGUE.map((e) => e.name) as unknown as readonly [Endpoint, ...Endpoint[]]

const BY_NAME = new Map<string, EndpointSpec>(ENDPOINT_CATALOGUE.map((e) => [e.name, e]))
const BY_PATH = new Map<string, EndpointSpec>(ENDPOINT_CATALOGUE.map((e) => [e.path, e]))

export function endpointSpec(name: Endpoint): EndpointSpec {
  return BY_NAME.get(name) as EndpointSpec
}

/** Exact paths only (no prefix matching, no `..` or `//` normalisation); a trailing slash is the one variant. */
export function lookupEndpoint(pathname: string): { path: string; spec: EndpointSpec } | null {
  const path = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname
  const spec = BY_PATH.get(path)
  return spec ? { path, spec } : null
}
