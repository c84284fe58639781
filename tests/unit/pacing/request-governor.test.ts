import { describe, expect, it } from 'vitest'
import { RATE_PRESETS, RequestGovernor } from '../../../electron/core/bitrix/pacing/request-governor'
import { FakeClock } from './fake-clock'

describe('RequestGovernor', () => {
  it('starts full so the burst is usable at once, then paces at the drain rate', async () => {
    const clock = new FakeClock()
    const g = new RequestGovernor({ limits: RATE_PRESETS.standard, clock })
    let taken = 0
    while (g.tryTake()) taken++
    // The 50th waits for a tenth of a token of headroom (50 ms), so it never meets the
    // portal's bucket exactly at its edge.
    expect(taken).toBe(49)
    expect(g.msUntilToken()).toBe(50)
    await clock.advance(50)
    expect(g.tryTake()).toBe(true)
    expect(g.msUntilToken()).toBe(500)
  })

  it('refills at drainPerSec and never above the burst', async () => {
    const clock = new FakeClock()
    const g = new RequestGovernor({ limits: { burst: 10, drainPerSec: 5 }, clock })
    while (g.tryTake());
    await clock.advance(1000)
    expect(g.state().tokens).toBe(6)
    await clock.advance(60_000)
    expect(g.state().tokens).toBe(10)
  })

  it('lets concurrent acquirers take no more than burst + drain x elapsed', async () => {
    const clock = new FakeClock()
    const g = new RequestGovernor({ limits: RATE_PRESETS.standard, clock })
    const start = clock.now()
    const grantedAt: number[] = []
    const all = Array.from({ length: 70 }, () => g.acquire().then(() => grantedAt.push(clock.now() - start)))
    for (let i = 0; i < 40; i++) await clock.advance(500)
    await Promise.all(all)
    expect(grantedAt).toHaveLength(70)
    for (const at of grantedAt) {
      const grantedBy = grantedAt.filter((t) => t <= at).length
      expect(grantedBy).toBeLessThanOrEqual(50 + Math.floor((at / 1000) * 2) + 1)
    }
    // The 20 acquirers beyond the burst needed about 10 s of drain.
    expect(Math.max(...grantedAt)).toBeGreaterThanOrEqual(9500)
  })

  it('treats the bucket as full on a 503 and lowers the drain, then recovers on successes', async () => {
    const clock = new FakeClock()
    const g = new RequestGovernor({ limits: RATE_PRESETS.standard, clock })
    g.onRateLimited()
    expect(g.state().tokens).toBe(0)
    expect(g.effectiveDrainPerSec).toBeCloseTo(1.4)
    expect(g.msUntilToken()).toBe(Math.ceil(1100 / 1.4))
    g.onRateLimited()
    expect(g.effectiveDrainPerSec).toBeCloseTo(0.98)
    for (let i = 0; i < 200; i++) g.onAccepted()
    expect(g.effectiveDrainPerSec).toBe(2)
  })

  it('never lowers the drain below the floor however many 503s arrive', () => {
    const g = new RequestGovernor({ limits: RATE_PRESETS.enterprise, clock: new FakeClock() })
    for (let i = 0; i < 100; i++) g.onRateLimited()
    expect(g.effectiveDrainPerSec).toBeCloseTo(0.5)
  })

  it('caps the tokens when the plan shrinks', () => {
    const g = new RequestGovernor({ limits: RATE_PRESETS.enterprise, clock: new FakeClock() })
    g.setLimits(RATE_PRESETS.standard)
    expect(g.state().tokens).toBe(50)
  })

  it('keeps the requests already in the bucket when the limits change', () => {
    const g = new RequestGovernor({ limits: RATE_PRESETS.standard, clock: new FakeClock() })
    expect(g.tryTake()).toBe(true)
    expect(g.tryTake()).toBe(true)
    // A run's custom plan takes over the governor lookups used: their two requests still count.
    g.setLimits({ burst: 4, drainPerSec: 0.5 })
    expect(g.state().tokens).toBe(2)
  })

  it('still sends with a bucket of one request (no room for headroom)', async () => {
    const clock = new FakeClock()
    const g = new RequestGovernor({ limits: { burst: 1, drainPerSec: 0.5 }, clock })
    expect(g.tryTake()).toBe(true)
    expect(g.tryTake()).toBe(false)
    expect(g.msUntilToken()).toBe(2000)
    await clock.advance(2000)
    expect(g.tryTake()).toBe(true)
  })

  it('returns -1 when an acquire is aborted while waiting', async () => {
    const clock = new FakeClock()
    const g = new RequestGovernor({ limits: { burst: 1, drainPerSec: 0.001 }, clock })
    g.tryTake()
    const ac = new AbortController()
    const p = g.acquire(ac.signal)
    ac.abort()
    expect(await p).toBe(-1)
  })
})
