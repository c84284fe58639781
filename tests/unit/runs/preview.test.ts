// The preview before firing, over real HTTP against the sandbox: stage counts by pipeline that
// match the portal's state, missing items, types without stages, and the duration estimate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { categoryOfStage, estimateDuration, previewRun } from '../../../electron/core/runs/preview'
import { DEAL, rig, type Rig } from './helpers'

let r: Rig
const RATE = { burst: 50, drainPerSec: 2 }
const OPERATING = { limitSec: 480, windowSec: 600 }

beforeAll(async () => {
  r = await rig({ deals: 0, rate: false, operating: false })
  r.sandbox.seedCrm({ entityTypeId: DEAL, fromId: 1, count: 700, stageIds: ['NEW', 'NEW', 'PREPARATION', 'WON'] })
  r.sandbox.seedCrm({ entityTypeId: DEAL, fromId: 1001, count: 300, categoryId: 3, stageIds: ['C3:NEW', 'C3:PREPARATION', 'C3:WON'] })
})
afterAll(async () => {
  await r.close()
})

describe('previewRun', () => {
  it('counts the selected items by pipeline and stage as the portal holds them', async () => {
    const ids = [...Array.from({ length: 700 }, (_, i) => i + 1), ...Array.from({ length: 300 }, (_, i) => 1001 + i), 5000, 5001, 1, 2]
    const rows = [...ids.map((ownerId) => ({ ownerTypeId: DEAL, ownerId })), { ownerTypeId: 3, ownerId: 1 }]
    const before = r.sandbox.stats().batches
    const p = await previewRun(r.client(), { rows, rate: RATE, operating: OPERATING, stageNames: new Map([['C3:NEW', 'New order']]) })
    expect(p.items).toBe(1003)
    expect(p.byStage).toEqual([
      { ownerTypeId: DEAL, categoryId: 0, stageId: 'NEW', count: 350 },
      { ownerTypeId: DEAL, categoryId: 0, stageId: 'PREPARATION', count: 175 },
      { ownerTypeId: DEAL, categoryId: 0, stageId: 'WON', count: 175 },
      { ownerTypeId: DEAL, categoryId: 3, stageId: 'C3:NEW', stageName: 'New order', count: 100 },
      { ownerTypeId: DEAL, categoryId: 3, stageId: 'C3:PREPARATION', count: 100 },
      { ownerTypeId: DEAL, categoryId: 3, stageId: 'C3:WON', count: 100 }
    ])
    expect(p).toMatchObject({ notFound: 2, notFoundSample: [5000, 5001], unreadable: 1, failed: 0 })
    // 1,002 deals: 21 calls of 50 ids, one batch.
    expect(r.sandbox.stats().batches - before).toBe(1)
    // The sandbox moves an item: the next preview sees it.
    r.sandbox.seedCrm({ entityTypeId: DEAL, fromId: 1, count: 1, stageIds: ['LOSE'] })
    const again = await previewRun(r.client(), { rows: [{ ownerTypeId: DEAL, ownerId: 1 }], rate: RATE, operating: OPERATING })
    expect(again.byStage).toEqual([{ ownerTypeId: DEAL, categoryId: 0, stageId: 'LOSE', count: 1 }])
  })

  it('estimates the duration from whichever limit binds', () => {
    // 10,000 rows = 200 requests: 150 beyond the burst at 2/s.
    expect(estimateDuration(10_000, RATE, OPERATING)).toEqual({ requests: 200, rateSec: 75, seconds: 75, binding: 'rate' })
    // 1 s per trigger: 10,000 s of work, 480 s per 600 s window → 20 more windows.
    expect(estimateDuration(10_000, RATE, OPERATING, 1)).toMatchObject({ operatingSec: 20 * 600, seconds: 12_000, binding: 'operating' })
    expect(estimateDuration(100, RATE, OPERATING)).toMatchObject({ requests: 2, seconds: 0 })
    expect([categoryOfStage('C3:NEW'), categoryOfStage('DT177_1:NEW'), categoryOfStage('NEW')]).toEqual([3, 1, 0])
  })
})
