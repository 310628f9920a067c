// Screen section of the tenant policy (placeholder until the screen stage lands).
import { z } from 'zod'

export const screenPolicySchema = z.object({ enabled: z.boolean().default(false) }).strict()
export type ScreenPolicy = z.output<typeof screenPolicySchema>
