// A manual clock: sleeps resolve only when the test advances time past their deadline.
import type { Clock } from '../../../electron/core/bitrix/pacing/clock'

export class FakeClock implements Clock {
  private t: number
  private sleepers: { until: number; resolve: () => void }[] = []

  constructor(start = 1_700_000_000_000) {
    this.t = start
  }

  now(): number {
    return this.t
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (ms <= 0 || signal?.aborted) return resolve()
      const entry = { until: this.t + ms, resolve }
      this.sleepers.push(entry)
      signal?.addEventListener('abort', () => {
        this.sleepers = this.sleepers.filter((s) => s !== entry)
        resolve()
      }, { once: true })
    })
  }

  /** Moves time forward, waking sleepers in deadline order and letting their code run. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms
    for (;;) {
      this.sleepers.sort((a, b) => a.until - b.until)
      const next = this.sleepers[0]
      if (!next || next.until > end) break
      this.sleepers.shift()
      this.t = Math.max(this.t, next.until)
      next.resolve()
      await new Promise((r) => setImmediate(r))
    }
    this.t = end
    await new Promise((r) => setImmediate(r))
  }
}
