// The ETA from the model of the binding limit (issue 11, item 6): pure figures first, then a real
// run against the sandbox whose bucket makes the opening burst far faster than the rest.
import { afterEach, describe, expect, it } from 'vitest'
import { estimateEta, type EtaInputs } from '../../../electron/core/runs/eta'
import type { RunProgressEvent } from '../../../electron/shared/ipc'
import { dealRows, range, rig, spec, type Rig } from './helpers'

const cloud = { capSec: 456, usedSec: 0, windowSec: 600 }

function inputs(extra: Partial<EtaInputs>): EtaInputs {
  return { pendingRows: 10_000, costSec: 0.01, rowsPerRequest: 50, request: { tokens: 50, drainPerSec: 2 }, operating: cloud, concurrency: 6, ...extra }
}

describe('estimateEta', () => {
  it('knows nothing before the first cost is measured, and 0 s when nothing is left', () => {
    expect(estimateEta(inputs({ costSec: undefined }))).toBeUndefined()
    expect(estimateEta(inputs({ pendingRows: 0 }))?.seconds).toBe(0)
  })

  it('rate binds: requests beyond the tokens in the bucket, at the drain', () => {
    // 10,000 rows / 50 = 200 requests; 50 in the bucket, 150 at 2/s = 75 s.
    const eta = estimateEta(inputs({}))!
    expect(eta.binding).toBe('rate')
    expect(eta.seconds).toBeCloseTo(75, 5)
  })

  it('the operating budget binds: what it holds now, then its refill rate', () => {
    // 10,000 rows x 0.1 s = 1,000 s of server time; 456 s free now, then 0.76 s per s: 716 s.
    const eta = estimateEta(inputs({ costSec: 0.1 }))!
    expect(eta.binding).toBe('operating')
    expect(eta.seconds).toBeCloseTo((1000 - 456) / (456 / 600), 5)
    // A budget already half spent, and a 429 block with 30 s left, push it further.
    expect(estimateEta(inputs({ costSec: 0.1, operating: { ...cloud, usedSec: 228, blockedForSec: 30 } }))!.seconds).toBeCloseTo(30 + (1000 - 228) / 0.76, 5)
  })

  it('a windowed budget comes back in the pattern it was spent: a burst frees a window later', () => {
    // The bench's operating-bound case: 5.7 s cap per 30 s, all spent in a burst 2 s ago; 13 s of
    // server time still needed. It frees at 28 s, 58 s and 88 s: done after the third.
    const eta = estimateEta(
      inputs({
        pendingRows: 250,
        costSec: 0.052,
        concurrency: 6,
        operating: { capSec: 5.7, usedSec: 5.7, windowSec: 30, expiries: [{ inSec: 28, sec: 5.7 }] }
      })
    )!
    expect(eta.binding).toBe('operating')
    expect(eta.seconds).toBeCloseTo(88, 5)
    // An even trickle would have said 13 / (5.7 / 30) = 68 s (the run took 89 s).
    expect(estimateEta(inputs({ pendingRows: 250, costSec: 0.052, operating: { capSec: 5.7, usedSec: 5.7, windowSec: 30 } }))!.seconds).toBeCloseTo(68.4, 1)
  })

  it('the portal\'s own time binds when triggers are slow and batches few', () => {
    const eta = estimateEta(inputs({ pendingRows: 100, costSec: 0.5, wallSecPerRow: 0.6, concurrency: 2 }))!
    expect(eta.binding).toBe('latency')
    expect(eta.seconds).toBeCloseTo(30, 5)
  })

  it('is far from "rows so far / time so far" in the opening burst (the 23 s vs 3.5 min case)', () => {
    // Two seconds in, the burst sent 2,500 rows: the naive pace says 4 s for the 5,000 left.
    const naive = 5000 / (2500 / 2)
    const eta = estimateEta(inputs({ pendingRows: 5000, request: { tokens: 0, drainPerSec: 2 } }))!
    expect(naive).toBe(4)
    expect(eta.seconds).toBe(50)
  })
})

describe('ETA of a real run', () => {
  let r: Rig | undefined
  afterEach(async () => {
    await r?.close()
    r = undefined
  })

  it('right after the opening burst, predicts the time the run still takes', async () => {
    // A bucket of 10 requests refilling at 4/s: 30 requests of 50 rows; the first 10 go at once.
    const rate = { burst: 10, drainPerSec: 4 }
    r = await rig({ deals: 1500, rate })
    const runs = r.manager()
    const { id } = await runs.createRun(spec(r, dealRows(range(1, 1500)), { options: { rate } }))
    const events: { at: number; event: RunProgressEvent }[] = []
    const view = await (await runs.start(id, { onProgress: (event) => events.push({ at: Date.now(), event }) })).done
    const end = Date.now()
    expect(view.counts.succeeded).toBe(1500)
    // The first estimate once the burst is spent (a third of the rows done).
    const sample = events.find((e) => e.event.counts.pending <= 1000 && e.event.etaSeconds !== undefined)!
    const left = (end - sample.at) / 1000
    expect(sample.event.etaSeconds!).toBeGreaterThanOrEqual(left * 0.6)
    expect(sample.event.etaSeconds!).toBeLessThanOrEqual(left * 1.6 + 1)
  })
})
