// The screen's categories, declared once: the ScreenCategory type, the engine's category list, the policy
// schema's enums and the `screen.<category>` error codes (with their fixed messages) all derive from this table.
// Adding a category touches this table and the detector that really differs. `instruction`: the category is about
// what the text tells the model to do (so a payload split across messages is one), not about data it contains.

export const SCREEN_CATEGORY_TABLE = [
  { name: 'injection', instruction: true, refusal: 'The request was refused by prompt screening.' },
  { name: 'jailbreak', instruction: true, refusal: 'The request was refused by prompt screening.' },
  { name: 'extraction', instruction: true, refusal: 'The request was refused by prompt screening.' },
  { name: 'exfiltration', instruction: true, refusal: 'The request was refused by prompt screening.' },
  { name: 'smuggling', instruction: true, refusal: 'The request was refused by prompt screening.' },
  { name: 'pii', instruction: false, refusal: 'The request contains personal data.' },
  { name: 'secret', instruction: false, refusal: 'The request contains a credential.' },
  { name: 'tenant_rule', instruction: false, refusal: 'The request was refused by tenant policy.' },
] as const

export type ScreenCategory = (typeof SCREEN_CATEGORY_TABLE)[number]['name']

export const SCREEN_CATEGORIES = SCREEN_CATEGORY_TABLE.map((c) => c.name) as unknown as readonly [
  ScreenCategory,
  ...ScreenCategory[],
]

/** Categories judged on instructions, which an attacker can split across messages. */
export const INSTRUCTION_CATEGORIES: ReadonlySet<ScreenCategory> = new Set(
  SCREEN_CATEGORY_TABLE.filter((c) => c.instruction).map((c) => c.name),
)
