// Progress lines: plain and throttled when not a TTY, with a correct ETA from a fake clock.
import { describe, expect, it } from 'vitest'
import { progress } from './progress.ts'

const sink = (isTTY: boolean) => {
  const lines: string[] = []
  const out = { isTTY, write: (s: string) => lines.push(s) > 0 } as unknown as NodeJS.WriteStream
  return { out, lines }
}

describe('progress', () => {
  it('prints plain lines at most every 15 s, with elapsed time and ETA', () => {
    let now = 0
    const { out, lines } = sink(false)
    const p = progress('train', 4, out, () => now)
    now = 5_000
    p.update(1, 'fold 1')
    expect(lines).toEqual([]) // throttled
    now = 20_000
    p.update(2, 'fold 2')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^train \[#{12}\.{12}\] {2}50% 0:20 ETA 0:20 fold 2\n$/)
    p.done()
    expect(lines[1]).toBe('train: done in 0:20 \n')
  })

  it('redraws one line on a TTY', () => {
    const { out, lines } = sink(true)
    const p = progress('x', 2, out, () => 0)
    p.update(1)
    p.update(2)
    expect(lines.every((l) => l.startsWith('\r'))).toBe(true)
  })
})
