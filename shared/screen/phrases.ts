// Phrase families for injection / jailbreak / extraction / exfiltration: concepts (keyword lists in keywords.ts,
// several languages) combined by proximity rules ("an IGNORE word, then an INSTRUCTIONS word within 5 words"), so
// paraphrases transfer where literal deny-lists do not. Weights are logits, hand-set priors.
import { CONCEPTS } from './keywords.ts'
import type { ScreenCategory } from './types.ts'

export { CONCEPTS }

export type AttackCategory = Extract<ScreenCategory, 'injection' | 'jailbreak' | 'extraction' | 'exfiltration'>

export type Concept = keyof typeof CONCEPTS

export interface ProximityRule {
  readonly id: string
  readonly category: AttackCategory
  /** A concept, or [first, second]: `second` within `gap` words after `first`. */
  readonly concepts: readonly [Concept] | readonly [Concept, Concept]
  readonly gap: number
  readonly weight: number
  /** Never blocks alone, whatever the audit says: the pattern is ambiguous by nature (fiction and role-play are full of
   * crimes), so it raises the score and flags for the cluster's heavier detectors. */
  readonly flagOnly?: true
}

export const RULES: readonly ProximityRule[] = [
  { id: 'override_instructions', category: 'injection', concepts: ['IGNORE', 'RULES'], gap: 6, weight: 3 },
  { id: 'dismiss_rules', category: 'injection', concepts: ['DISMISS', 'RULES'], gap: 4, weight: 2.5 },
  { id: 'new_task', category: 'injection', concepts: ['NEW_TASK'], gap: 0, weight: 0.5 },
  { id: 'ignore_then_task', category: 'injection', concepts: ['IGNORE', 'NEW_TASK'], gap: 12, weight: 1.5 },
  { id: 'reveal_prompt', category: 'extraction', concepts: ['REVEAL', 'SECRET_OBJECT'], gap: 8, weight: 2.5 },
  { id: 'prompt_mention', category: 'extraction', concepts: ['SECRET_OBJECT'], gap: 0, weight: 0.5 },
  { id: 'reveal_private', category: 'extraction', concepts: ['REVEAL', 'PRIVATE'], gap: 6, weight: 1.5 },
  { id: 'private_mention', category: 'extraction', concepts: ['PRIVATE'], gap: 0, weight: 0.5 },
  { id: 'ignore_then_private', category: 'injection', concepts: ['IGNORE', 'PRIVATE'], gap: 12, weight: 1.5 },
  { id: 'persona', category: 'jailbreak', concepts: ['PERSONA'], gap: 0, weight: 0.3 },
  { id: 'unbound', category: 'jailbreak', concepts: ['UNBOUND'], gap: 0, weight: 0.4 },
  { id: 'persona_unbound', category: 'jailbreak', concepts: ['PERSONA', 'UNBOUND'], gap: 40, weight: 1.5 },
  { id: 'persona_ai', category: 'jailbreak', concepts: ['PERSONA', 'AI_SELF'], gap: 40, weight: 0.6 },
  { id: 'unbound_ai', category: 'jailbreak', concepts: ['UNBOUND', 'AI_SELF'], gap: 40, weight: 0.6 },
  { id: 'unbound_harmful', category: 'jailbreak', concepts: ['UNBOUND', 'HARMFUL'], gap: 30, weight: 1 },
  { id: 'harmful_unbound', category: 'jailbreak', concepts: ['HARMFUL', 'UNBOUND'], gap: 12, weight: 1 },
  { id: 'persona_harmful', category: 'jailbreak', concepts: ['PERSONA', 'HARMFUL'], gap: 30, weight: 0.3 },
  { id: 'jailbreak_name', category: 'jailbreak', concepts: ['JAILBREAK_NAME'], gap: 0, weight: 0.7 },
  { id: 'ignore_rules_persona', category: 'jailbreak', concepts: ['PERSONA', 'IGNORE'], gap: 40, weight: 0.8 },
  { id: 'hypothetical_private', category: 'extraction', concepts: ['HYPO', 'PRIVATE'], gap: 40, weight: 1.5 },
  { id: 'lure_private', category: 'extraction', concepts: ['LURE', 'PRIVATE'], gap: 12, weight: 1.5 },
  { id: 'lure_harmful', category: 'jailbreak', concepts: ['LURE', 'HARMFUL'], gap: 12, weight: 1.2 },
  { id: 'new_task_say', category: 'injection', concepts: ['NEW_TASK', 'SAY'], gap: 8, weight: 1.2 },
  { id: 'new_task_user', category: 'injection', concepts: ['NEW_TASK', 'USER'], gap: 20, weight: 1 },
  { id: 'ignore_user', category: 'injection', concepts: ['IGNORE', 'USER'], gap: 3, weight: 1.5 },
  { id: 'authority_claim', category: 'injection', concepts: ['AUTHORITY'], gap: 0, weight: 0.8 },
  { id: 'authority_reveal', category: 'extraction', concepts: ['AUTHORITY', 'REVEAL'], gap: 20, weight: 1 },
  { id: 'authority_ignore', category: 'injection', concepts: ['AUTHORITY', 'IGNORE'], gap: 20, weight: 1.5 },
  { id: 'authority_private', category: 'extraction', concepts: ['AUTHORITY', 'PRIVATE'], gap: 40, weight: 1 },
  { id: 'authority_personal', category: 'extraction', concepts: ['AUTHORITY', 'PERSONAL'], gap: 40, weight: 1 },
  { id: 'transform_private', category: 'extraction', concepts: ['TRANSFORM', 'PRIVATE'], gap: 8, weight: 1.5 },
  { id: 'ignore_document', category: 'injection', concepts: ['IGNORE', 'DOC_OBJ'], gap: 3, weight: 1.6 },
  { id: 'question_private', category: 'extraction', concepts: ['QUESTION', 'PRIVATE'], gap: 4, weight: 1 },
  { id: 'question_personal', category: 'extraction', concepts: ['QUESTION', 'PERSONAL'], gap: 4, weight: 0.8 },
  { id: 'ignore_then_personal', category: 'injection', concepts: ['IGNORE', 'PERSONAL'], gap: 12, weight: 1.5 },
  { id: 'negated_override', category: 'injection', concepts: ['NOT_IGNORE'], gap: 0, weight: -2.5 },
  { id: 'everyday_ignore', category: 'injection', concepts: ['IGNORE', 'IGNORE_EVERYDAY'], gap: 3, weight: -1.5 },
  { id: 'everyday_private', category: 'extraction', concepts: ['PRIVATE_BENIGN'], gap: 0, weight: -1.5 },
  { id: 'ignore_then_say', category: 'injection', concepts: ['IGNORE', 'SAY'], gap: 12, weight: 1.5 },
  { id: 'user_personal', category: 'extraction', concepts: ['USER', 'PERSONAL'], gap: 5, weight: 1.5 },
  { id: 'hypothetical_personal', category: 'extraction', concepts: ['HYPO', 'PERSONAL'], gap: 40, weight: 1.5 },
  { id: 'transform_personal', category: 'extraction', concepts: ['TRANSFORM', 'PERSONAL'], gap: 8, weight: 1.5 },
  { id: 'send_channel', category: 'exfiltration', concepts: ['SEND', 'CHANNEL'], gap: 5, weight: 0.8 },
  { id: 'prefix_injection', category: 'jailbreak', concepts: ['PREFIX_FORCE'], gap: 0, weight: 1 },
  { id: 'refusal_suppression', category: 'jailbreak', concepts: ['REFUSAL_SUPPRESSION'], gap: 0, weight: 1 },
  { id: 'fiction_frame', category: 'jailbreak', concepts: ['FICTION_FRAME'], gap: 0, weight: 0.5 },
  { id: 'fiction_harmful', category: 'jailbreak', concepts: ['FICTION_FRAME', 'HARMFUL'], gap: 40, weight: 1 },
  { id: 'address_ai', category: 'injection', concepts: ['ADDRESS_AI'], gap: 0, weight: 0.5 },
  { id: 'task_hijack', category: 'injection', concepts: ['TASK_HIJACK'], gap: 0, weight: 0.8 },
  { id: 'address_then_hijack', category: 'injection', concepts: ['ADDRESS_AI', 'TASK_HIJACK'], gap: 30, weight: 1.5 },
  {
    id: 'story_harm',
    category: 'jailbreak',
    concepts: ['STORY_FRAME', 'HARM_ACT'],
    gap: 40,
    weight: 1.5,
    flagOnly: true,
  },
  {
    id: 'role_goal_harm',
    category: 'jailbreak',
    concepts: ['ROLE_GOAL', 'HARM_ACT'],
    gap: 30,
    weight: 1.5,
    flagOnly: true,
  },
  { id: 'translate_toxic', category: 'injection', concepts: ['TRANSLATE_TASK', 'TOXIC_REQUEST'], gap: 20, weight: 1.5 },
  { id: 'toxic_translate', category: 'injection', concepts: ['TOXIC_REQUEST', 'TRANSLATE_TASK'], gap: 20, weight: 1.5 },
]

/** The discussion families of keywords.ts (every concept named DISCUSS_*): a text that uses two or more of them talks
 * *about* language-model attacks (a security guide, a paper, a prompt-engineering tutorial) rather than mounting
 * one. Each family past the first lowers the attack logit, sure part included, by DISCUSSION_STEP, at most
 * DISCUSSION_MAX_STEPS times: the quoted attack in a guide no longer blocks, and an attacker who pads a prompt with
 * security vocabulary buys a bounded discount, never an exemption. */
export const DISCUSSION_FAMILIES: readonly Concept[] = (Object.keys(CONCEPTS) as Concept[]).filter((c) =>
  c.startsWith('DISCUSS_'),
)
export const DISCUSSION_STEP = 1.5
export const DISCUSSION_MAX_STEPS = 3
/** Logits taken off the phrase evidence of a text using `families` distinct discussion families. */
export const discussionDiscount = (families: number): number =>
  DISCUSSION_STEP * Math.min(DISCUSSION_MAX_STEPS, Math.max(0, families - 1))

/** Chat-template and role tokens that have no business in caller text (searched on the original, case-sensitive). */
// biome-ignore format: token list reads better packed
export const TEMPLATE_TOKENS: readonly string[] = [
  '<|im_start|>', '<|im_end|>', '<|system|>', '<|user|>', '<|assistant|>', '<|endoftext|>', '<|begin_of_text|>',
  '<|start_header_id|>', '<|end_header_id|>', '<|eot_id|>', '[INST]', '[/INST]', '<<SYS>>', '<</SYS>>',
  '<start_of_turn>', '<end_of_turn>', '### System:', '### Instruction:', '### Response:', '<|channel|>', '</s>',
  '[SYSTEM]', '<system>', '</system>',
]
