// The screen's categories, declared once: the ScreenCategory type, the engine's category list, the policy
// schema's enums and the `screen.<category>` error codes (with their fixed messages) all derive from this table.
// Adding a category touches this table and the detector that really differs.

export const SCREEN_CATEGORY_TABLE = [
  { name: 'injection', refusal: 'The request was refused by prompt screening.' },
  { name: 'jailbreak', refusal: 'The request was refused by prompt screening.' },
  { name: 'extraction', refusal: 'The request was refused by prompt screening.' },
  { name: 'exfiltration', refusal: 'The request was refused by prompt screening.' },
  { name: 'smuggling', refusal: 'The request was refused by prompt screening.' },
  { name: 'pii', refusal: 'The request contains personal data.' },
  { name: 'secret', refusal: 'The request contains a credential.' },
  { name: 'tenant_rule', refusal: 'The request was refused by tenant policy.' },
] as const

export type ScreenCategory = (typeof SCREEN_CATEGORY_TABLE)[number]['name']

export const SCREEN_CATEGORIES = SCREEN_CATEGORY_TABLE.map((c) => c.name) as unknown as readonly [
  ScreenCategory,
  ...ScreenCategory[],
]
