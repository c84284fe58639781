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

/** One stored bucket of a key ([src] LoadLimiter: a redis float per key and bucket number). */
interface OperatingBucket {
  /** floor(requestStart / bucketMs) of the requests it holds */
  slot: number
  /** the first call's start of the request that created it + window: what getResetTime reports */
  expireAtMs: number
  seconds: number
}

export interface OperatingOptions {
  limitSec: number
  windowSec: number
  /** A request's calls of one key are stored only when their sum exceeds this; a call counts
   * toward the live figure of its own request only when it alone exceeds it ([src] LoadLimiter:
   * 0.1 s, `finalize` and `getRestTime`). */
  minRecordedSec: number
}

/**
 * What one top-level request registered ([src] LoadLimiter::$timeRegistered): per key, the
 * duration of each finished call, in order; `firstStartMs` is the first call's start of any key.
 */
export class OperatingRequest {
  readonly calls = new Map<string, number[]>()
  firstStartMs: number | undefined

  constructor(readonly startMs: number) {}

  register(key: string, startMs: number, seconds: number): void {
    this.firstStartMs ??= startMs
    let list = this.calls.get(key)
    if (!list) this.calls.set(key, (list = []))
    list.push(seconds)
  }
}

/**
 * The operating budget as [src] LoadLimiter keeps it: ten buckets of window/10 per (auth type,
 * app or webhook, method); a bucket counts while its number is among the last ten (its redis
 * key's `expire` is given an absolute time as a TTL, so in practice it is the bucket number that
 * ages it out); a request's calls are summed per key and stored at its end when the sum exceeds
 * 0.1 s (so a batch of fifty 50 ms triggers IS charged); the live figure adds the request's own
 * calls longer than 0.1 s each.
 */
export class OperatingLimiter {
  private readonly buckets = new Map<string, OperatingBucket[]>()
  private readonly windowMs: number
  private readonly bucketMs: number

  constructor(private readonly opts: OperatingOptions) {
    this.windowMs = opts.windowSec * 1000
    this.bucketMs = this.windowMs / 10
  }

  private slotOf(ms: number): number {
    return Math.floor(ms / this.bucketMs)
  }

  /** Buckets among the last ten at the request's bucket number ([src] getNumBucket: once per request). */
  private live(key: string, req: OperatingRequest): OperatingBucket[] {
    const list = this.buckets.get(key)
    if (!list) return []
    const slot = this.slotOf(req.startMs)
    while (list.length > 0 && (list[0] as OperatingBucket).slot <= slot - 10) list.shift()
    return list.filter((b) => b.slot <= slot)
  }

  /** [src] getRestTime: stored buckets plus this request's calls longer than the threshold. */
  restTime(key: string, req: OperatingRequest): number {
    let s = 0
    for (const b of this.live(key, req)) s += b.seconds
    for (const sec of req.calls.get(key) ?? []) if (sec > this.opts.minRecordedSec) s += sec
    return s
  }

  /** [src] is(): checked before each call, so only a call after the crossing one is blocked. */
  isBlocked(key: string, req: OperatingRequest): boolean {
    return this.restTime(key, req) > this.opts.limitSec
  }

  /** [src] finalize: at the end of a request, each key's sum is stored when it exceeds the threshold. */
  finalize(req: OperatingRequest): void {
    const slot = this.slotOf(req.startMs)
    for (const [key, calls] of req.calls) {
      const sum = calls.reduce((a, b) => a + b, 0)
      if (!(sum > this.opts.minRecordedSec) && !(this.opts.minRecordedSec === 0 && sum > 0)) continue
      let list = this.buckets.get(key)
      if (!list) this.buckets.set(key, (list = []))
      const last = list[list.length - 1]
      if (last && last.slot === slot) last.seconds += sum
      else list.push({ slot, expireAtMs: (req.firstStartMs ?? req.startMs) + this.windowMs, seconds: sum })
    }
    req.calls.clear()
  }

  info(key: string, req: OperatingRequest): OperatingInfo {
    const oldest = this.live(key, req).find((b) => b.seconds > 0)
    return {
      operating: Math.round(this.restTime(key, req) * 1e6) / 1e6,
      // [src] getResetTime: the oldest live bucket's (int) expire time; with none, the first
      // registered start of this request + window.
      operatingResetAt: Math.floor((oldest ? oldest.expireAtMs : (req.firstStartMs ?? req.startMs) + this.windowMs) / 1000)
    }
  }
}
