// A run-wide error costs one batch: the trigger is deleted on the portal while several batches
// are in flight. The first answer with "not registered" fails its rows and pauses the run; the
// batches still in flight that get the same answer did not run either, and their rows go back to
// pending instead of failing. Once the trigger is back, resume runs them, each once.
import { afterEach, describe, expect, it } from 'vitest'
import { CODE, dealRows, executions, expectAccounted, range, rig, spec, type Rig } from './helpers'

let r: Rig | undefined
afterEach(async () => {
  await r?.close()
  r = undefined
})

describe('a run-wide error with batches in flight', () => {
  it('fails the rows of one batch only; the others are pending again and resume runs them once', async () => {
    r = await rig({ deals: 600, triggerCostMs: 4 })
    const rig_ = r
    let sent = 0
    let deleted = false
    const runs = r.manager({
      hooks: {
        afterIntent: () => {
          // Delete the trigger once four batches are out at the same time.
          if (++sent === 8 && !deleted) {
            deleted = true
            setTimeout(() => rig_.sandbox.removeAppTrigger(rig_.sandbox.app.clientId, CODE), 5)
          }
        }
      }
    })
    const { id } = await runs.createRun(spec(r, dealRows(range(1, 600)), { options: { maxInFlight: 4, rate: { burst: 50, drainPerSec: 50 } } }))
    const view = await (await runs.start(id)).done
    expect(view.status).toBe('paused')
    expect(view.pauseError).toMatchObject({ code: '', portalText: `Trigger with code ${CODE} is not registered.` })
    expectAccounted(view)
    // At most one batch (≤ 50 rows) failed; the rest are pending, nothing uncertain.
    expect(view.counts.failed).toBeGreaterThan(0)
    expect(view.counts.failed).toBeLessThanOrEqual(50)
    expect(view.counts.uncertain).toBe(0)
    expect(view.counts.pending).toBe(600 - view.counts.succeeded - view.counts.failed)
    const failedBefore = view.counts.failed
    console.log(`run-wide error: ${failedBefore} rows failed, ${view.counts.pending} pending again (batches in flight: up to 4)`)

    rig_.sandbox.addAppTrigger(rig_.sandbox.app.clientId, CODE, 'Deal won')
    const done = await (await r.manager().resume(id)).done
    expect(done.status).toBe('finished')
    expect(done.counts).toMatchObject({ failed: failedBefore, succeeded: 600 - failedBefore, pending: 0 })
    const ran = executions(rig_.sandbox)
    expect(ran.size).toBe(600 - failedBefore)
    expect([...ran.values()].every((n) => n === 1)).toBe(true)
  })
})
