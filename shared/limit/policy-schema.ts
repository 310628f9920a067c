// Limits section of the tenant policy (placeholder until the limit stage lands).
import { z } from 'zod'

export const limitPolicySchema = z.object({ enabled: z.boolean().default(false) }).strict()
export type LimitPolicy = z.output<typeof limitPolicySchema>
