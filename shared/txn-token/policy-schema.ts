// Context-token section of the tenant policy (placeholder until the sign stage lands).
import { z } from 'zod'

export const contextTokenPolicySchema = z.object({ enabled: z.boolean().default(false) }).strict()
export type ContextTokenPolicy = z.output<typeof contextTokenPolicySchema>
