// Aho-Corasick automaton over the folded view: every phrase of every family in one linear pass.
// ASCII letters/digits use a dense DFA table (one typed-array read per char); other scripts fall back to sparse
// children + failure links. Spaces are skipped, so "ig no re" and "ignore" feed the same symbols; patterns can
// ask for a word boundary at either end (checked on the view, not on the skipped symbols).

export interface AutomatonPattern {
  /** Folded text without spaces. */
  readonly text: string
  /** Require a space (or text edge) before the first char / after the last char in the view. */
  readonly wordStart: boolean
  readonly wordEnd: boolean
}

export type MatchHandler = (pattern: number, viewStart: number, viewEnd: number, word: number) => void

export const DENSE = 37 // symbol 0 = not in any pattern; 1..36 = a-z0-9
export const MAX_PATTERN_LENGTH = 127 // symbols; bounds the walk back to a match's start

export class Automaton {
  // The tables are read directly by the fused view scan (view-scan.ts); only this class writes them.
  /** View code unit -> symbol: 1..36 for a-z0-9 (dense), larger for other pattern chars, 0 for none. */
  readonly symbolOf = new Uint16Array(65536)
  /** Dense ASCII transitions, state * DENSE + symbol; complemented (negative) when the target reports a match. */
  readonly dense: Int32Array
  private readonly sparse: Map<number, number>[]
  private readonly fail: Int32Array
  private readonly firstOut: Int32Array
  private readonly dictLink: Int32Array
  private readonly nextSame: Int32Array
  private readonly lengths: Int32Array
  private readonly flags: Uint8Array
  /** 1 when the state or a dictionary-suffix state ends a pattern: one load decides "nothing to report". */
  readonly emits: Uint8Array
  readonly patternCount: number

  constructor(patterns: readonly AutomatonPattern[]) {
    this.patternCount = patterns.length
    for (let i = 0; i < 26; i++) this.symbolOf[97 + i] = 1 + i
    for (let i = 0; i < 10; i++) this.symbolOf[48 + i] = 27 + i
    let nextSymbol = DENSE
    const children: Map<number, number>[] = [new Map()]
    const ends: number[][] = [[]]
    this.lengths = new Int32Array(patterns.length)
    this.flags = new Uint8Array(patterns.length)
    patterns.forEach((p, id) => {
      if (p.text.length === 0 || p.text.length > MAX_PATTERN_LENGTH) throw new RangeError(`bad pattern length: ${id}`)
      let s = 0
      for (let i = 0; i < p.text.length; i++) {
        const u = p.text.charCodeAt(i)
        if (this.symbolOf[u] === 0) this.symbolOf[u] = nextSymbol++
        const sym = this.symbolOf[u]!
        let t = children[s]!.get(sym)
        if (t === undefined) {
          t = children.length
          children.push(new Map())
          ends.push([])
          children[s]!.set(sym, t)
        }
        s = t
      }
      ends[s]!.push(id)
      this.lengths[id] = p.text.length
      this.flags[id] = (p.wordStart ? 1 : 0) | (p.wordEnd ? 2 : 0)
    })
    const n = children.length
    this.fail = new Int32Array(n)
    this.firstOut = new Int32Array(n).fill(-1)
    this.dictLink = new Int32Array(n).fill(-1)
    this.nextSame = new Int32Array(patterns.length).fill(-1)
    for (let s = 0; s < n; s++) {
      const list = ends[s]!
      for (let k = 0; k < list.length; k++) {
        if (k === 0) this.firstOut[s] = list[0]!
        else this.nextSame[list[k - 1]!] = list[k]!
      }
    }
    this.emits = new Uint8Array(n)
    this.dense = new Int32Array(n * DENSE)
    this.sparse = children.map(() => new Map<number, number>())
    // Breadth-first: failure links, dictionary links and the dense ASCII transitions of the DFA.
    const queue: number[] = [0]
    for (let head = 0; head < queue.length; head++) {
      const s = queue[head]!
      for (const [sym, t] of children[s]!) {
        let f = s === 0 ? 0 : this.fail[s]!
        if (s !== 0) {
          while (f !== 0 && !children[f]!.has(sym)) f = this.fail[f]!
          const g = children[f]!.get(sym)
          f = g !== undefined && g !== t ? g : 0
        }
        this.fail[t] = f
        this.dictLink[t] = this.firstOut[f]! >= 0 ? f : this.dictLink[f]!
        this.emits[t] = this.firstOut[t]! >= 0 || this.dictLink[t]! >= 0 ? 1 : 0
        if (sym >= DENSE) this.sparse[s]!.set(sym, t)
        queue.push(t)
      }
      for (let sym = 1; sym < DENSE; sym++) {
        const t = children[s]!.get(sym)
        this.dense[s * DENSE + sym] = t !== undefined ? t : s === 0 ? 0 : this.dense[this.fail[s]! * DENSE + sym]!
      }
    }
    // Transitions into a state that reports are stored complemented (negative): the scan loop's common case, a
    // state with nothing to report, then costs one load and a sign test.
    for (let k = 0; k < this.dense.length; k++) if (this.emits[this.dense[k]!] === 1) this.dense[k] = ~this.dense[k]!
  }

  /** Feeds view[0..len) (spaces skipped) and reports every pattern occurrence. Returns the symbols fed. */
  scan(view: Uint16Array, len: number, onMatch: MatchHandler): number {
    const { symbolOf, dense, emits } = this
    let s = 0
    let word = 0 // spaces so far: the word index of a match, and (len - spaces) is the number of symbols fed
    for (let i = 0; i < len; i++) {
      const u = view[i]!
      if (u === 32) {
        word++
        continue
      }
      const sym = symbolOf[u]!
      if (sym < DENSE) {
        const t = dense[s * DENSE + sym]!
        if (t >= 0) {
          s = t
          continue
        }
        s = ~t
      } else {
        s = this.sparseStep(s, sym)
        if (emits[s] === 0) continue
      }
      this.report(s, view, i, len, word, onMatch)
    }
    return len - word
  }

  /** The transition on a non-ASCII symbol (sparse children + failure links). */
  sparseStep(state: number, sym: number): number {
    const { sparse, fail } = this
    let s = state
    let t = sparse[s]!.get(sym)
    while (t === undefined && s !== 0) {
      s = fail[s]!
      t = sparse[s]!.get(sym)
    }
    return t ?? 0
  }

  /** Reports the patterns ending in state `s` at view[i] (word boundaries checked on the view). */
  report(s: number, view: Uint16Array, i: number, len: number, word: number, onMatch: MatchHandler): void {
    const { firstOut, dictLink, nextSame, lengths, flags } = this
    let o = firstOut[s]! >= 0 ? s : dictLink[s]!
    while (o >= 0) {
      for (let p = firstOut[o]!; p >= 0; p = nextSame[p]!) {
        // Walk back over the view to the pattern's first symbol (spaces do not count): only on a match.
        let start = i
        for (let k = lengths[p]! - 1; k > 0; ) if (view[--start] !== 32) k--
        const f = flags[p]!
        if ((f & 1) !== 0 && start > 0 && view[start - 1] !== 32) continue
        if ((f & 2) !== 0 && i + 1 < len && view[i + 1] !== 32) continue
        onMatch(p, start, i + 1, word)
      }
      o = dictLink[o]!
    }
  }
}
