// The runner on a current-cloud portal: whole-second `time.start` and `processing: 0` must not
// inflate what a trigger costs (pacing/server-cost.ts), and a budget refusal inside a batch
// (OPERATION_TIME_LIMIT: nothing ran) sends the row back to wait without using an attempt.
import { afterEach, describe, expect, it } from 'vitest'
import { createBitrixClient } from '../../../electron/core/bitrix'
import { CODE, DEAL, dealRows, executions, expectAccounted, oauthCredentials, range, rig, spec, type Rig } from './helpers'

let r: Rig | undefined
afterEach(async () => {
  await r?.close()
  r = undefined
})

describe('cost model on the current-cloud time format', () => {
  it('charges a 40 ms trigger about 40 ms, not the up-to-a-second a whole-second start adds', async () => {
    const operating = { limitSec: 480, windowSec: 600 }
    const rate = { burst: 200, drainPerSec: 100 }
    r = await rig({ deals: 120, operating, rate, triggerCostMs: 40, timeFormat: 'whole-second' })
    const runs = r.manager()
    const { id } = await runs.createRun(spec(r, dealRows(range(1, 120)), { options: { operating, rate } }))
    const view = await (await runs.start(id)).done
    expect(view.status).toBe('finished')
    expect(view.counts.succeeded).toBe(120)
    const { replay } = await runs.load(id)
    const times: number[] = []
    for (let row = 0; row < replay.table.rowsLoaded; row++) {
      const t = replay.table.record(row).timeSec
      if (t !== undefined) times.push(t)
    }
    const mean = times.reduce((a, b) => a + b, 0) / times.length
    // Charging durations would average ~0.04 + 0.5 s of padding.
    expect(mean).toBeGreaterThanOrEqual(0.035)
    expect(mean).toBeLessThan(0.12)
  })
})

describe('budget refusals', () => {
  it('OPERATION_TIME_LIMIT inside a batch never fails a row, even with one attempt allowed', async () => {
    const operating = { limitSec: 0.25, windowSec: 1 }
    const rate = { burst: 200, drainPerSec: 100 }
    r = await rig({ deals: 60, operating, rate, operatingMinRecordedSec: 0, triggerCostMs: 10, timeFormat: 'fractional' })
    // Another process of the same app spends the whole budget just before the run starts.
    const other = createBitrixClient({ credentials: oauthCredentials(r.sandbox) })
    for (let id = 1001; r.sandbox.stats().rejected429 === 0; id++) {
      await other.call('crm.automation.trigger.execute', { CODE, OWNER_TYPE_ID: DEAL, OWNER_ID: id }).catch(() => undefined)
    }
    r.sandbox.clearLedger()
    const before429 = r.sandbox.stats().rejected429
    const runs = r.manager()
    const { id } = await runs.createRun(spec(r, dealRows(range(1, 60)), { options: { operating, rate, maxAttempts: 1 } }))
    const view = await (await runs.start(id)).done
    expect(view.status).toBe('finished')
    expectAccounted(view)
    expect(r.sandbox.stats().rejected429).toBeGreaterThan(before429)
    expect(view.counts.failed).toBe(0)
    expect(view.counts.succeeded).toBe(60)
    const ran = executions(r.sandbox)
    expect(ran.size).toBe(60)
    expect([...ran.values()].every((n) => n === 1)).toBe(true)
  })
})

describe('ETA during a budget wait', () => {
  it('counts the wait for the budget, not only the rows left at the budget\'s pace', async () => {
    // The portal's budget (0.25 s per 6 s) is far smaller than the cloud's the run assumes, so the
    // run meets a 429 and waits for operating_reset_at, several seconds away.
    const operating = { limitSec: 0.25, windowSec: 6 }
    const rate = { burst: 200, drainPerSec: 100 }
    r = await rig({ deals: 60, operating, rate, operatingMinRecordedSec: 0, triggerCostMs: 10, timeFormat: 'fractional' })
    const sandbox = r.sandbox
    const other = createBitrixClient({ credentials: oauthCredentials(sandbox) })
    // After the first batch ran (so the run knows the cost and operating_reset_at), another
    // process of the same app spends the whole budget.
    const runs = r.manager({
      hooks: {
        afterIntent: async (batch) => {
          if (batch !== 2) return
          for (let n = 1001; sandbox.stats().rejected429 === 0; n++) {
            await other.call('crm.automation.trigger.execute', { CODE, OWNER_TYPE_ID: DEAL, OWNER_ID: n }).catch(() => undefined)
          }
        }
      }
    })
    const { id } = await runs.createRun(spec(r, dealRows(range(1, 60)), { options: { rate } }))
    const seen: { eta: number; waitSec: number }[] = []
    const handle = await runs.start(id, {
      onProgress: (e) => {
        if (e.waitingUntil === undefined || e.etaSeconds === undefined || seen.length > 0) return
        seen.push({ eta: e.etaSeconds, waitSec: (e.waitingUntil - Date.now()) / 1000 })
        void runs.pause(id)
      }
    })
    await handle.done
    expect(seen).toHaveLength(1)
    const { eta, waitSec } = seen[0] as { eta: number; waitSec: number }
    expect(waitSec).toBeGreaterThan(2)
    expect(eta).toBeGreaterThanOrEqual(Math.floor(waitSec))
  })
})
