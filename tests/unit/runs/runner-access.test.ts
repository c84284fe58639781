// Access answers during a run: the incoming-webhook trigger's per-item "no permissions to update
// the entity" fails that row only (the user may own some items and not others), while an access
// answer that fails every row pauses the run, and the pause carries the portal's code and text
// (RunSummaryView / RunProgressEvent .pauseError), also when read back from the journal.
import { afterEach, describe, expect, it } from 'vitest'
import type { RunProgressEvent } from '../../../electron/shared/ipc'
import { classifyError } from '../../../electron/core/bitrix/classify'
import { webhookClient } from '../triggers/helpers'
import { CODE, DEAL, dealRows, expectAccounted, range, rig, spec, type Rig } from './helpers'

let r: Rig | undefined
afterEach(async () => {
  await r?.close()
  r = undefined
})

const WEBHOOK_CODE = 'wh_go'

describe('ACCESS_DENIED', () => {
  it('is per item for "no permissions to update the entity", run-fatal otherwise', () => {
    expect(classifyError('ACCESS_DENIED', 403, 'Access denied! There are no permissions to update the entity.')).toBe('definite')
    expect(classifyError('access_denied', 0, 'Access denied! There are no permissions to update the entity.')).toBe('definite')
    // The portal's own words (proxy.php), which the English docs reword.
    expect(classifyError('ACCESS_DENIED', 403, 'Access denied! There is no permissions to update the entity.')).toBe('definite')
    expect(classifyError('ACCESS_DENIED', 403, 'Access denied! Application context required')).toBe('run-fatal')
    expect(classifyError('ACCESS_DENIED', 403, 'Access denied! Admin permissions required')).toBe('run-fatal')
    expect(classifyError('ACCESS_DENIED', 403, '')).toBe('run-fatal')
  })

  it('a webhook-trigger run by a non-admin fails the items it may not change and runs the others', async () => {
    r = await rig({ deals: 20 })
    // Deals 21..25 belong to the webhook's user (2); 1..20 to the admin.
    r.sandbox.addItems(range(21, 25).map((id) => ({ entityTypeId: DEAL, id, title: `Deal ${id}`, stageId: 'NEW', assignedById: 2 })))
    r.sandbox.bindTrigger({ via: 'webhook', code: WEBHOOK_CODE, entityTypeId: DEAL, stageId: 'WON' })
    const hook = r.sandbox.userWebhookUrl
    const runs = r.manager({ clientFor: () => webhookClient(hook) })
    const { id } = await runs.createRun(
      spec(r, dealRows(range(1, 25), WEBHOOK_CODE), { profile: { id: 'p2', name: 'Manager hook', portalUrl: r.sandbox.url, kind: 'webhook' }, trigger: { kind: 'webhook', code: WEBHOOK_CODE } })
    )
    const view = await (await runs.start(id)).done
    expect(view.status).toBe('finished')
    expect(view.pauseError).toBeUndefined()
    expectAccounted(view)
    expect(view.counts).toMatchObject({ succeeded: 5, failed: 20, pending: 0 })
    const failed = await runs.rows({ runId: id, offset: 0, limit: 50, outcome: 'failed' })
    expect(new Set(failed.rows.map((row) => row.ownerId))).toEqual(new Set(range(1, 20)))
    expect(failed.rows[0]).toMatchObject({ errorCode: 'ACCESS_DENIED', errorText: 'Access denied! There is no permissions to update the entity.' })
    expect(r.sandbox.ledger().map((e) => e.ownerId).sort((a, b) => a - b)).toEqual(range(21, 25))
  })

  it('pauses a run on an answer that would fail every row, with the code and the portal text', async () => {
    r = await rig({ deals: 30 })
    // App triggers through an incoming webhook: "Application context required" for every row.
    const hook = r.sandbox.adminWebhookUrl
    const events: RunProgressEvent[] = []
    const runs = r.manager({ clientFor: () => webhookClient(hook) })
    const { id } = await runs.createRun(spec(r, dealRows(range(1, 30))))
    const view = await (await runs.start(id, { onProgress: (e) => events.push(e) })).done
    expect(view.status).toBe('paused')
    const expected = {
      code: 'ACCESS_DENIED',
      kind: 'run-fatal',
      message: 'A webhook cannot run app triggers. Use a profile signed in through the local app (OAuth).',
      portalText: 'Access denied! Application context required'
    }
    expect(view.pauseReason).toBe(expected.message)
    expect(view.pauseError).toEqual(expected)
    expect(events.at(-1)).toMatchObject({ status: 'paused', pauseReason: expected.message, pauseError: expected })
    // Read back from the journal by another manager (the CLI, or the app after a restart).
    const reread = await r.manager().get(id)
    expect(reread.pauseError).toEqual(expected)
    expect(r.sandbox.ledger()).toHaveLength(0)
  })

  it('carries the empty-code answer of an unregistered trigger with its text', async () => {
    r = await rig({ deals: 5 })
    const runs = r.manager()
    const { id } = await runs.createRun(spec(r, dealRows(range(1, 5), 'nope'), { trigger: { kind: 'app', code: 'nope' } }))
    const view = await (await runs.start(id)).done
    expect(view.status).toBe('paused')
    expect(view.pauseError).toMatchObject({ code: '', kind: 'run-fatal', portalText: 'Trigger with code nope is not registered.' })
    // A run paused by the user has no error to show.
    const clean = await runs.createRun(spec(r, dealRows(range(1, 5), CODE)))
    const started = await runs.start(clean.id)
    const paused = await runs.pause(clean.id)
    await started.done
    expect(paused.pauseError).toBeUndefined()
  })
})
