// Worker entry: the gateway over the policies compiled at build time.
import { COMPILED_POLICIES } from '../../shared/policy/generated/policies.ts'
import { createGateway } from './app.ts'

const app = createGateway({ tenants: COMPILED_POLICIES })

export default app
