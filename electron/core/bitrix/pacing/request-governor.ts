// Mirrors the portal's request bucket (reference §4.1) on our side so that we never have to
// learn the limit from 503s. The portal counts +1 per request and drains `drainPerSec`; above
// `burst` it answers 503 QUERY_LIMIT_EXCEEDED. Our mirror is a token bucket that starts full
// (the burst is free throughput), and a token is taken synchronously at send time, so any
// number of concurrent senders sharing one governor cannot overspend it.
//
// The portal's bucket is keyed by portal AND source IP: other tools on the same IP drain it
// too, invisibly. A 503 is the only evidence of them, so on a 503 we treat the bucket as full
// and lower our effective drain multiplicatively; successes restore it slowly (AIMD).
import type { PlanPreset, RateLimits } from '../../../shared/domain'
import { type Clock, systemClock } from './clock'

/** A request is sent only once this fraction of a token is spare beyond the one it takes: the
 * portal counts a request when it arrives, a moment after we count it, so its bucket has drained
 * a little less than ours at that instant; sending on the exact boundary would draw a 503. */
const HEADROOM = 0.1

export const RATE_PRESETS: Readonly<Record<Exclude<PlanPreset, 'custom'>, RateLimits>> = {
  standard: { burst: 50, drainPerSec: 2 },
  enterprise: { burst: 250, drainPerSec: 5 }
}

/** A plan's request rate; a custom plan (or none) starts from the standard one. */
export function presetRate(plan: PlanPreset | undefined): RateLimits {
  return RATE_PRESETS[plan === 'enterprise' ? 'enterprise' : 'standard']
}

export interface RequestGovernorOptions {
  limits: RateLimits
  clock?: Clock
  /** Multiplier applied to the drain on each 503 (default 0.7). */
  backoff?: number
  /** Added to the drain factor per success, up to 1 (default 0.02: ~15 successes undo one 503). */
  recoveryStep?: number
  /** The drain factor never falls below this (default 0.1). */
  minFactor?: number
}

export interface RequestGovernorState {
  limits: RateLimits
  /** Whole requests that may be sent right now (before the headroom). */
  tokens: number
  /** Drain currently assumed, after 503 learning (requests per second). */
  effectiveDrainPerSec: number
  rejections: number
}

export class RequestGovernor {
  private limits: RateLimits
  private readonly clock: Clock
  private readonly backoff: number
  private readonly recoveryStep: number
  private readonly minFactor: number
  private tokens: number
  private lastRefill: number
  private factor = 1
  private rejections = 0

  constructor(opts: RequestGovernorOptions) {
    this.limits = { ...opts.limits }
    this.clock = opts.clock ?? systemClock
    this.backoff = opts.backoff ?? 0.7
    this.recoveryStep = opts.recoveryStep ?? 0.02
    this.minFactor = opts.minFactor ?? 0.1
    this.tokens = this.limits.burst
    this.lastRefill = this.clock.now()
  }

  /** Tokens that must be present to send: one plus the headroom, but never more than the bucket
   * holds, or a bucket of one request (a custom plan) would never send at all. */
  private needed(): number {
    return Math.min(1 + HEADROOM, this.limits.burst)
  }

  get effectiveDrainPerSec(): number {
    return this.limits.drainPerSec * this.factor
  }

  /** Takes one token if there is one. Synchronous on purpose: check-and-take cannot interleave. */
  tryTake(): boolean {
    this.refill()
    if (this.tokens < this.needed()) return false
    this.tokens -= 1
    return true
  }

  /** Milliseconds until a token is available (0 if one is). */
  msUntilToken(): number {
    this.refill()
    const needed = this.needed()
    if (this.tokens >= needed) return 0
    return Math.ceil(((needed - this.tokens) / this.effectiveDrainPerSec) * 1000 - 1e-6)
  }

  /** Waits for a token and takes it. Returns the milliseconds spent waiting; -1 if aborted. */
  async acquire(signal?: AbortSignal): Promise<number> {
    const started = this.clock.now()
    while (!this.tryTake()) {
      if (signal?.aborted) return -1
      await this.clock.sleep(this.msUntilToken(), signal)
    }
    return this.clock.now() - started
  }

  /** The portal answered QUERY_LIMIT_EXCEEDED: its bucket is full now, and someone else drains
   * it with us, so assume less drain for a while. */
  onRateLimited(): void {
    this.refill()
    this.tokens = 0
    this.factor = Math.max(this.minFactor, this.factor * this.backoff)
    this.rejections++
  }

  /** Any answer that passed the portal's bucket. */
  onAccepted(): void {
    this.refill()
    this.factor = Math.min(1, this.factor + this.recoveryStep)
  }

  /** Plan changed (e.g. the profile moved to Enterprise, or a run with a custom plan takes over
   * a governor that lookups used with the preset). What the portal's bucket holds stays: the
   * requests counted in it (burst - tokens) are kept, within the new burst. */
  setLimits(limits: RateLimits): void {
    this.refill()
    const inBucket = this.limits.burst - this.tokens
    this.limits = { ...limits }
    this.tokens = Math.max(0, Math.min(limits.burst, limits.burst - inBucket))
  }

  state(): RequestGovernorState {
    this.refill()
    return {
      limits: { ...this.limits },
      tokens: Math.floor(this.tokens),
      effectiveDrainPerSec: this.effectiveDrainPerSec,
      rejections: this.rejections
    }
  }

  private refill(): void {
    const now = this.clock.now()
    const elapsed = Math.max(0, now - this.lastRefill)
    this.lastRefill = now
    this.tokens = Math.min(this.limits.burst, this.tokens + (elapsed / 1000) * this.effectiveDrainPerSec)
  }
}
