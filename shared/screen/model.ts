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
  /** Calibration of the whole attack logit (model + phrase rules + structure): calibrated = gain * raw + offset,
   * fitted on leave-one-source-out benign scores so benign text sits low and the policy threshold means a known
   * benign false-block rate. Identity (1, 0) while training. */
  readonly gain: number
  readonly offset: number
}

export interface ModelFile {
  readonly bits: number
  readonly bias: number
  readonly scale: number
  /** base64 of the int8 weights, 2^bits of them. */
  readonly weights: string
  readonly gain?: number
  readonly offset?: number
}

// Exported for the fused view scan (view-scan.ts), which repeats modelLogit's loop bit for bit.
export const HASH_MUL = 0x9e3779b1 // golden-ratio multiplier: spreads the chained state into the top bits
export const EDGE = 32 // the view is scored as " " + view + " " so words at the edges get boundary n-grams

export function decodeBase64Bytes(b64: string): Uint8Array {
  const bin = atob(b64)
  const out = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i)
  return out
}

export function loadModel(file: ModelFile): ScreenModel {
  const bytes = decodeBase64Bytes(file.weights)
  if (bytes.length !== 1 << file.bits) throw new RangeError('model weights do not match bits')
  const weights = new Int8Array(bytes.buffer)
  return {
    bits: file.bits,
    bias: file.bias,
    scale: file.scale,
    weights,
    gain: file.gain ?? 1,
    offset: file.offset ?? 0,
  }
}

let shipped: ScreenModel | null = null
/** The model shipped in the bundle (decoded once per isolate). */
export function shippedModel(): ScreenModel {
  shipped ??= loadModel(modelData as ModelFile)
  return shipped
}

/** ASCII tokens longer than this (base64, hex, hashes, URLs) carry no language signal: their n-grams are dropped,
 * so an encoded payload is judged by what it decodes to, not by how its alphabet soup looks. */
export const MAX_TOKEN = 40

/** N-grams of a text up to which evidence adds up as sum/sqrt(n); longer texts are averaged over windows of this
 * size instead (sum * sqrt(N0) / n), so a long benign document cannot saturate the model by sheer length
 * (`'word '.repeat(2000)` used to score 1). 1536 n-grams ≈ 512 characters. */
export const WINDOW_NGRAMS = 1536
/** Caps on the learned contribution (raw logits, before calibration). Above: repeated n-grams add up coherently
 * (`'word '.repeat(100)` outscored 99% of attacks), so the model alone must not block. Below: the model can raise
 * suspicion but never excuse a text, so benign-looking padding cannot bury a phrase-rule hit, and a source whose
 * style the model has not seen is not talked down (leave-one-source-out: with a negative side the held-out TPR at
 * 1% FPR was 0.66, without it 0.69; the in-source 5-fold figure drops from 0.75 to 0.71). */
export const MODEL_LOGIT_MAX = 1
export const MODEL_LOGIT_MIN = 0

/** Per-n-gram multiplier for a text with `count` n-grams (shared by scoring and training). */
export function lengthNorm(count: number): number {
  return count <= WINDOW_NGRAMS ? 1 / Math.sqrt(count) : SQRT_WINDOW / count
}
// A constant, not a call in the branch: a call first reached in optimised code (the first long text) has no type
// feedback and deoptimises the whole scan inlining it, again and again.
const SQRT_WINDOW = Math.sqrt(WINDOW_NGRAMS)

/** Logit of the model for view[0..len): bias + scale * sum(w[ngram]) * lengthNorm(#ngrams), capped — summed over the
 * training features (featureIndices), so it is the definition the fused scan (view-scan.ts) is tested against, not a
 * second copy of its loop. The engine never calls it: it gets the same number from that one pass over the view. */
export function modelLogit(model: ScreenModel, view: Uint16Array, len: number): number {
  const idx = featureIndices(view, len, model.bits)
  let sum = 0
  for (let i = 0; i < idx.length; i++) sum += model.weights[idx[i]!]!
  return capped(model, sum, idx.length)
}

/** The logit from the summed int8 weights of a view of `len` chars of which `dropped` were in dropped tokens. */
export function logitOfSum(model: ScreenModel, sum: number, len: number, dropped: number): number {
  return capped(model, sum, 3 * (len + 2 - dropped))
}

function capped(model: ScreenModel, sum: number, count: number): number {
  const learned = model.scale * sum * lengthNorm(count)
  return model.bias + Math.max(MODEL_LOGIT_MIN, Math.min(MODEL_LOGIT_MAX, learned))
}

/** The calibrated attack logit for a raw one (model + phrase rules + structural detectors). */
export function calibrate(model: ScreenModel, raw: number): number {
  return model.gain * raw + model.offset
}

/** The same hashing as modelLogit, emitting the bucket indices it sums (for training). */
export function featureIndices(view: Uint16Array, len: number, bits: number): Int32Array {
  const shift = 32 - bits
  const out = new Int32Array(3 * (len + 2))
  let k = 3
  const x = Math.imul(EDGE, HASH_MUL)
  out[0] = out[1] = out[2] = x >>> shift
  let h1 = x
  let h2 = x
  let h3 = x
  let h4 = x
  let tokStart = k
  let tokAscii = true
  for (let i = 0; i <= len; i++) {
    const c = i === len ? EDGE : view[i]!
    const n5 = Math.imul(h4 ^ c, HASH_MUL)
    const n4 = Math.imul(h3 ^ c, HASH_MUL)
    const n3 = Math.imul(h2 ^ c, HASH_MUL)
    h2 = Math.imul(h1 ^ c, HASH_MUL)
    h1 = Math.imul(c, HASH_MUL)
    h3 = n3
    h4 = n4
    if (c === EDGE) {
      if ((k - tokStart) / 3 > MAX_TOKEN && tokAscii) k = tokStart
      tokAscii = true
    } else if (c > 127) tokAscii = false
    out[k++] = n3 >>> shift
    out[k++] = n4 >>> shift
    out[k++] = n5 >>> shift
    if (c === EDGE) tokStart = k
  }
  return out.subarray(0, k)
}
