// Pause, resume and cancel: no new sends once asked, batches in flight finish, and every row
// still ends with exactly one outcome.
import { existsSync } from 'node:fs'
import { readFile, utimes, writeFile } from 'node:fs/promises'
import { uptime } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { dealRows, executions, expectAccounted, outcomeRecords, range, rig, spec, type Rig } from './helpers'
import { lockHolder } from '../../../electron/core/runs/run-store'

let r: Rig | undefined
afterEach(async () => {
  await r?.close()
  r = undefined
})

describe('pause, resume, cancel', () => {
  it('pauses with batches in flight finishing, then resumes where it stopped', async () => {
    r = await rig({ deals: 400, triggerCostMs: 2 })
    const runs = r.manager()
    const { id } = await runs.createRun(spec(r, dealRows(range(1, 400)), { options: { maxInFlight: 2 } }))
    let asked = false
    const handle = await runs.start(id, {
      onProgress: (e) => {
        if (!asked && e.counts.succeeded >= 60) {
          asked = true
          void runs.pause(id)
        }
      }
    })
    const paused = await handle.done
    expect(paused.status).toBe('paused')
    expectAccounted(paused)
    expect(paused.counts.pending).toBeGreaterThan(0)
    expect(paused.counts.succeeded).toBe(executions(r.sandbox).size)
    expect((await runs.list())[0]?.status).toBe('paused')

    const view = await (await runs.resume(id)).done
    expect(view.status).toBe('finished')
    expect(view.counts.succeeded).toBe(400)
    const ran = executions(r.sandbox)
    expect([...ran.values()].every((n) => n === 1)).toBe(true)
    const journal = await readFile(join(r.dataDir, 'runs', id, 'journal.jsonl'), 'utf8')
    expect(journal).toMatch(/"state":"paused"/)
    expect(journal).toMatch(/"state":"resumed"/)
  })

  it('cancels: rows never sent become not-run and nothing else is sent', async () => {
    r = await rig({ deals: 400, triggerCostMs: 2 })
    const runs = r.manager()
    const { id } = await runs.createRun(spec(r, dealRows(range(1, 400)), { options: { maxInFlight: 2 } }))
    const handle = await runs.start(id, {
      onProgress: (e) => {
        if (e.counts.succeeded >= 60 && e.status === 'running') void runs.cancel(id)
      }
    })
    const view = await handle.done
    expect(view.status).toBe('cancelled')
    expectAccounted(view)
    expect(view.counts.pending).toBe(0)
    expect(view.counts['not-run']).toBeGreaterThan(0)
    expect(view.counts.succeeded).toBe(executions(r.sandbox).size)
    const perRow = await outcomeRecords(r.dataDir, id)
    expect(perRow.size).toBe(400)
    expect([...perRow.values()].every((n) => n === 1)).toBe(true)
    await expect(runs.resume(id)).rejects.toThrow(/cancelled/)
  })

  it('cancels a paused run without sending anything', async () => {
    r = await rig({ deals: 100 })
    const runs = r.manager()
    const { id } = await runs.createRun(spec(r, dealRows(range(1, 100), 'not_registered_yet')))
    const paused = await (await runs.start(id)).done
    expect(paused.status).toBe('paused')
    r.sandbox.addAppTrigger(r.sandbox.app.clientId, 'not_registered_yet', 'x')
    const view = await runs.cancel(id)
    expect(view.status).toBe('cancelled')
    expect(view.counts['not-run']).toBe(paused.counts.pending)
    expect(r.sandbox.ledger()).toHaveLength(0)
  })
})

describe('one writer per run', () => {
  it('refuses to start a run another live process holds, and takes over a dead one', async () => {
    r = await rig({ deals: 10 })
    const runs = r.manager()
    const { id } = await runs.createRun(spec(r, dealRows(range(1, 10))))
    const lock = join(r.dataDir, 'runs', id, 'run.lock')
    // The test runner's parent process is alive and is not us.
    await writeFile(lock, String(process.ppid))
    await expect(runs.start(id)).rejects.toMatchObject({ code: 'RUN_LOCKED', message: expect.stringMatching(/another process \(pid \d+/) })
    await expect(runs.cancel(id)).rejects.toMatchObject({ code: 'RUN_LOCKED' })
    expect((await runs.list())[0]?.status).toBe('running')
    expect((await runs.get(id)).status).toBe('running')
    // A crashed process leaves its lock behind: a pid that no longer exists.
    await writeFile(lock, '2147483646')
    const view = await (await runs.start(id)).done
    expect(view.status).toBe('finished')
    expect(existsSync(lock)).toBe(false)
  })

  it('takes over a lock written before the machine started, whatever its pid names now', async () => {
    r = await rig({ deals: 5 })
    const runs = r.manager()
    const { id } = await runs.createRun(spec(r, dealRows(range(1, 5))))
    const lock = join(r.dataDir, 'runs', id, 'run.lock')
    // After a reboot the old pid may belong to some unrelated live process (here: our parent).
    await writeFile(lock, String(process.ppid))
    const beforeBoot = (Date.now() - uptime() * 1000 - 3_600_000) / 1000
    await utimes(lock, beforeBoot, beforeBoot)
    expect((await runs.get(id)).status).toBe('ready')
    expect((await (await runs.start(id)).done).status).toBe('finished')
  })

  it('leaves alone a lock another process took over after this one stalled', async () => {
    r = await rig({ deals: 5 })
    const rig_ = r
    // A later generation of the lock (run-lock.ts): what a process that took over would write.
    const lockOf = (id: string): string => join(rig_.dataDir, 'runs', id, 'run.lock.99')
    let runId = ''
    // While its first batch is out, the lock is taken over (as a process that thought this one dead would).
    const runs = r.manager({ hooks: { afterIntent: () => writeFile(lockOf(runId), String(process.ppid)) } })
    runId = (await runs.createRun(spec(r, dealRows(range(1, 5)), { options: { maxInFlight: 1 } }))).id
    await (await runs.start(runId)).done
    expect(await readFile(lockOf(runId), 'utf8')).toBe(String(process.ppid))
    expect(await lockHolder(rig_.dataDir, runId)).toBe(process.ppid)
  })
})
