// The two limits of reference §4: the per-portal request bucket (503 QUERY_LIMIT_EXCEEDED) and
// the operating budget per (auth type, app or webhook, method) kept in ten buckets over a
// rolling window (429 OPERATION_TIME_LIMIT). Both read the injectable clock.
import type { OperatingInfo } from './envelope'

export class LeakyBucket {
  private level = 0
  private lastMs: number

  constructor(
    private readonly burst: number,
    private readonly drainPerSec: number,
    private readonly now: () => number
  ) {
    this.lastMs = now()
  }

  /** Counts one request; false when the bucket is full (the request is rejected and not counted). */
  take(): boolean {
    const t = this.now()
    this.level = Math.max(0, this.level - ((t - this.lastMs) / 1000) * this.drainPerSec)
    this.lastMs = t
    if (this.level + 1 > this.burst) return false
    this.level += 1
    return true
  }
}

interface OperatingBucket {
  /** floor(now / bucketMs) of the calls it holds */
  slot: number
  /** first call in this bucket, ms: the bucket leaves the window at firstMs + window */
  firstMs: number
  seconds: number
}

export interface OperatingOptions {
  limitSec: number
  windowSec: number
  /** Runs shorter than this are not recorded ([src] LoadLimiter: 0.1 s). */
  minRecordedSec: number
}

export class OperatingLimiter {
  private readonly buckets = new Map<string, OperatingBucket[]>()
  private readonly windowMs: number
  private readonly bucketMs: number

  constructor(
    private readonly opts: OperatingOptions,
    private readonly now: () => number
  ) {
    this.windowMs = opts.windowSec * 1000
    this.bucketMs = this.windowMs / 10
  }

  private live(key: string, t: number): OperatingBucket[] {
    const list = this.buckets.get(key)
    if (!list) return []
    while (list.length > 0 && (list[0] as OperatingBucket).firstMs + this.windowMs <= t) list.shift()
    return list
  }

  /** The accumulated value is checked before a call: only a call after the crossing one is blocked. */
  isBlocked(key: string): boolean {
    return this.sum(this.live(key, this.now())) > this.opts.limitSec
  }

  record(key: string, startedMs: number, seconds: number): void {
    if (seconds < this.opts.minRecordedSec) return
    const slot = Math.floor(startedMs / this.bucketMs)
    let list = this.buckets.get(key)
    if (!list) this.buckets.set(key, (list = []))
    const last = list[list.length - 1]
    if (last && last.slot === slot) last.seconds += seconds
    else list.push({ slot, firstMs: startedMs, seconds })
  }

  info(key: string): OperatingInfo {
    const t = this.now()
    const list = this.live(key, t)
    const oldest = list[0]
    return {
      operating: Math.round(this.sum(list) * 1e6) / 1e6,
      // Rounded up so that at operating_reset_at the oldest bucket has really left.
      operatingResetAt: Math.ceil(((oldest ? oldest.firstMs : t) + this.windowMs) / 1000)
    }
  }

  private sum(list: OperatingBucket[]): number {
    let s = 0
    for (const b of list) s += b.seconds
    return s
  }
}
