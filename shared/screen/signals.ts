// What the normaliser counts besides the view (normalize.ts): smuggling signals, decoder gates and the candidate
// base64/hex runs. Apart from the normaliser's loop so that file stays readable; the hot loop's tables stay there
// (a table imported from another module cost the loop a few percent).

export interface Signals {
  /** Invisible/format characters removed (emoji joiners and VS16 after symbols excluded). */
  invisible: number
  /** Invisible characters inside words: the zero-width-insertion trick. */
  invisibleInWords: number
  bidi: number
  tags: number
  /** Variation selectors outside emoji presentation (runs, or after letters). */
  variation: number
  /** Words that mix ASCII letters with folded look-alikes (homoglyph trick). */
  mixedWords: number
  leet: number
  joins: number
  /** HTML comments skipped. */
  comments: number
  /** Gates for the decoders: '%', '\\', '&' counts and long base64/hex-looking runs [start, end) of the original. */
  percent: number
  backslash: number
  ampersand: number
  runs: number[]
  /** Gates for PII detectors. */
  at: number
  digits: number
  colons: number
}

export function emptySignals(): Signals {
  return {
    invisible: 0,
    invisibleInWords: 0,
    bidi: 0,
    tags: 0,
    variation: 0,
    mixedWords: 0,
    leet: 0,
    joins: 0,
    comments: 0,
    percent: 0,
    backslash: 0,
    ampersand: 0,
    runs: [],
    at: 0,
    digits: 0,
    colons: 0,
  }
}
