import { describe, expect, it } from 'vitest'
import { OperatingGovernor } from '../../../electron/core/bitrix/pacing/operating-governor'
import { FakeClock } from './fake-clock'

const M = 'crm.automation.trigger.execute'

/** The portal's accounting (reference §4.3): ten buckets over the window, checked before each call. */
class ModelPortal {
  private buckets: { slot: number; firstMs: number; sec: number }[] = []
  blocked = 0
  constructor(private readonly limitSec: number, private readonly windowSec: number) {}
  private live(now: number): void {
    while (this.buckets.length && this.buckets[0]!.firstMs + this.windowSec * 1000 <= now) this.buckets.shift()
  }
  sum(now: number): number {
    this.live(now)
    return this.buckets.reduce((s, b) => s + b.sec, 0)
  }
  /** Runs one call at `now`; false = 429, it did not run. */
  call(now: number, costSec: number): boolean {
    if (this.sum(now) > this.limitSec) {
      this.blocked++
      return false
    }
    const slot = Math.floor(now / ((this.windowSec * 1000) / 10))
    const last = this.buckets[this.buckets.length - 1]
    if (last && last.slot === slot) last.sec += costSec
    else this.buckets.push({ slot, firstMs: now, sec: costSec })
    return true
  }
  resetAt(now: number): number {
    this.live(now)
    return Math.ceil(((this.buckets[0]?.firstMs ?? now) + this.windowSec * 1000) / 1000)
  }
}

/** One sender, one batch at a time, each call taking its cost in wall time. */
async function simulate(opts: { limitSec: number; windowSec: number; cost: number; seconds: number; batch: number }) {
  const clock = new FakeClock()
  const gov = new OperatingGovernor({ limits: { limitSec: opts.limitSec, windowSec: opts.windowSec }, clock })
  const portal = new ModelPortal(opts.limitSec, opts.windowSec)
  const end = clock.now() + opts.seconds * 1000
  let ran = 0
  while (clock.now() < end) {
    const a = gov.admit(M, opts.batch, Math.min(opts.batch, 5))
    if (a.calls === 0) {
      expect(Number.isFinite(a.waitMs)).toBe(true)
      await clock.advance(a.waitMs)
      continue
    }
    const r = gov.reserve(M, a.calls)
    const costs: number[] = []
    let refused = false
    for (let i = 0; i < a.calls; i++) {
      if (!portal.call(clock.now(), opts.cost)) {
        refused = true
        break
      }
      costs.push(opts.cost)
      await clock.advance(opts.cost * 1000)
    }
    ran += costs.length
    r.settle(costs)
    gov.observe(M, { operating: portal.sum(clock.now()), operating_reset_at: portal.resetAt(clock.now()) })
    if (refused) gov.onLimitExceeded(M)
  }
  return { ran, blocked: portal.blocked, gov }
}

describe('OperatingGovernor', () => {
  it('lets one call through to measure an unknown cost, then admits by budget', () => {
    const clock = new FakeClock()
    const gov = new OperatingGovernor({ limits: { limitSec: 10, windowSec: 100 }, clock })
    expect(gov.admit(M, 50)).toEqual({ calls: 1, waitMs: 0 })
    const probe = gov.reserve(M, 1)
    expect(gov.admit(M, 50).calls).toBe(0)
    probe.settle([0.1])
    expect(gov.costPerCall(M)).toBeCloseTo(0.1)
    // cap = 10 s x 0.95: 94 calls of 0.1 s fit at once.
    expect(gov.admit(M, 50).calls).toBe(50)
    expect(gov.admit(M, 500).calls).toBe(94)
  })

  it('never lets the portal block the method, and gets >= 90% of what the rolling window allows', async () => {
    const { ran, blocked, gov } = await simulate({ limitSec: 6, windowSec: 30, cost: 0.05, seconds: 300, batch: 50 })
    expect(blocked).toBe(0)
    // The rolling window allows at most the whole limit once per window: ten windows in 300 s.
    const ceiling = (6 / 0.05) * Math.ceil(300 / 30)
    expect(ran / ceiling).toBeGreaterThan(0.9)
    expect(ran).toBeLessThanOrEqual(ceiling)
    expect(gov.state(M).sustainedCallsPerSec).toBeCloseTo((6 * 0.95) / 30 / 0.05)
  })

  it('holds the cost estimate to what calls really cost as it changes', () => {
    const clock = new FakeClock()
    const gov = new OperatingGovernor({ limits: { limitSec: 480, windowSec: 600 }, clock })
    gov.reserve(M, 1).settle([0.2])
    for (let i = 0; i < 20; i++) gov.reserve(M, 10).settle(Array(10).fill(0.5))
    expect(gov.costPerCall(M)).toBeCloseTo(0.5, 2)
    for (let i = 0; i < 40; i++) gov.reserve(M, 10).settle(Array(10).fill(0.1))
    expect(gov.costPerCall(M)).toBeCloseTo(0.1, 2)
  })

  it('respects usage it did not cause, reported as time.operating', () => {
    const clock = new FakeClock()
    const gov = new OperatingGovernor({ limits: { limitSec: 10, windowSec: 100 }, clock })
    gov.reserve(M, 1).settle([0.1])
    gov.observe(M, { operating: 9, operating_reset_at: Math.ceil(clock.now() / 1000) + 40 })
    // cap 9.5 - 9 reported: 5 calls of 0.1 s fit; a batch of 10 does not.
    const a = gov.admit(M, 50, 10)
    expect(a.calls).toBe(0)
    expect(a.waitMs).toBeGreaterThan(39_000)
    expect(gov.admit(M, 50, 1).calls).toBe(5)
  })

  it('waits out a 429 until operating_reset_at plus slack and shows the countdown', async () => {
    const clock = new FakeClock()
    const gov = new OperatingGovernor({ limits: { limitSec: 480, windowSec: 600 }, clock })
    gov.reserve(M, 1).settle([1])
    const reset = Math.ceil(clock.now() / 1000) + 120
    gov.observe(M, { operating: 470, operating_reset_at: reset })
    gov.onLimitExceeded(M)
    expect(gov.waitingUntil(M)).toBe(reset * 1000 + 1000)
    expect(gov.admit(M, 10).waitMs).toBe(reset * 1000 + 1000 - clock.now())
    await clock.advance(121_000)
    expect(gov.waitingUntil(M)).toBeUndefined()
    expect(gov.admit(M, 10).calls).toBeGreaterThan(0)
  })

  it('waits conservatively on a 429 when the reset time is unknown', () => {
    const clock = new FakeClock()
    const gov = new OperatingGovernor({ limits: { limitSec: 480, windowSec: 600 }, clock })
    gov.onLimitExceeded(M)
    const wait = gov.waitingUntil(M)! - clock.now()
    expect(wait).toBeGreaterThanOrEqual(60_000)
    expect(wait).toBeLessThanOrEqual(601_000)
  })

  it('retries soon, backing off, when operating_reset_at has only just passed (whole seconds, clock skew)', () => {
    const clock = new FakeClock()
    const gov = new OperatingGovernor({ limits: { limitSec: 480, windowSec: 600 }, clock })
    gov.observe(M, { operating: 481, operating_reset_at: Math.floor(clock.now() / 1000) - 1 })
    gov.onLimitExceeded(M)
    expect(gov.waitingUntil(M)! - clock.now()).toBe(1000)
    gov.onLimitExceeded(M)
    expect(gov.waitingUntil(M)! - clock.now()).toBe(2000)
  })

  it('respects usage from elsewhere only briefly when operating_reset_at has just passed', async () => {
    const clock = new FakeClock()
    const gov = new OperatingGovernor({ limits: { limitSec: 480, windowSec: 600 }, clock })
    gov.reserve(M, 1).settle([0.1])
    // The portal reports the budget full, with a reset time a moment ago (whole seconds).
    gov.observe(M, { operating: 480, operating_reset_at: Math.floor(clock.now() / 1000) - 1 })
    expect(gov.admit(M, 10).calls).toBe(0)
    await clock.advance(1000)
    // Not a tenth of the window (60 s): the next answer reports again whatever is still there.
    expect(gov.admit(M, 10).calls).toBe(10)
  })

  it('gives a released reservation back and keeps methods apart', () => {
    const clock = new FakeClock()
    const gov = new OperatingGovernor({ limits: { limitSec: 10, windowSec: 100 }, clock })
    gov.reserve(M, 1).settle([0.1])
    const r = gov.reserve(M, 90)
    expect(gov.admit(M, 50).calls).toBe(4)
    r.release()
    expect(gov.admit(M, 50).calls).toBe(50)
    expect(gov.admit('crm.item.list', 50).calls).toBe(1)
  })
})
