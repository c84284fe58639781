// Transport and server faults: whatever happens after a batch may have reached the portal makes
// its rows uncertain, and an uncertain row is never sent again.
import { afterEach, describe, expect, it } from 'vitest'
import type { FaultRule } from '../../../sandbox'
import { dealRows, executions, expectAccounted, outcomeRecords, range, rig, spec, type Rig } from './helpers'

let r: Rig | undefined
afterEach(async () => {
  await r?.close()
  r = undefined
})

async function runWithFault(fault: FaultRule['fault'], extra: Partial<FaultRule> = {}) {
  // A short request cap only where the fault needs one: it ends the hanging request.
  r = await rig({ deals: 200, ...(fault === 'hang' && { requestCapMs: 1500 }) })
  // The second batch request (the first is the one-row probe) meets the fault.
  r.sandbox.addFaults([{ method: 'batch', fault, after: 1, times: 1, ...extra }])
  const runs = r.manager()
  const { id } = await runs.createRun(spec(r, dealRows(range(1, 200))))
  const view = await (await runs.start(id)).done
  const uncertain = await runs.rows({ runId: id, offset: 0, limit: 200, outcome: 'uncertain' })
  const perRow = await outcomeRecords(r.dataDir, id)
  return { view, uncertain, ran: executions(r.sandbox), perRow }
}

describe('faults after sending', () => {
  it.each([
    ['error500-after', 1],
    ['html', 1],
    ['drop-after', 1],
    ['error500', 0],
    ['hang', 0]
  ] as const)('%s: the batch rows end uncertain and are not re-sent', async (fault, timesRun) => {
    const { view, uncertain, ran, perRow } = await runWithFault(fault)
    expect(view.status).toBe('finished')
    expectAccounted(view)
    expect(uncertain.total).toBeGreaterThan(0)
    expect(uncertain.total).toBeLessThanOrEqual(50)
    expect(view.counts.succeeded + view.counts.uncertain).toBe(200)
    // The uncertain rows ran as often as the fault lets them (0 or 1), never twice.
    for (const row of uncertain.rows) expect(ran.get(row.ownerId) ?? 0).toBe(timesRun)
    expect([...ran.values()].every((n) => n === 1)).toBe(true)
    expect(ran.size).toBe(200 - (timesRun === 0 ? uncertain.total : 0))
    expect([...perRow.values()].every((n) => n === 1)).toBe(true)
    expect(uncertain.rows[0]?.errorCode).toBeTruthy()
  })

  it('refused connections are sent again only when nothing can have run', async () => {
    const { view, ran } = await runWithFault('refuse', { times: 3 })
    expect(view.status).toBe('finished')
    expectAccounted(view)
    expect([...ran.values()].every((n) => n === 1)).toBe(true)
    expect(view.counts.succeeded).toBe(ran.size)
  })
})
