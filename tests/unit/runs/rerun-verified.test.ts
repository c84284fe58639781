// Re-runs that respect what verification saw (issue 11, item 3) and finishing a stopped run
// (item 2): uncertain rows seen to move are left out unless asked for, "unchanged" re-runs the
// rows that succeeded without moving, "not-run" sends what a cancel left, and a new run over rows
// a recent run already sent says so and can skip them. All over real HTTP against the sandbox.
import { afterEach, describe, expect, it } from 'vitest'
import { CODE, DEAL, dealRows, executions, range, rig, spec, type Rig } from './helpers'

let r: Rig | undefined
afterEach(async () => {
  await r?.close()
  r = undefined
})

/** Deals 1..6 at NEW (the trigger moves them to WON), 7..10 already WON (it leaves them). */
async function verifiedRig(): Promise<Rig> {
  const x = await rig({ deals: 6 })
  x.sandbox.generateItems(DEAL, 7, 4, 'WON')
  return x
}

describe('re-runs respect verification', () => {
  it('leaves uncertain rows seen to move out of "re-run uncertain" unless asked, and says how many', async () => {
    r = await verifiedRig()
    const runs = r.manager()
    // A deal already WON first: the one-row probe batch is it (uncertain, not moved); the next
    // batch holds deals at NEW (uncertain, seen to move).
    const { id } = await runs.createRun(spec(r, dealRows([7, 1, 2, 3, 8, 9, 10, 4, 5, 6]), { options: { verify: true, maxInFlight: 1 } }))
    // Request 0 reads the stages; the trigger batches after it run and then answer 500: uncertain.
    r.sandbox.addFaults([{ method: 'batch', fault: 'error500-after', after: 1, times: 2 }])
    const parent = await (await runs.start(id)).done
    r.sandbox.clearFaults()
    expect(parent.counts.uncertain).toBeGreaterThan(0)
    const { rows } = await runs.rows({ runId: id, offset: 0, limit: 100, outcome: 'uncertain' })
    const moved = rows.filter((row) => row.verification?.state === 'moved')
    const still = rows.filter((row) => row.verification?.state !== 'moved')
    expect(moved.length).toBeGreaterThan(0)
    expect(still.length).toBeGreaterThan(0)

    const preview = await runs.rerunPreview(id, 'failed+uncertain')
    expect(preview).toMatchObject({ rows: still.length, uncertain: still.length, movedLeftOut: moved.length, movedIncluded: 0 })
    const child = await runs.rerun(id, 'failed+uncertain')
    expect(child.counts.total).toBe(still.length)
    const childRows = await runs.rows({ runId: child.id, offset: 0, limit: 100 })
    expect(childRows.rows.map((row) => row.ownerId).sort((a, b) => a - b)).toEqual(still.map((row) => row.ownerId).sort((a, b) => a - b))

    const all = await runs.rerunPreview(id, 'failed+uncertain', { includeMoved: true })
    expect(all).toMatchObject({ rows: rows.length, movedLeftOut: 0, movedIncluded: moved.length })
    expect((await runs.rerun(id, 'failed+uncertain', { includeMoved: true })).counts.total).toBe(rows.length)
  })

  it('"re-run unchanged" takes the rows that succeeded but did not move', async () => {
    r = await verifiedRig()
    const runs = r.manager()
    const { id } = await runs.createRun(spec(r, dealRows(range(1, 10)), { options: { verify: true } }))
    const parent = await (await runs.start(id)).done
    expect(parent.counts.succeeded).toBe(10)
    expect(await runs.rerunPreview(id, 'unchanged')).toMatchObject({ rows: 4, unchanged: 4, movedIncluded: 0 })
    const child = await runs.rerun(id, 'unchanged')
    const childRows = await runs.rows({ runId: child.id, offset: 0, limit: 100 })
    expect(childRows.rows.map((row) => row.ownerId)).toEqual([7, 8, 9, 10])
    // An unverified run has nothing to call unchanged.
    const plain = await runs.createRun(spec(r, dealRows(range(1, 3))))
    await (await runs.start(plain.id)).done
    await expect(runs.rerun(plain.id, 'unchanged')).rejects.toThrow(/succeeded without moving/)
  })
})

describe('finishing a stopped run', () => {
  it('runs the rows a cancel left unsent, each exactly once overall', async () => {
    r = await rig({ deals: 300, triggerCostMs: 2 })
    const runs = r.manager()
    const { id } = await runs.createRun(spec(r, dealRows(range(1, 300)), { options: { maxInFlight: 2 } }))
    const handle = await runs.start(id, {
      onProgress: (e) => {
        if (e.counts.succeeded >= 40 && e.status === 'running') void runs.cancel(id)
      }
    })
    const cancelled = await handle.done
    expect(cancelled.status).toBe('cancelled')
    const notRun = cancelled.counts['not-run']
    expect(notRun).toBeGreaterThan(0)
    expect(await runs.rerunPreview(id, 'not-run')).toMatchObject({ rows: notRun, notRun })
    const rest = await runs.rerun(id, 'not-run')
    expect(rest.parentRunId).toBe(id)
    const done = await (await runs.start(rest.id)).done
    expect(done.counts.succeeded).toBe(notRun)
    const ran = executions(r.sandbox)
    expect(ran.size).toBe(300)
    expect([...ran.values()].every((n) => n === 1)).toBe(true)
  })

  it('finds the rows a recent run already sent, and skips them on request', async () => {
    r = await rig({ deals: 40 })
    const runs = r.manager()
    const first = await runs.createRun(spec(r, dealRows(range(1, 20))))
    await (await runs.start(first.id)).done
    // Reopening an overlapping file: 11..20 were sent, 21..40 were not.
    const overlapping = spec(r, dealRows(range(11, 40)))
    expect(await runs.overlapOfSpec(overlapping)).toMatchObject({ rows: 10, succeeded: 10, uncertain: 0, runs: [{ id: first.id, rows: 10 }] })
    // Another trigger code, or another portal, is not an overlap.
    expect(await runs.overlapOfSpec(spec(r, dealRows(range(11, 40), 'other_code')))).toBeUndefined()
    expect(await runs.overlapOfSpec({ ...overlapping, profile: { ...overlapping.profile, portalUrl: 'http://127.0.0.1:9' } })).toBeUndefined()

    const second = await runs.createRun(overlapping)
    expect(await runs.overlap(second.id)).toMatchObject({ rows: 10 })
    const skipped = await runs.skipDone(second.id)
    expect(skipped.counts).toMatchObject({ skipped: 10, pending: 20 })
    const done = await (await runs.start(second.id)).done
    expect(done.counts).toMatchObject({ succeeded: 20, skipped: 10 })
    const ran = executions(r.sandbox)
    expect([...ran.values()].every((n) => n === 1)).toBe(true)
    expect(ran.size).toBe(40)
    const why = await runs.rows({ runId: second.id, offset: 0, limit: 1, outcome: 'skipped' })
    expect(why.rows[0]).toMatchObject({ errorCode: 'ALREADY_DONE' })
    expect(why.rows[0]?.errorText).toContain(first.id)
    // Once finished, the question is settled (a paused run is compared again on resume).
    await expect(runs.overlap(second.id)).rejects.toThrow(/not finished/)
  })

  it('counts uncertain rows of a recent run as done: they may have run', async () => {
    r = await rig({ deals: 10 })
    const runs = r.manager()
    const first = await runs.createRun(spec(r, dealRows(range(1, 5))))
    r.sandbox.addFaults([{ method: 'batch', fault: 'error500-after', times: 10 }])
    await (await runs.start(first.id)).done
    r.sandbox.clearFaults()
    const overlap = await runs.overlapOfSpec(spec(r, dealRows(range(1, 10))))
    expect(overlap).toMatchObject({ rows: 5, uncertain: 5, succeeded: 0 })
    expect(CODE).toBe('go_won')
  })
})
