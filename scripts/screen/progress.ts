// Progress for long runs (training, the nested evaluation) on stderr: a redrawn bar on a TTY, a plain line at most
// every PLAIN_EVERY_MS otherwise (CI logs, redirected output). The ETA assumes the remaining steps cost what the
// done ones did on average, which holds for folds of similar size.
const PLAIN_EVERY_MS = 15_000 // often enough to show life in a log, rare enough not to flood it
const BAR_WIDTH = 24 // characters

export interface Progress {
  /** `done` of `total` steps finished; `detail` names the current step (fold, epoch). */
  update(done: number, detail?: string): void
  done(summary?: string): void
}

const clock = (ms: number): string => {
  const s = Math.max(0, Math.round(ms / 1000))
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`
}

export function progress(
  label: string,
  total: number,
  out: NodeJS.WriteStream = process.stderr,
  now: () => number = Date.now,
): Progress {
  const start = now()
  const tty = out.isTTY === true
  let lastPlain = start
  const line = (done: number, detail: string): string => {
    const f = total > 0 ? Math.min(1, done / total) : 1
    const elapsed = now() - start
    const eta = f > 0 ? (elapsed / f) * (1 - f) : Number.NaN
    const bar = '#'.repeat(Math.round(f * BAR_WIDTH)).padEnd(BAR_WIDTH, '.')
    const etaText = Number.isFinite(eta) ? `ETA ${clock(eta)}` : 'ETA ?'
    return `${label} [${bar}] ${(f * 100).toFixed(0).padStart(3)}% ${clock(elapsed)} ${etaText} ${detail}`
  }
  return {
    update(done, detail = '') {
      if (tty) out.write(`\r\u001b[2K${line(done, detail)}`)
      else if (now() - lastPlain >= PLAIN_EVERY_MS) {
        lastPlain = now()
        out.write(`${line(done, detail)}\n`)
      }
    },
    done(summary = '') {
      const text = `${label}: done in ${clock(now() - start)} ${summary}`
      out.write(tty ? `\r\u001b[2K${text}\n` : `${text}\n`)
    },
  }
}
