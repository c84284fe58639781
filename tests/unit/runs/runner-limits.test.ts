// The two platform limits against the sandbox's real limiters: the request bucket shared with a
// noisy neighbour (503 storms), and the operating budget (429 with a reset).
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, describe, expect, it } from 'vitest'
import { createBitrixClient } from '../../../electron/core/bitrix'
import type { RunProgressEvent } from '../../../electron/shared/ipc'
import { CODE, DEAL, dealRows, executions, expectAccounted, oauthCredentials, range, rig, spec, type Rig } from './helpers'

let r: Rig | undefined
afterEach(async () => {
  await r?.close()
  r = undefined
})

function expectEachRanOnce(rig_: Rig, count: number): void {
  const ran = executions(rig_.sandbox)
  expect(ran.size).toBe(count)
  expect([...ran.values()].every((n) => n === 1)).toBe(true)
}

describe('limits', () => {
  it('rides out a 503 storm from another tool on the same IP and still runs every row once', async () => {
    const rate = { burst: 10, drainPerSec: 20 }
    r = await rig({ deals: 600, rate })
    const sandbox = r.sandbox
    // Another integration on the same IP. Its own 503s are counted so that the run's are known:
    // whenever none of its requests is in flight, the sandbox's other 503s are the run's.
    let neighbour503 = 0
    const neighbourCall = async (): Promise<void> => {
      const res = await fetch(`${sandbox.adminWebhookUrl}profile`)
      await res.arrayBuffer()
      if (res.status === 503) neighbour503++
    }
    const runSaw503 = (): boolean => sandbox.stats().rejected503 > neighbour503
    // It fills the shared bucket before the run starts, and keeps it brim-full (one call at a
    // time takes each slot as it drains) until the run has drawn a 503: on a slow machine too,
    // the storm is certain. Then it goes on firing bursts that keep the bucket nearly full.
    while (neighbour503 === 0) await neighbourCall()
    let stop = false
    const noise = (async () => {
      while (!stop) {
        if (!runSaw503()) {
          await neighbourCall()
          await sleep(2)
        } else {
          await Promise.all(Array.from({ length: 8 }, neighbourCall))
          await sleep(500)
        }
      }
    })()
    const runs = r.manager()
    const { id } = await runs.createRun(spec(r, dealRows(range(1, 600)), { options: { rate } }))
    const view = await (await runs.start(id)).done.finally(async () => {
      stop = true
      await noise
    })
    expect(view.status).toBe('finished')
    expectAccounted(view)
    expect(view.counts.succeeded).toBe(600)
    expect(sandbox.stats().rejected503 - neighbour503).toBeGreaterThan(0)
    expectEachRanOnce(r, 600)
  })

  it('stays under the operating budget without ever being blocked', async () => {
    // Compressed: a one-second window; the request bucket is wide so the budget alone binds. The
    // sandbox charges each execution its nominal 5 ms: a pause of a loaded machine inside a call
    // would otherwise cost a large share of so small a budget, which no pacing can foresee.
    const limits = { operating: { limitSec: 0.5, windowSec: 1 }, rate: { burst: 200, drainPerSec: 100 } }
    r = await rig({ deals: 150, ...limits, operatingMinRecordedSec: 0, operatingAccounting: 'nominal', triggerCostMs: 5 })
    const runs = r.manager()
    const { id } = await runs.createRun(spec(r, dealRows(range(1, 150)), { options: limits }))
    const view = await (await runs.start(id)).done
    expect(view.status).toBe('finished')
    expect(view.counts.succeeded).toBe(150)
    expect(r.sandbox.stats().rejected429).toBe(0)
    expectEachRanOnce(r, 150)
  })

  it('waits out a 429 until the budget resets, showing a countdown, and runs every row once', async () => {
    const operating = { limitSec: 0.25, windowSec: 1 }
    const rate = { burst: 200, drainPerSec: 100 }
    r = await rig({ deals: 60, operating, rate, operatingMinRecordedSec: 0, triggerCostMs: 10 })
    // Another process of the same app spends the whole budget just before the run starts.
    const other = createBitrixClient({ credentials: oauthCredentials(r.sandbox) })
    for (let id = 1001; r.sandbox.stats().rejected429 === 0; id++) {
      await other.call('crm.automation.trigger.execute', { CODE, OWNER_TYPE_ID: DEAL, OWNER_ID: id }).catch(() => undefined)
    }
    r.sandbox.clearLedger()
    const runs = r.manager()
    const { id } = await runs.createRun(spec(r, dealRows(range(1, 60)), { options: { operating, rate } }))
    const events: RunProgressEvent[] = []
    const view = await (await runs.start(id, { onProgress: (e) => events.push(e) })).done
    expect(view.status).toBe('finished')
    expect(view.counts.succeeded).toBe(60)
    expect(r.sandbox.stats().rejected429).toBeGreaterThan(1)
    expect(events.some((e) => e.waitingUntil !== undefined && e.binding === 'operating')).toBe(true)
    expectEachRanOnce(r, 60)
  })
})
