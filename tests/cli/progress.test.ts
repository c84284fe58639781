// The progress renderer on its own (the spawned-CLI tests cover it end to end): a bar on a
// terminal, throttled plain lines elsewhere, NDJSON for machines, with an injected clock.
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { registerSecret } from '../../electron/core/bitrix/redact'
import { Output } from '../../electron/cli/output'
import { createProgressRenderer } from '../../electron/cli/progress'
import type { RunProgressEvent } from '../../electron/shared/ipc'

class Capture extends Writable {
  text = ''
  constructor(readonly isTTY = false) {
    super()
  }
  columns = 160
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString()
    cb()
  }
}

function event(done: number, extra: Partial<RunProgressEvent> = {}): RunProgressEvent {
  const total = 100
  return {
    runId: 'r1',
    status: 'running',
    counts: { total, pending: total - done, succeeded: done, failed: 0, uncertain: 0, skipped: 0, 'not-run': 0 },
    rowsPerSecond: 2,
    etaSeconds: (total - done) / 2,
    binding: 'rate',
    ...extra
  }
}

describe('progress renderer', () => {
  it('prints plain lines at most once per interval, status changes at once, and the final state', () => {
    const stdout = new Capture()
    let now = 0
    const r = createProgressRenderer({ mode: 'lines', output: new Output({ json: false, stdout }), now: () => now, lineIntervalMs: 5000 })
    for (let i = 1; i <= 40; i++) {
      now += 250 // 10 s of events, four per second
      r.update(event(i))
    }
    r.update(event(41, { status: 'paused' }))
    r.update(event(42, { status: 'paused' }))
    r.stop()
    const lines = stdout.text.trim().split('\n')
    // the first event, one more 5 s later, the status change at once, the final state on stop
    expect(lines).toHaveLength(4)
    expect(lines[0]).toBe('1/100 rows (1 succeeded, 99 pending) | 2.0 rows/s | ETA 0:50 | limited by request rate')
    expect(lines[1]).toContain('21/100 rows')
    expect(lines[2]).toContain('41/100 rows')
    expect(lines[2]).toMatch(/\| paused$/)
    expect(lines[3]).toContain('42/100 rows')
  })

  it('leaves out a speed of 0 and the ETA once the run is over, and keeps them while it runs', () => {
    const stdout = new Capture()
    const r = createProgressRenderer({ mode: 'lines', output: new Output({ json: false, stdout }), now: () => 0 })
    r.update(event(0, { rowsPerSecond: 0 }))
    r.update(event(6, { rowsPerSecond: 0, status: 'finished', binding: 'none' }))
    r.stop()
    const [first, last] = stdout.text.trim().split('\n')
    expect(first).toContain('| 0.0 rows/s |')
    expect(last).toBe('6/100 rows (6 succeeded, 94 pending) | finished')
  })

  it('shows the countdown of an operating-budget wait', () => {
    const stdout = new Capture()
    const now = 1_000_000
    const r = createProgressRenderer({ mode: 'lines', output: new Output({ json: false, stdout }), now: () => now })
    r.update(event(10, { binding: 'operating', waitingUntil: now + 272_000 }))
    r.stop()
    expect(stdout.text).toContain('waiting 4:32 for the operating budget to reset')
  })

  it('emits newline-delimited JSON progress events, redacted', () => {
    const stdout = new Capture()
    registerSecret('s3cr3t-token-value')
    let now = 0
    const r = createProgressRenderer({ mode: 'json', output: new Output({ json: true, stdout }), now: () => now, jsonIntervalMs: 1000 })
    r.update(event(1))
    now += 100
    r.update(event(2))
    now += 1000
    r.update(event(3, { status: 'paused', pauseReason: 'token s3cr3t-token-value refused' }))
    r.stop()
    const records = stdout.text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(records.map((r) => (r.counts as { succeeded: number }).succeeded)).toEqual([1, 3])
    expect(records[0]).toMatchObject({ type: 'progress', runId: 'r1', binding: 'rate' })
    expect(stdout.text).not.toContain('s3cr3t-token-value')
  })

  it('draws a bar with counts, rate, ETA and the binding constraint on a terminal', () => {
    const stdout = new Capture(true)
    const r = createProgressRenderer({ mode: 'bar', output: new Output({ json: false, stdout }) })
    r.update(event(30, { counts: { total: 100, pending: 60, succeeded: 30, failed: 6, uncertain: 4, skipped: 0, 'not-run': 0 } }))
    r.note('a message above the bar')
    r.stop()
    expect(stdout.text).toContain('40/100 40% | 30 ok, 6 failed, 4 uncertain | 2.0 rows/s | ETA 0:35 | limited by request rate')
    expect(stdout.text).toContain('a message above the bar\n')
  })
})

describe('progress of a stopped run', () => {
  it('counts not-run rows as not done: a run cancelled at 47% ends at 47/100, not 100/100', () => {
    const stdout = new Capture()
    const r = createProgressRenderer({ mode: 'lines', output: new Output({ json: false, stdout }), now: () => 0 })
    const counts = { total: 100, pending: 0, succeeded: 47, failed: 0, uncertain: 0, skipped: 0, 'not-run': 53 }
    r.update({ runId: 'r1', status: 'cancelled', counts, rowsPerSecond: 0, binding: 'none' })
    r.stop()
    expect(stdout.text).toContain('47/100 rows (47 succeeded, 53 not run)')
  })
})

describe('the bar at 80 columns', () => {
  /** Every line the bar drew, without cursor and erase sequences. */
  function drawn(text: string): string[] {
    return (
      text
        // Each redraw starts with "cursor to column 1".
        // eslint-disable-next-line no-control-regex
        .split(/\x1b\[1G|\r|\n/)
        // eslint-disable-next-line no-control-regex
        .map((l) => l.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, ''))
        .filter((l) => l.trim() !== '')
    )
  }

  it('keeps speed, ETA and the limit on one line that fits, however many outcomes there are', () => {
    const stdout = new Capture(true)
    stdout.columns = 80
    const t = 1_000_000
    const r = createProgressRenderer({ mode: 'bar', output: new Output({ json: false, stdout }), now: () => t })
    const counts = { total: 20000, pending: 10294, succeeded: 9651, failed: 12, uncertain: 3, skipped: 40, 'not-run': 0 }
    r.update({ runId: 'r1', status: 'running', counts, rowsPerSecond: 45.2, etaSeconds: 212, binding: 'operating', waitingUntil: t + 192_000 })
    r.update({ runId: 'r1', status: 'running', counts, rowsPerSecond: 45.2, etaSeconds: 212, binding: 'rate' })
    r.stop()
    const lines = drawn(stdout.text)
    expect(lines.length).toBeGreaterThan(0)
    for (const line of lines) {
      expect(line.length).toBeLessThanOrEqual(79)
      expect(line).toMatch(/9706\/20000 48%/)
      expect(line).toContain('45 rows/s')
      expect(line).toContain('ETA 3:32')
    }
    expect(lines.some((l) => l.includes('budget reset in 3:12') || l.includes('waiting 3:12 for the operating budget to reset'))).toBe(true)
    expect(lines.some((l) => /limited by request rate|by request rate/.test(l))).toBe(true)
  })
})
