// The learned part of the screen: logistic regression over hashed character 3/4/5-grams of the folded view.
// Char n-grams over the skeleton text transfer across phrasings, scripts and evasions better than word lists, and
// scoring is one multiply-hash and one int8 load per n-gram. Weights are trained by scripts/train-screen.ts.
import modelData from './model/screen-model.json' with { type: 'json' }

export interface ScreenModel {
  readonly bits: number
  readonly bias: number
  /** Multiplier from int8 weight units to logits. */
  readonly scale: number
  readonly weights: Int8Array
}

export interface ModelFile {
  readonly bits: number
  readonly bias: number
  readonly scale: number
  /** base64 of the int8 weights, 2^bits of them. */
  readonly weights: string
}

const HASH_MUL = 0x9e3779b1 // golden-ratio multiplier: spreads the chained state into the top bits
const EDGE = 32 // the view is scored as " " + view + " " so words at the edges get boundary n-grams

export function decodeBase64Bytes(b64: string): Uint8Array {
  const bin = atob(b64)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

export function loadModel(file: ModelFile): ScreenModel {
  const bytes = decodeBase64Bytes(file.weights)
  if (bytes.length !== 1 << file.bits) throw new RangeError('model weights do not match bits')
  return { bits: file.bits, bias: file.bias, scale: file.scale, weights: new Int8Array(bytes.buffer) }
}

let shipped: ScreenModel | null = null
/** The model shipped in the bundle (decoded once per isolate). */
export function shippedModel(): ScreenModel {
  shipped ??= loadModel(modelData as ModelFile)
  return shipped
}

/** Number of n-gram features for a view of `len` chars. */
export const featureCount = (len: number): number => 3 * (len + 2)

/** Logit of the model for view[0..len): bias + scale * sum(w[ngram]) / sqrt(#ngrams). */
export function modelLogit(model: ScreenModel, view: Uint16Array, len: number): number {
  const shift = 32 - model.bits
  const w = model.weights
  // The leading EDGE char from the zero state sets every chained hash to X and adds its three n-grams; the loop
  // then runs over the view, the trailing EDGE at i === len.
  const x = Math.imul(EDGE, HASH_MUL)
  let h1 = x
  let h2 = x
  let h3 = x
  let h4 = x
  let sum = 3 * w[x >>> shift]!
  for (let i = 0; i <= len; i++) {
    const c = i === len ? EDGE : view[i]!
    const n5 = Math.imul(h4 ^ c, HASH_MUL)
    const n4 = Math.imul(h3 ^ c, HASH_MUL)
    const n3 = Math.imul(h2 ^ c, HASH_MUL)
    h2 = Math.imul(h1 ^ c, HASH_MUL)
    h1 = Math.imul(c, HASH_MUL)
    h3 = n3
    h4 = n4
    sum += w[n3 >>> shift]! + w[n4 >>> shift]! + w[n5 >>> shift]!
  }
  return model.bias + (model.scale * sum) / Math.sqrt(featureCount(len))
}

/** The same hashing as modelLogit, emitting bucket indices (for training). */
export function featureIndices(view: Uint16Array, len: number, bits: number): Int32Array {
  const shift = 32 - bits
  const out = new Int32Array(featureCount(len))
  let k = 0
  let h1 = 0
  let h2 = 0
  let h3 = 0
  let h4 = 0
  for (let i = -1; i <= len; i++) {
    const c = i < 0 || i === len ? EDGE : view[i]!
    const n5 = Math.imul(h4 ^ c, HASH_MUL)
    const n4 = Math.imul(h3 ^ c, HASH_MUL)
    const n3 = Math.imul(h2 ^ c, HASH_MUL)
    h2 = Math.imul(h1 ^ c, HASH_MUL)
    h1 = Math.imul(c, HASH_MUL)
    h3 = n3
    h4 = n4
    out[k++] = n3 >>> shift
    out[k++] = n4 >>> shift
    out[k++] = n5 >>> shift
  }
  return out
}
