// The cost model of pacing/server-cost.ts: a whole-second `start` never inflates a call's cost;
// the growth of `time.operating` between answers is the precise figure.
import { describe, expect, it } from 'vitest'
import { ServerCostModel, durationIsPrecise } from '../../../electron/core/bitrix/pacing/server-cost'
import type { RestTime } from '../../../electron/shared/domain'

const M = 'crm.automation.trigger.execute'

/** A current-cloud time block: whole-second start, processing 0. */
function whole(startSec: number, finishSec: number, operating?: number, resetAt = 2_000_000_000): RestTime {
  return {
    start: startSec,
    finish: finishSec,
    duration: finishSec - startSec,
    processing: 0,
    date_start: '',
    date_finish: '',
    ...(operating !== undefined && { operating, operating_reset_at: resetAt })
  }
}

describe('ServerCostModel', () => {
  it('trusts a fractional start, and only that', () => {
    const precise: RestTime = { start: 100.25, finish: 100.3, duration: 0.05, processing: 0.049, date_start: '', date_finish: '' }
    expect(durationIsPrecise(precise)).toBe(true)
    expect(durationIsPrecise(whole(100, 100.95))).toBe(false)
    const model = new ServerCostModel()
    const costOf = model.answered(M, model.sent(M), [precise], 1, 5, 1)
    expect(costOf(precise)).toBeCloseTo(0.05, 9)
  })

  it('bounds a whole-second duration by the call\'s share of the wall time', () => {
    const model = new ServerCostModel()
    // 50 commands of a 50 ms trigger, started 0.9 s into a second: each duration says ~0.95 s+.
    const times = Array.from({ length: 50 }, (_, i) => whole(100, 100.9 + 0.05 * (i + 1)))
    const costOf = model.answered(M, model.sent(M), times, 50, 2.6, 50)
    expect(costOf(times[0])).toBeCloseTo(0.052, 3)
    expect(costOf(times[49])).toBeCloseTo(0.052, 3)
    // A lone call: its duration is the better bound when it is below the wall share.
    const lone = whole(200, 200.04)
    expect(new ServerCostModel().answered(M, 0, [lone], 1, 0.3, 1)(lone)).toBeCloseTo(0.04, 9)
    expect(costOf(undefined)).toBeUndefined()
  })

  it('learns the per-call cost from the growth of time.operating between answers', () => {
    const model = new ServerCostModel()
    let operating = 10
    for (let batch = 0; batch < 4; batch++) {
      const ticket = model.sent(M)
      // The total seen by this answer: everything stored before it was sent.
      const times = Array.from({ length: 25 }, () => whole(100, 100.99, operating))
      model.answered(M, ticket, times, 25, 10, 25)
      operating += 25 * 0.03 // what the portal stores when the request ends
    }
    expect(model.perCall(M)).toBeCloseTo(0.03, 9)
    // Wall share (0.4 s) and duration (0.99 s) are both far above: the growth wins.
    const costOf = model.answered(M, model.sent(M), [whole(100, 100.99, operating)], 1, 0.4, 1)
    expect(costOf(whole(100, 100.99, operating))).toBeCloseTo(0.03, 9)
  })

  it('starts over when a bucket leaves the window (operating_reset_at moves or the total falls)', () => {
    const model = new ServerCostModel()
    model.answered(M, model.sent(M), [whole(1, 1.5, 5, 1000)], 30, 1, 30)
    model.answered(M, model.sent(M), [whole(1, 1.5, 6, 1000)], 30, 1, 30)
    expect(model.perCall(M)).toBeCloseTo(1 / 30, 9)
    model.answered(M, model.sent(M), [whole(1, 1.5, 2, 1060)], 30, 1, 30)
    expect(model.perCall(M)).toBeUndefined()
    // The growth counts again from the new start.
    model.answered(M, model.sent(M), [whole(1, 1.5, 2.1, 1060)], 5, 1, 5)
    expect(model.perCall(M)).toBeCloseTo(0.1 / 30, 9)
  })

  it('ignores an answer to a request sent before the latest sample\'s', () => {
    const model = new ServerCostModel()
    const early = model.sent(M)
    model.answered(M, model.sent(M), [whole(1, 1.5, 1)], 40, 1, 40)
    const late = model.sent(M)
    model.answered(M, late, [whole(1, 1.5, 2)], 40, 1, 40)
    model.answered(M, early, [whole(1, 1.5, 1.5)], 40, 1, 40)
    expect(model.perCall(M)).toBeCloseTo(1 / 40, 9)
  })
})
