import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { RunProgressEvent } from '../../../electron/shared/ipc'
import { CODE, DEAL, dealRows, executions, expectAccounted, outcomeRecords, range, rig, spec, type Rig } from './helpers'

let r: Rig | undefined
afterEach(async () => {
  await r?.close()
  r = undefined
})

describe('runner against the sandbox', () => {
  it('fires every valid row once, skips the skipped ones, and journals one outcome per row', async () => {
    r = await rig({ deals: 300 })
    const runs = r.manager()
    const rows = [...dealRows(range(1, 300)), { line: 400, ownerTypeId: DEAL, ownerId: 0, code: CODE, verdict: 'not-integer' as const }]
    const created = await runs.createRun(spec(r, rows))
    expect(created.status).toBe('ready')
    expect(created.counts).toMatchObject({ total: 301, pending: 300, skipped: 1 })

    const events: RunProgressEvent[] = []
    const startedAt = Date.now()
    const { done } = await runs.start(created.id, { onProgress: (e) => events.push(e) })
    const view = await done
    const seconds = (Date.now() - startedAt) / 1000
    expect(view.status).toBe('finished')
    expect(view.counts).toMatchObject({ total: 301, succeeded: 300, skipped: 1, pending: 0, failed: 0, uncertain: 0 })
    expectAccounted(view)

    const ran = executions(r.sandbox)
    expect(ran.size).toBe(300)
    expect([...ran.values()].every((n) => n === 1)).toBe(true)
    expect(r.sandbox.getItem(DEAL, 150)?.stageId).toBe('WON')

    const perRow = await outcomeRecords(r.dataDir, created.id)
    expect(perRow.size).toBe(300)
    expect([...perRow.values()].every((n) => n === 1)).toBe(true)

    expect(events.at(-1)?.status).toBe('finished')
    expect(events.at(-1)?.counts.succeeded).toBe(300)
    // At most ten events a second, plus the forced first and last.
    expect(events.length).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 2)

    const listed = await runs.list()
    expect(listed.map((v) => v.id)).toEqual([created.id])
    expect(listed[0]?.status).toBe('finished')

    const skipped = await runs.rows({ runId: created.id, offset: 0, limit: 5, outcome: 'skipped' })
    expect(skipped.rows[0]).toMatchObject({ line: 400, errorCode: 'not-integer' })

    const out = join(r.dataDir, 'results.json')
    expect(await runs.export(created.id, 'json', out)).toEqual({ rows: 301, sourceColumns: false })
    const exported = JSON.parse(await readFile(out, 'utf8')) as { outcome: string }[]
    expect(exported.filter((row) => row.outcome === 'succeeded')).toHaveLength(300)
    expect(exported.filter((row) => row.outcome === 'skipped')).toHaveLength(1)
  })

  it('sorts per-row answers: portal errors fail their row only; unknown items still succeed', async () => {
    r = await rig({ deals: 40 })
    const runs = r.manager()
    const rows = [
      ...dealRows(range(1, 30)),
      { line: 50, ownerTypeId: 999, ownerId: 5, code: CODE, verdict: 'valid' as const },
      { line: 51, ownerTypeId: DEAL, ownerId: 5000, code: CODE, verdict: 'valid' as const }
    ]
    const { id } = await runs.createRun(spec(r, rows))
    const view = await (await runs.start(id)).done
    expect(view.status).toBe('finished')
    expect(view.counts).toMatchObject({ succeeded: 31, failed: 1 })
    const failed = await runs.rows({ runId: id, offset: 0, limit: 10, outcome: 'failed' })
    expect(failed.total).toBe(1)
    expect(failed.rows[0]).toMatchObject({ line: 50, ownerTypeId: 999, outcome: 'failed', errorCode: '', attempts: 1 })
    expect(failed.rows[0]?.errorText).toMatch(/OWNER_TYPE_ID/)
    const search = await runs.rows({ runId: id, offset: 0, limit: 10, search: '5000' })
    expect(search.rows.map((row) => row.ownerId)).toEqual([5000])
  })

  it('pauses after the first batch when the trigger is not registered, instead of failing every row', async () => {
    r = await rig({ deals: 500 })
    const runs = r.manager()
    const { id } = await runs.createRun(spec(r, dealRows(range(1, 500), 'never_registered')))
    const view = await (await runs.start(id)).done
    expect(view.status).toBe('paused')
    expect(view.pauseReason).toMatch(/not registered/)
    expect(view.counts.failed).toBeLessThanOrEqual(1)
    expect(view.counts.pending).toBeGreaterThanOrEqual(499)
    expect(r.sandbox.ledger()).toHaveLength(0)
    expect((await runs.get(id)).status).toBe('paused')
  })

  it('verifies stages before and after: moved, unchanged, not found', async () => {
    r = await rig({ deals: 60 })
    r.sandbox.generateItems(DEAL, 100, 5, 'WON')
    const runs = r.manager()
    const rows = dealRows([...range(1, 60), ...range(100, 104), 9999])
    const { id } = await runs.createRun(spec(r, rows, { options: { verify: true } }))
    const view = await (await runs.start(id)).done
    expect(view.status).toBe('finished')
    const page = await runs.rows({ runId: id, offset: 0, limit: 100 })
    const byOwner = new Map(page.rows.map((row) => [row.ownerId, row.verification]))
    expect(byOwner.get(1)).toEqual({ state: 'moved', from: 'NEW', to: 'WON' })
    expect(byOwner.get(60)).toEqual({ state: 'moved', from: 'NEW', to: 'WON' })
    expect(byOwner.get(100)).toEqual({ state: 'unchanged', stage: 'WON' })
    expect(byOwner.get(9999)).toEqual({ state: 'not-found' })
  })

  it('re-runs only the failed rows, referencing the parent', async () => {
    r = await rig({ deals: 20 })
    const runs = r.manager()
    const rows = [...dealRows(range(1, 10)), { line: 90, ownerTypeId: 999, ownerId: 3, code: CODE, verdict: 'valid' as const }]
    const { id } = await runs.createRun(spec(r, rows))
    await (await runs.start(id)).done
    const child = await runs.rerun(id, 'failed')
    expect(child.parentRunId).toBe(id)
    expect(child.counts).toMatchObject({ total: 1, pending: 1 })
    await expect(runs.start(id)).rejects.toThrow(/finished/)
  })

  it('never writes a token, a client secret or a webhook secret to disk', async () => {
    r = await rig({ deals: 30 })
    const runs = r.manager()
    const { id } = await runs.createRun(spec(r, dealRows(range(1, 30)), { options: { verify: true } }))
    r.sandbox.expireAccessTokens()
    const view = await (await runs.start(id)).done
    expect(view.status).toBe('finished')
    const secrets = [r.credentials.accessToken, r.credentials.refreshToken, r.credentials.clientSecret, r.sandbox.adminWebhookUrl.split('/')[5] as string]
    expect(r.persisted).toBe(1)
    const files = await readdir(join(r.dataDir, 'runs', id))
    expect(files).toEqual(expect.arrayContaining(['run.json', 'journal.jsonl']))
    for (const f of files) {
      const text = await readFile(join(r.dataDir, 'runs', id, f), 'utf8')
      for (const s of secrets) expect(text).not.toContain(s)
    }
  })
})
