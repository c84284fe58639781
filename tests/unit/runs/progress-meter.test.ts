// The speed a run shows: counted from when it starts sending, so a run whose rows all finish in
// one batch shows the speed it went at (the CLI's last line said "0.0 rows/s" for such runs).
import { describe, expect, it } from 'vitest'
import { ProgressMeter } from '../../../electron/core/runs/progress'

describe('ProgressMeter', () => {
  it('counts a single batch from the start of the run', () => {
    let t = 1_000
    const meter = new ProgressMeter(() => t)
    meter.begin()
    t += 500
    meter.rowsFinished(5)
    expect(meter.rowsPerSecond()).toBe(10)
  })

  it('counts a resumed run from its restart, not from its first life', () => {
    let t = 0
    const meter = new ProgressMeter(() => t)
    meter.begin()
    t += 1_000
    meter.rowsFinished(10)
    // Paused for a minute, then resumed: the pause is not part of the speed.
    t += 60_000
    meter.begin()
    t += 2_000
    meter.rowsFinished(4)
    expect(meter.rowsPerSecond()).toBe(2)
  })

  it('keeps to the last ten seconds on a long run', () => {
    let t = 0
    const meter = new ProgressMeter(() => t)
    meter.begin()
    for (let s = 1; s <= 30; s++) {
      t = s * 1_000
      meter.rowsFinished(s <= 15 ? 1 : 5)
    }
    expect(meter.rowsPerSecond()).toBeCloseTo(5, 1)
  })
})
