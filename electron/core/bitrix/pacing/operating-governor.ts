// Keeps each REST method under its operating budget (reference §4.3): the portal sums the
// server time a method spent over a rolling window (480 s per 600 s in the cloud) and answers
// 429 OPERATION_TIME_LIMIT once the sum is over the limit, until old time leaves the window.
//
// Our model, per method:
// - a local sliding window of what we charged: every completed batch adds the server time its
//   commands reported (result_time), stamped at completion, so each charge leaves our window no
//   earlier than the portal's bucket holding it leaves the portal's (we are never more lenient);
// - in-flight commands are reserved at their estimated cost at send time, so concurrent batches
//   cannot overspend the budget between them;
// - `time.operating`, when the portal sends it, is a running total for the method, not a cost
//   per call: whatever it shows beyond our own charges is someone else's usage ("external"),
//   which we respect until `operating_reset_at`. Without counters (anchors #459) the local
//   window still works;
// - the cap is the limit minus a safety margin: sending stops before the budget is spent, and
//   resumes as soon as old charges leave the window (`nextRoomAt` gives the countdown). Whatever
//   the schedule, a rolling window sustains at most cap/window/t calls per second; spending
//   freed budget at once (rather than spreading it) reaches that rate too, and finishes a
//   finite run up to one window sooner, because the budget free at the start is used in full;
// - a 429 blocks the method until `operating_reset_at` plus a little slack (or a conservative
//   wait when the reset time is unknown), exposed as `waitingUntil` for a countdown.
import type { OperatingLimits, RestTime } from '../../../shared/domain'
import { type Clock, systemClock } from './clock'

export const CLOUD_OPERATING: Readonly<OperatingLimits> = { limitSec: 480, windowSec: 600 }

export interface OperatingGovernorOptions {
  limits: OperatingLimits
  clock?: Clock
  /** Fraction of the limit kept unused as a safety margin (default 0.05). */
  margin?: number
  /** Added to operating_reset_at before retrying a blocked method, ms (default 1000, at most 1/20 of the window). */
  slackMs?: number
}

/** What one batch (or call) of a method was granted. The first settle or release counts. */
export interface OperatingReservation {
  readonly method: string
  readonly calls: number
  /** The calls ran: charge what they cost. `costsSec` holds the measured cost of each call that
   * reported one; `unmeasured` calls (ran, no timing) are charged at the estimate. `learn: false`
   * charges the window without touching the cost estimate (single calls outside a run must not
   * stand in for a run's own measurement). */
  settle(costsSec: readonly number[], unmeasured?: number, learn?: boolean): void
  /** None of the calls ran (rejected before execution): give the reservation back. A no-op once
   * settled, so callers may release in a `finally`. */
  release(): void
}

export interface Admission {
  /** Calls that may be sent now (0 = wait). */
  calls: number
  /** When `calls` is 0: milliseconds until `minCalls` should fit (Infinity: wait for in-flight work). */
  waitMs: number
}

export interface OperatingMethodState {
  method: string
  /** Typical operating seconds per call, undefined until measured. */
  costSec?: number
  usedSec: number
  capSec: number
  /** The safety margin: one batch should cost no more, so that a batch far costlier than
   * estimated still cannot push the method over its limit. */
  marginSec: number
  /** The most calls per second the budget sustains at the current estimate. */
  sustainedCallsPerSec?: number
  /** Unix ms until which the method is blocked after a 429. */
  waitingUntil?: number
  /** Last `time.operating` the portal reported. */
  reportedSec?: number
  resetAt?: number
  rejections: number
}

interface Charge {
  at: number
  cost: number
}

/** Batches whose mean cost the reservation estimate covers: calls are booked at the highest
 * recent mean, because underestimating spends budget we do not have (settling then charges what
 * they really cost, so a high booking only holds budget while the calls are in flight). */
const COST_PEAK_SAMPLES = 8
/** Weight of the newest batch in the typical cost, which sets the sustained pace and the ETA. */
const COST_EWMA = 0.3

class MethodBudget {
  readonly charges: Charge[] = []
  head = 0
  chargedSum = 0
  reserved = 0
  /** Calls sent and not yet settled or released. */
  inFlight = 0
  external = 0
  externalUntil = 0
  blockedUntil = 0
  /** Booking estimate per call: the highest of the recent batch means. */
  costSec: number | undefined
  /** Typical cost per call (moving average). */
  typicalSec: number | undefined
  readonly recentCosts: number[] = []
  reportedSec: number | undefined
  resetAtMs: number | undefined
  rejections = 0
  /** 429s since calls last ran: the unknown-reset wait doubles with each. */
  blockStreak = 0

  constructor(readonly method: string) {}

  expire(now: number, windowMs: number): void {
    while (this.head < this.charges.length) {
      const c = this.charges[this.head] as Charge
      if (c.at + windowMs > now) break
      this.chargedSum -= c.cost
      this.head++
    }
    // Compact occasionally so the array does not grow for the whole run.
    if (this.head > 1024 && this.head * 2 > this.charges.length) {
      this.charges.splice(0, this.head)
      this.head = 0
    }
    if (this.chargedSum < 1e-9) this.chargedSum = Math.max(0, this.chargedSum)
    if (this.externalUntil <= now) this.external = 0
  }

  used(): number {
    return this.chargedSum + this.reserved + this.external
  }
}

export class OperatingGovernor {
  private limits: OperatingLimits
  private readonly clock: Clock
  private readonly margin: number
  private readonly slackMs: number
  private readonly methods = new Map<string, MethodBudget>()

  constructor(opts: OperatingGovernorOptions) {
    this.limits = { ...opts.limits }
    this.clock = opts.clock ?? systemClock
    this.margin = opts.margin ?? 0.05
    this.slackMs = Math.min(opts.slackMs ?? 1000, (this.limits.windowSec * 1000) / 20)
  }

  private get windowMs(): number {
    return this.limits.windowSec * 1000
  }

  private get capSec(): number {
    return this.limits.limitSec * (1 - this.margin)
  }

  /** Operating seconds per second of wall time the window sustains at the cap. */
  private get sustainedSecPerSec(): number {
    return this.capSec / this.limits.windowSec
  }

  private budget(method: string): MethodBudget {
    let b = this.methods.get(method)
    if (!b) this.methods.set(method, (b = new MethodBudget(method)))
    b.expire(this.clock.now(), this.windowMs)
    return b
  }

  /** Estimated seconds per call (on the safe side); undefined until a call was measured. */
  costPerCall(method: string): number | undefined {
    return this.methods.get(method)?.costSec
  }

  /**
   * How many calls of `method` (up to `wanted`) may go out now. Sends fewer than `minCalls`
   * are not offered (a batch of one row per request would spend the request bucket instead);
   * the answer then says how long until `minCalls` fit.
   */
  admit(method: string, wanted: number, minCalls = 1): Admission {
    const b = this.budget(method)
    const now = this.clock.now()
    if (b.blockedUntil > now) return { calls: 0, waitMs: b.blockedUntil - now }
    const cost = b.costSec
    // Unknown cost: let one call through to measure it (the caller sends a small probe).
    if (cost === undefined) return b.inFlight > 0 ? { calls: 0, waitMs: Infinity } : { calls: Math.min(wanted, 1), waitMs: 0 }
    // A minimum the budget could never hold would wait forever: cap it at what an empty window holds.
    const min = Math.max(1, Math.min(minCalls, wanted, Math.floor(this.capSec / cost + 1e-9)))
    const used = b.used()
    // A single call that costs more than the whole budget goes alone, into an empty window.
    if (cost > this.capSec) return used <= 1e-9 && b.inFlight === 0 ? { calls: 1, waitMs: 0 } : { calls: 0, waitMs: this.msUntilFree(b, now, used) }
    const fit = Math.min(wanted, Math.floor((this.capSec - used) / cost + 1e-9))
    if (fit >= min) return { calls: fit, waitMs: 0 }
    return { calls: 0, waitMs: this.msUntilFree(b, now, used + min * cost - this.capSec) }
  }

  /** When `calls` calls at the current estimate will fit again (Unix ms), if the budget is the
   * reason they do not fit now; for the countdown while waiting for room in the window. */
  nextRoomAt(method: string, calls: number): number | undefined {
    const b = this.budget(method)
    const now = this.clock.now()
    if (b.blockedUntil > now) return b.blockedUntil
    if (b.costSec === undefined) return undefined
    const needed = b.used() + calls * b.costSec - this.capSec
    if (needed <= 0) return undefined
    const ms = this.msUntilFree(b, now, needed)
    return Number.isFinite(ms) ? now + ms : undefined
  }

  /** Books `calls` at the current estimate. Call right after a positive `admit`, before sending. */
  reserve(method: string, calls: number): OperatingReservation {
    const b = this.budget(method)
    const estimate = b.costSec ?? 0
    const booked = calls * estimate
    b.reserved += booked
    b.inFlight += calls
    let open = true
    const close = (): boolean => {
      if (!open) return false
      open = false
      b.reserved = Math.max(0, b.reserved - booked)
      b.inFlight -= calls
      return true
    }
    return {
      method,
      calls,
      settle: (costsSec, unmeasured = 0, learn = true) => {
        if (!close()) return
        if (learn) this.learnCost(b, costsSec)
        if (costsSec.length > 0) b.blockStreak = 0
        const charged = costsSec.reduce((s, c) => s + c, 0) + unmeasured * (b.costSec ?? estimate)
        if (charged > 0) {
          b.charges.push({ at: this.clock.now(), cost: charged })
          b.chargedSum += charged
        }
      },
      release: () => {
        close()
      }
    }
  }

  /** Reads the counters of a response (a call's `time`, or a batch command's `result_time`). */
  observe(method: string, time: RestTime | undefined): void {
    if (!time) return
    const b = this.budget(method)
    if (typeof time.operating_reset_at === 'number') b.resetAtMs = time.operating_reset_at * 1000
    if (typeof time.operating !== 'number') return
    b.reportedSec = time.operating
    const ours = b.chargedSum + b.reserved
    const beyond = time.operating - ours
    if (beyond > b.external) {
      b.external = beyond
      b.externalUntil = this.externalExpiry(b)
    }
  }

  /** Until when usage seen from elsewhere is respected: operating_reset_at when it is ahead; a
   * moment when it has only just passed (a whole second on the portal's clock, clocks differ: the
   * next answer reports again what is still there); a tenth of the window when it is unknown. */
  private externalExpiry(b: MethodBudget): number {
    const now = this.clock.now()
    if (b.resetAtMs === undefined) return now + this.windowMs / 10
    if (b.resetAtMs > now) return b.resetAtMs
    return now - b.resetAtMs < this.windowMs / 10 ? now + this.slackMs : now + this.windowMs / 10
  }

  /** The portal answered OPERATION_TIME_LIMIT for this method. */
  onLimitExceeded(method: string): void {
    const b = this.budget(method)
    const now = this.clock.now()
    b.rejections++
    b.blockStreak++
    let until: number
    if (b.resetAtMs !== undefined && b.resetAtMs > now) {
      until = b.resetAtMs + this.slackMs
    } else if (b.resetAtMs !== undefined && now - b.resetAtMs < this.windowMs / 10) {
      // The reset time has only just passed: it is a whole second on the portal's clock, and the
      // clocks differ a little. Try again shortly, twice as long after each 429 in a row.
      until = now + Math.min(this.windowMs / 10, this.slackMs * 2 ** (b.blockStreak - 1))
    } else {
      // Reset time unknown or stale: the portal frees time one bucket (a tenth of the window) at
      // a time, so wait a bucket, then twice as long after each 429 in a row, up to a window;
      // and never less than until our own oldest charge leaves the window.
      const oldest = b.head < b.charges.length ? (b.charges[b.head] as Charge).at + this.windowMs : now
      const step = Math.min(this.windowMs, (this.windowMs / 10) * 2 ** (b.blockStreak - 1))
      until = Math.min(now + this.windowMs, Math.max(now + step, oldest)) + this.slackMs
    }
    b.blockedUntil = Math.max(b.blockedUntil, until)
    // Whatever we believed, the portal is at its limit: hold the window full until the block ends.
    const fill = this.capSec - b.chargedSum - b.reserved
    if (fill > b.external) b.external = fill
    b.externalUntil = Math.max(b.externalUntil, b.blockedUntil)
  }

  /** Unix ms until which `method` waits out a 429, if it does. */
  waitingUntil(method: string): number | undefined {
    const b = this.methods.get(method)
    return b && b.blockedUntil > this.clock.now() ? b.blockedUntil : undefined
  }

  setLimits(limits: OperatingLimits): void {
    this.limits = { ...limits }
  }

  state(method: string): OperatingMethodState {
    const b = this.budget(method)
    const s: OperatingMethodState = {
      method,
      usedSec: b.used(),
      capSec: this.capSec,
      marginSec: this.limits.limitSec - this.capSec,
      rejections: b.rejections
    }
    if (b.costSec !== undefined && b.typicalSec !== undefined) {
      s.costSec = b.typicalSec
      s.sustainedCallsPerSec = this.sustainedSecPerSec / Math.max(b.typicalSec, 1e-6)
    }
    const waiting = this.waitingUntil(method)
    if (waiting !== undefined) s.waitingUntil = waiting
    if (b.reportedSec !== undefined) s.reportedSec = b.reportedSec
    if (b.resetAtMs !== undefined) s.resetAt = b.resetAtMs
    return s
  }

  /** What the window holds now and when each part leaves it (seconds from now): our charges,
   * calls in flight (leaving a full window from now at the earliest) and usage seen from
   * elsewhere. For the ETA (runs/eta.ts): the budget comes back in the pattern it was spent. */
  expiries(method: string): { inSec: number; sec: number }[] {
    const b = this.budget(method)
    const now = this.clock.now()
    const out: { inSec: number; sec: number }[] = []
    for (let i = b.head; i < b.charges.length; i++) {
      const c = b.charges[i] as Charge
      out.push({ inSec: Math.max(0, (c.at + this.windowMs - now) / 1000), sec: c.cost })
    }
    if (b.reserved > 0) out.push({ inSec: this.limits.windowSec, sec: b.reserved })
    if (b.external > 0) out.push({ inSec: Math.max(0, (b.externalUntil - now) / 1000), sec: b.external })
    return out
  }

  private learnCost(b: MethodBudget, costsSec: readonly number[]): void {
    if (costsSec.length === 0) return
    const mean = costsSec.reduce((s, c) => s + c, 0) / costsSec.length
    const sample = Math.max(mean, 1e-4)
    b.typicalSec = b.typicalSec === undefined ? sample : b.typicalSec + COST_EWMA * (sample - b.typicalSec)
    b.recentCosts.push(sample)
    if (b.recentCosts.length > COST_PEAK_SAMPLES) b.recentCosts.shift()
    b.costSec = Math.max(...b.recentCosts)
  }

  /** Milliseconds until `needed` seconds leave the window (our own charges, then external usage). */
  private msUntilFree(b: MethodBudget, now: number, needed: number): number {
    let freed = 0
    for (let i = b.head; i < b.charges.length; i++) {
      const c = b.charges[i] as Charge
      freed += c.cost
      if (freed >= needed) return Math.max(1, c.at + this.windowMs - now)
    }
    if (b.external > 0 && freed + b.external >= needed) return Math.max(1, b.externalUntil - now)
    // What is left is reserved by batches in flight: their completion will tell.
    return Infinity
  }
}
