// What the limit stage records for later stages (context token, headers). Placeholder until the limit lands.
export interface LimitDecision {
  readonly checked: boolean
}
