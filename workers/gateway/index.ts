// Worker entry: the gateway over the policies compiled at build time, plus the Durable Object class the
// embedded rate limiter binds to (LIMITER in wrangler.toml).
import { COMPILED_POLICIES } from '../../shared/policy/generated/policies.ts'
import { createGateway } from './app.ts'

export { RateLimiterDurableObject } from './limit/index.ts'

const app = createGateway({ tenants: COMPILED_POLICIES })

export default app
