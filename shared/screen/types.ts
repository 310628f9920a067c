// What the screen stage records for later stages (context token, logs). Placeholder until the screen lands.
export interface ScreenDecision {
  readonly verdict: 'allow' | 'flag' | 'block'
  readonly enforced: boolean
}
