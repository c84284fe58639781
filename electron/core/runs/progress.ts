// Live figures of a running run: rows per second over a recent window, what the run waits on
// (the binding constraint), and a throttle so listeners get at most ten events per second.
import type { BindingConstraint } from '../../shared/domain'

const RATE_WINDOW_MS = 10_000
const BINDING_WINDOW_MS = 5_000
const MIN_EMIT_INTERVAL_MS = 100

export class ProgressMeter {
  /** [ms, rows finished so far] samples, oldest first. */
  private samples: [number, number][] = []
  private finished = 0
  private waits: { at: number; ms: number; reason: BindingConstraint }[] = []
  private lastEmit = -Infinity

  constructor(private readonly now: () => number) {}

  /** The run (re)starts sending now: its speed counts from here, so a run whose rows all finish
   * in one batch still shows the speed it went at, not 0. */
  begin(): void {
    this.samples = [[this.now(), this.finished]]
  }

  rowsFinished(n: number): void {
    if (n <= 0) return
    this.finished += n
    const t = this.now()
    this.samples.push([t, this.finished])
    while (this.samples.length > 2 && (this.samples[1] as [number, number])[0] < t - RATE_WINDOW_MS) this.samples.shift()
  }

  /** Rows per second over the last few seconds (0 until two samples exist). */
  rowsPerSecond(): number {
    const t = this.now()
    const first = this.samples[0]
    if (!first || t - first[0] < 250) return 0
    // Counts since the first sample in the window, spread over the time since then.
    return (this.finished - first[1]) / ((t - first[0]) / 1000)
  }

  /** The loop waited `ms` because of `reason`. */
  waited(reason: BindingConstraint, ms: number): void {
    if (ms <= 0 || !Number.isFinite(ms)) return
    const t = this.now()
    this.waits.push({ at: t, ms, reason })
    this.waits = this.waits.filter((w) => w.at > t - BINDING_WINDOW_MS)
  }

  /** What held the run back most in the last few seconds; 'none' if nothing much did. */
  binding(): BindingConstraint {
    const t = this.now()
    const totals = new Map<BindingConstraint, number>()
    for (const w of this.waits) if (w.at > t - BINDING_WINDOW_MS) totals.set(w.reason, (totals.get(w.reason) ?? 0) + w.ms)
    let best: BindingConstraint = 'none'
    let bestMs = BINDING_WINDOW_MS * 0.1
    for (const [reason, ms] of totals) {
      if (reason === 'none' || ms <= bestMs) continue
      best = reason
      bestMs = ms
    }
    return best
  }

  /** True when an event may go out now (at most one per 100 ms unless forced). */
  shouldEmit(force: boolean): boolean {
    const t = this.now()
    if (!force && t - this.lastEmit < MIN_EMIT_INTERVAL_MS) return false
    this.lastEmit = t
    return true
  }
}
