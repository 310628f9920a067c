// The learned part of the screen: logistic regression over hashed char 3/4/5-grams of the folded view plus word
// concepts (concepts.ts: WordNet synsets, closed classes, their bigrams, a register-shift marker), evidence summed
// over the best window of WINDOW_WORDS words. Concepts carry across writers where char n-grams learn a source's style;
// the n-grams stay for other scripts, clamped at ≥ 0 so a script or language can never lower a score.

import { type ConceptTable, EMPTY_CONCEPTS } from './concepts.ts'
import modelData from './model/screen-model.json' with { type: 'json' }

export interface ScreenModel {
  /** Char n-gram buckets: 2^bits int8 weights (all ≥ 0: see the file header). */
  readonly bits: number
  readonly weights: Int8Array
  /** Word-concept feature buckets: 2^wordBits int8 weights, in the same units as `weights`. */
  readonly wordBits: number
  readonly wordWeights: Int8Array
  readonly concepts: ConceptTable
  /** Per concept-table slot p, interleaved at 3p: its key (word hash, 0 = empty), primary concept and the summed
   * unigram weights of its concepts (precomputed). One cache line per probe: three separate 256 KB arrays cost
   * three cache misses per word of the scan. */
  readonly slots: Int32Array
  /** False when every word weight is zero (the shipped char n-gram model): the scan then skips the word probes. */
  readonly words: boolean
  readonly bias: number
  /** Multiplier from int8 weight units to logits. */
  readonly scale: number
  /** Caps on the learned part (raw logits): the model alone must not block, and how far it may excuse a text. */
  readonly capMin: number
  readonly capMax: number
  /** Calibration of the whole attack logit (model + phrase rules + structure): calibrated = gain * raw + offset,
   * fitted on leave-one-source-out benign scores so the policy threshold means a known benign false-block rate.
   * Identity (1, 0) while training. */
  readonly gain: number
  readonly offset: number
}

export interface ModelFile {
  readonly bits: number
  readonly wordBits?: number
  readonly bias: number
  readonly scale: number
  readonly capMin?: number
  readonly capMax?: number
  /** base64 of the int8 weights, 2^bits of them (and 2^wordBits word weights). */
  readonly weights: string
  readonly wordWeights?: string
  readonly gain?: number
  readonly offset?: number
}

// Exported for the fused view scan (view-scan.ts), which repeats the reference features (features.ts) bit for bit.
export const HASH_MUL = 0x9e3779b1 // golden-ratio multiplier: spreads the chained state into the top bits
export const EDGE = 32 // the space: every word is hashed as " " + word + " " (boundary n-grams at both ends)
/** ASCII tokens longer than this (base64, hex, hashes, URLs) carry no language signal: their n-grams are dropped,
 * so an encoded payload is judged by what it decodes to, not by how its alphabet soup looks. */
export const MAX_TOKEN = 40
/** Evidence is local: the learned logit is the best sum over any WINDOW_WORDS consecutive words, so benign padding
 * (in any language) around an attack cannot dilute it, and a long benign document is judged by its worst passage,
 * not by its length. 96 words ≈ a paragraph, the size of most attacks in the corpus. */
export const WINDOW_WORDS = 48
/** Word features: ASCII words of 2..MAX_WORD chars are looked up; the first second-person word at or after word
 * LATE_WORDS is the register-shift feature (a document that turns to its reader). */
export const MAX_WORD = 20
export const LATE_WORDS = 40
/** Tag of the register-shift feature's hash (concept ids stay below 2^20, so they cannot collide with it). No
 * "first word of the text" feature: a prefix would remove it, and a wrapped attack must not score lower. */
export const LATE_TAG = 0x7fff0001
/** Keyword family c of keywords.ts (seen anywhere in the text, any language) is word feature KEYWORD_TAG + c. */
export const KEYWORD_TAG = 0x7ffe0000

export const conceptBucket = (id: number, shift: number): number => Math.imul(id, HASH_MUL) >>> shift
export const pairBucket = (a: number, b: number, shift: number): number =>
  Math.imul(Math.imul(a, HASH_MUL) ^ b, HASH_MUL) >>> shift

export function decodeBase64Bytes(b64: string): Uint8Array {
  const bin = atob(b64)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

/** The scan's slot table: per slot [key, primary concept, unigram weight sum under these word weights]. */
export function slotTable(concepts: ConceptTable, wordWeights: Int8Array, wordBits: number): Int32Array {
  const out = new Int32Array(3 * concepts.keys.length)
  const shift = 32 - wordBits
  for (let p = 0; p < concepts.keys.length; p++) {
    let s = 0
    for (let k = concepts.start[p]!; k < concepts.end[p]!; k++)
      s += wordWeights[conceptBucket(concepts.ids[k]!, shift)]!
    out[3 * p] = concepts.keys[p]!
    out[3 * p + 1] = concepts.prim[p]!
    out[3 * p + 2] = s
  }
  return out
}

/** A model from its parts (training builds one per fold; the word sums are derived here, never stored). */
export function makeModel(
  parts: Omit<ScreenModel, 'slots' | 'concepts' | 'words'> & { concepts?: ConceptTable },
): ScreenModel {
  const words = parts.wordWeights.some((w) => w !== 0)
  // Word weights mean nothing without the table they index; only the shipped, word-free model may omit it.
  if (words && parts.concepts === undefined) throw new TypeError('a model with word weights needs its concept table')
  const concepts = parts.concepts ?? EMPTY_CONCEPTS
  return { ...parts, concepts, words, slots: slotTable(concepts, parts.wordWeights, parts.wordBits) }
}

export function loadModel(file: ModelFile): ScreenModel {
  const weights = new Int8Array(decodeBase64Bytes(file.weights).buffer)
  if (weights.length !== 1 << file.bits) throw new RangeError('model weights do not match bits')
  const wordBits = file.wordBits ?? 10
  const wordWeights = file.wordWeights
    ? new Int8Array(decodeBase64Bytes(file.wordWeights).buffer)
    : new Int8Array(1 << wordBits)
  if (wordWeights.length !== 1 << wordBits) throw new RangeError('model word weights do not match wordBits')
  return makeModel({
    bits: file.bits,
    weights,
    wordBits,
    wordWeights,
    bias: file.bias,
    scale: file.scale,
    capMin: file.capMin ?? 0,
    capMax: file.capMax ?? 1,
    gain: file.gain ?? 1,
    offset: file.offset ?? 0,
  })
}

let shipped: ScreenModel | null = null
/** The model shipped in the bundle (decoded once per isolate). */
export function shippedModel(): ScreenModel {
  shipped ??= loadModel(modelData as ModelFile)
  return shipped
}

/** The int8 weight of keyword family `c` (engine.ts adds it once per family present, outside the window). */
export function keywordWeight(model: ScreenModel, c: number): number {
  return model.wordWeights[conceptBucket(KEYWORD_TAG + c, 32 - model.wordBits)]!
}

/** The learned logit from the best window's summed int8 weights (plus the keyword families'). */
export function logitOfBest(model: ScreenModel, best: number): number {
  return model.bias + Math.max(model.capMin, Math.min(model.capMax, model.scale * best))
}

/** The calibrated attack logit for a raw one (model + phrase rules + structural detectors). */
export function calibrate(model: ScreenModel, raw: number): number {
  return model.gain * raw + model.offset
}
