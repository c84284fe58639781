// The trigger service against the sandbox portal over real HTTP: every documented error of
// add/list/delete/execute surfaced with its code, kind and plain message; webhook vs app
// context; owner types with SPAs; stage reads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createBitrixClient } from '../../../electron/core/bitrix/client'
import { BitrixError } from '../../../electron/core/bitrix/errors'
import { createTriggerService, TriggerInputError, type TriggerService } from '../../../electron/core/triggers/trigger-service'
import { validateTriggerCode } from '../../../electron/core/triggers/validation'
import { SEED_TRIGGERS, startSandbox, type Sandbox } from '../../../sandbox/index'
import { oauthClient, oauthCredentials, webhookClient } from './helpers'

let sandbox: Sandbox
let app: TriggerService
let adminHook: TriggerService
let userHook: TriggerService

beforeAll(async () => {
  sandbox = await startSandbox({ rate: false, operating: false, triggerCostMs: 0 })
  app = createTriggerService(oauthClient(sandbox), { scopes: ['crm'] })
  adminHook = createTriggerService(webhookClient(sandbox.adminWebhookUrl))
  userHook = createTriggerService(webhookClient(sandbox.userWebhookUrl))
})

afterAll(async () => {
  await sandbox.close()
})

async function thrown(promise: Promise<unknown>): Promise<BitrixError> {
  try {
    await promise
  } catch (err) {
    expect(err).toBeInstanceOf(BitrixError)
    return err as BitrixError
  }
  throw new Error('expected a rejection')
}

describe('list / add / remove', () => {
  it('lists only the calling app\'s triggers', async () => {
    const codes = (await app.list()).map((t) => t.code)
    expect(codes).toEqual(expect.arrayContaining([SEED_TRIGGERS.dealWon, SEED_TRIGGERS.leadHot]))
    const other = createTriggerService(oauthClient(sandbox, { clientId: sandbox.otherApp.clientId }))
    expect((await other.list()).map((t) => t.code)).not.toContain(SEED_TRIGGERS.dealWon)
  })

  it('registers a trigger, and registering the same code again renames it', async () => {
    await app.add('svc_new', 'First name')
    await app.add('svc_new', 'Second name')
    const found = (await app.list()).filter((t) => t.code === 'svc_new')
    expect(found).toEqual([{ code: 'svc_new', name: 'Second name' }])
  })

  it('warns about an uppercase code but registers it', async () => {
    const { warnings } = await app.add('Svc_Upper', 'Upper')
    expect(warnings.map((w) => w.code)).toEqual(['code-not-lowercase'])
    expect((await app.list()).map((t) => t.code)).toContain('Svc_Upper')
  })

  it('rejects invalid input locally and sends nothing', async () => {
    const before = sandbox.stats().requests
    const cases: Array<[string, string, string]> = [
      ['', 'x', 'code-empty'],
      ['0', 'x', 'code-zero'],
      ['bad code!', 'x', 'code-chars'],
      ['ok_code', '  ', 'name-empty']
    ]
    for (const [code, name, expected] of cases) {
      const err = await thrown(app.add(code, name))
      expect(err).toBeInstanceOf(TriggerInputError)
      expect((err as TriggerInputError).issues.map((i) => i.code)).toContain(expected)
      expect(err.kind).toBe('definite')
    }
    await expect(app.remove('bad/code')).rejects.toBeInstanceOf(TriggerInputError)
    expect(sandbox.stats().requests).toBe(before)
  })

  it('removes a trigger; removing it again surfaces "Trigger not found"', async () => {
    await app.add('svc_gone', 'Gone')
    await app.remove('svc_gone')
    expect((await app.list()).map((t) => t.code)).not.toContain('svc_gone')
    const err = await thrown(app.remove('svc_gone'))
    expect(err.info).toMatchObject({ code: '', description: 'Trigger not found', status: 400, kind: 'definite' })
  })

  it('surfaces the access errors of every app-trigger method', async () => {
    const nonAdmin = createTriggerService(oauthClient(sandbox, { userId: 2 }))
    const noCrm = createTriggerService(oauthClient(sandbox, { userId: 3 }))
    const calls: Array<[TriggerService, string, string, number]> = [
      [adminHook, 'ACCESS_DENIED', 'Access denied! Application context required', 403],
      [nonAdmin, 'ACCESS_DENIED', 'Access denied! Admin permissions required', 403],
      [noCrm, '', 'Access denied.', 400]
    ]
    for (const [service, code, description, status] of calls) {
      for (const attempt of [service.list(), service.add('x_1', 'X'), service.remove('x_1')]) {
        const err = await thrown(attempt)
        expect(err.info).toEqual({ code, description, status, kind: 'run-fatal' })
      }
      const result = await service.execute({ code: SEED_TRIGGERS.dealWon, ownerTypeId: 2, ownerId: 1 })
      expect(result.ok).toBe(false)
      if (!result.ok) expect(result.error).toEqual({ code, description, status, kind: 'run-fatal' })
    }
    // A webhook user's admin status is checked before the app context (reference §1.1).
    const err = await thrown(userHook.list())
    expect(err.description).toBe('Access denied! Admin permissions required')
  })

  it('uses the same CODE rules as the portal', async () => {
    const raw = oauthClient(sandbox)
    for (const code of ['ok', 'a.b-c_d', 'UPPER', 'with space', 'кириллица', 'semi;colon', '0', '00', 'a/b']) {
      const localOk = validateTriggerCode(code).length === 0
      let portalOk = true
      try {
        await raw.call('crm.automation.trigger.add', { CODE: code, NAME: 'parity' })
      } catch (err) {
        portalOk = false
        expect((err as BitrixError).description).toMatch(/^(Empty|Wrong) trigger code!$/)
      }
      expect({ code, ok: localOk }).toEqual({ code, ok: portalOk })
    }
  })
})

describe('execute (app triggers)', () => {
  it('fires a trigger and reports the portal\'s timings', async () => {
    expect(sandbox.getItem(2, 1)?.stageId).toBe('NEW')
    const result = await app.execute({ code: SEED_TRIGGERS.dealWon, ownerTypeId: 'deal', ownerId: '1' })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.request).toEqual({ method: 'crm.automation.trigger.execute', params: { CODE: 'deal_won', OWNER_TYPE_ID: 2, OWNER_ID: 1 } })
    expect(result.time.wallMs).toBeGreaterThanOrEqual(0)
    expect(typeof result.time.duration).toBe('number')
    expect(typeof result.time.processing).toBe('number')
    expect(sandbox.getItem(2, 1)?.stageId).toBe('WON')
  })

  it('surfaces "not registered" as a run-fatal error with the code in the text', async () => {
    const result = await app.execute({ code: 'never_added', ownerTypeId: 2, ownerId: 2 })
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error).toEqual({ code: '', description: 'Trigger with code never_added is not registered.', status: 400, kind: 'run-fatal' })
    expect(result.message).toMatch(/not registered by this app/)
  })

  it('surfaces "Incorrect parameter OWNER_TYPE_ID." for an SPA id the portal does not have', async () => {
    // Offline, 150 may be an SPA: a warning, so it is sent, and the portal says no.
    const result = await app.execute({ code: SEED_TRIGGERS.dealWon, ownerTypeId: 150, ownerId: 1 })
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.issues.map((i) => i.code)).toEqual(['owner-type-unverified'])
    expect(result.error).toEqual({ code: '', description: 'Incorrect parameter OWNER_TYPE_ID.', status: 400, kind: 'definite' })
  })

  it('rejects what the portal would silently accept, without sending it', async () => {
    const before = sandbox.ledger().length
    for (const [ownerTypeId, ownerId, expected] of [
      [6, 1, 'owner-type-unsupported'],
      [8, 1, 'owner-type-unsupported'],
      [2, 0, 'owner-id-not-positive'],
      [2, '12.5', 'owner-id-not-integer'],
      [2, 2_147_483_648, 'owner-id-too-large'],
      [999, 1, 'owner-type-unknown']
    ] as const) {
      const result = await app.execute({ code: SEED_TRIGGERS.dealWon, ownerTypeId, ownerId })
      expect(result.ok).toBe(false)
      if (result.ok) continue
      expect(result.error.code).toBe('INVALID_ARGUMENT')
      expect(result.issues.map((i) => i.code)).toContain(expected)
      expect(result.request).toBeUndefined()
    }
    expect(sandbox.ledger().length).toBe(before)
  })

  it('fans out from a contact with a warning', async () => {
    sandbox.clearLedger()
    const result = await app.execute({ code: SEED_TRIGGERS.dealWon, ownerTypeId: 3, ownerId: 2 })
    expect(result.ok).toBe(true)
    if (result.ok) expect(result.warnings.map((w) => w.code)).toEqual(['owner-type-fan-out'])
    // Contact 2 owns deals 4 and 5: ONE moves, the most recently modified one in progress (5).
    expect(sandbox.getItem(2, 4)?.stageId).toBe('NEW')
    expect(sandbox.getItem(2, 5)?.stageId).toBe('WON')
  })

  it('answers true for an item that does not exist (which is why verification exists)', async () => {
    const result = await app.execute({ code: SEED_TRIGGERS.dealWon, ownerTypeId: 2, ownerId: 987654 })
    expect(result.ok).toBe(true)
  })
})

describe('incoming-webhook triggers', () => {
  it('fires with target TYPENAME_ID through a webhook', async () => {
    sandbox.clearLedger()
    const result = await adminHook.fireWebhookTrigger({ code: SEED_TRIGGERS.webhookPrep, typeName: 'deal', ownerId: 2 })
    expect(result.ok).toBe(true)
    if (result.ok) expect(result.request.params).toEqual({ target: 'DEAL_2', code: 'wh_prep' })
    expect(sandbox.ledger()).toMatchObject([{ via: 'webhook', code: 'wh_prep', ownerTypeId: 2, ownerId: 2 }])
    expect(sandbox.getItem(2, 2)?.stageId).toBe('PREPARATION')
  })

  it('works through an app as well', async () => {
    const result = await app.fireWebhookTrigger({ code: SEED_TRIGGERS.webhookPrep, ownerTypeId: 2, ownerId: 3 })
    expect(result.ok).toBe(true)
  })

  it('surfaces the permission error for an item the user may not change', async () => {
    const denied = await userHook.fireWebhookTrigger({ code: SEED_TRIGGERS.webhookPrep, ownerTypeId: 2, ownerId: 6 })
    expect(denied.ok).toBe(false)
    if (!denied.ok) {
      expect(denied.error).toMatchObject({ code: 'ACCESS_DENIED', description: 'Access denied! There is no permissions to update the entity.' })
      expect(denied.message).toBe('The user has no permission to change this item.')
    }
    // Deal 10 is assigned to that user.
    expect((await userHook.fireWebhookTrigger({ code: SEED_TRIGGERS.webhookPrep, ownerTypeId: 2, ownerId: 10 })).ok).toBe(true)
  })

  it('fires on a smart invoice: the portal splits SMART_INVOICE_2 on its last "_"', async () => {
    sandbox.bindTrigger({ via: 'webhook', code: 'wh_inv', entityTypeId: 31, stageId: 'DT31_1:P' })
    const result = await adminHook.fireWebhookTrigger({ code: 'wh_inv', ownerTypeId: 'SMART_INVOICE', ownerId: 2 })
    expect(result.ok).toBe(true)
    expect(sandbox.getItem(31, 2)?.stageId).toBe('DT31_1:P')
  })

  it('refuses smart processes (webhook triggers do nothing there) before sending', async () => {
    const before = sandbox.stats().requests
    for (const ownerType of ['DYNAMIC_177', 177]) {
      const result = await adminHook.fireWebhookTrigger({ code: 'x', ownerTypeId: ownerType, ownerId: 1 })
      expect(result.ok).toBe(false)
      if (!result.ok) expect(result.issues.map((i) => i.code)).toContain('owner-type-target-unsupported')
    }
    expect(sandbox.stats().requests).toBe(before)
  })
})

describe('checkConnection', () => {
  it('an OAuth admin can run both kinds of trigger', async () => {
    const report = await app.checkConnection()
    expect(report).toMatchObject({
      ok: true,
      user: { id: 1, name: 'Sandbox Admin', isAdmin: true },
      appContext: true,
      scopes: ['crm'],
      canRunAppTriggers: true,
      canRunWebhookTriggers: true
    })
  })

  it('an admin webhook can run webhook triggers only, and says why', async () => {
    const report = await adminHook.checkConnection()
    expect(report).toMatchObject({ ok: true, isAdmin: true, appContext: false, canRunAppTriggers: false, canRunWebhookTriggers: true })
    if (report.ok) expect(report.message).toMatch(/webhook cannot run them/)
  })

  it('a non-admin app user cannot run app triggers', async () => {
    const report = await createTriggerService(oauthClient(sandbox, { userId: 2 })).checkConnection()
    expect(report).toMatchObject({ ok: true, isAdmin: false, appContext: true, canRunAppTriggers: false, canRunWebhookTriggers: true })
    if (report.ok) expect(report.message).toMatch(/administrator/)
  })

  it('a webhook without the crm scope can run nothing', async () => {
    const report = await createTriggerService(webhookClient(sandbox.noCrmWebhookUrl)).checkConnection()
    expect(report).toMatchObject({ ok: true, canRunAppTriggers: false, canRunWebhookTriggers: false })
    if (report.ok) expect(report.message).toMatch(/scope "crm"/)
  })

  it('a wrong webhook secret is reported, not thrown', async () => {
    const wrong = sandbox.adminWebhookUrl.replace(/\/[^/]+\/$/, '/0000000000000000/')
    const report = await createTriggerService(webhookClient(wrong)).checkConnection()
    expect(report).toMatchObject({ ok: false, error: { code: 'INVALID_CREDENTIALS', kind: 'run-fatal' } })
    if (!report.ok) expect(report.message).not.toContain('0000000000000000')
  })
})

describe('owner types', () => {
  it('reads SPAs with their automation settings as an admin', async () => {
    const catalog = await app.ownerTypes()
    expect(catalog).toMatchObject({ source: 'portal', spaSettingsKnown: true })
    const byId = new Map(catalog.types.map((t) => [t.id, t]))
    expect(byId.get(177)).toMatchObject({ name: 'Projects', symbol: 'DYNAMIC_177', short: 'Tb1', isSmartProcess: true, supportsTriggers: true })
    expect(byId.get(156)).toMatchObject({ name: 'Contracts', isSmartProcess: true, supportsTriggers: false })
    expect(byId.get(2)).toMatchObject({ supportsTriggers: true, fanOut: false })
    expect(byId.get(3)).toMatchObject({ supportsTriggers: false, fanOut: true })
  })

  it('then refuses an SPA with automation off, and accepts one with it on', async () => {
    await app.ownerTypes()
    const off = await app.execute({ code: SEED_TRIGGERS.spaDone, ownerTypeId: 'Contracts', ownerId: 1 })
    expect(off.ok).toBe(false)
    if (!off.ok) expect(off.issues.map((i) => i.code)).toEqual(['owner-type-spa-disabled'])
    const on = await app.execute({ code: SEED_TRIGGERS.spaDone, ownerTypeId: 'Tb1', ownerId: 1 })
    expect(on.ok).toBe(true)
    expect(sandbox.getItem(177, 1)?.stageId).toBe('DT177_1:SUCCESS')
  })

  it('degrades to the enum with a note when crm.type.list is denied', async () => {
    const nonAdmin = createTriggerService(oauthClient(sandbox, { userId: 2 }))
    const catalog = await nonAdmin.ownerTypes()
    expect(catalog.spaSettingsKnown).toBe(false)
    expect(catalog.note).toMatch(/crm\.type\.list/)
    expect(catalog.types.find((t) => t.id === 156)).toMatchObject({ isSmartProcess: true, name: 'Contracts' })
    const result = await nonAdmin.execute({ code: 'any', ownerTypeId: 156, ownerId: 1 })
    // Sent (only a warning locally); the portal then refuses the non-admin.
    if (!result.ok) expect(result.issues.map((i) => i.code)).toEqual(['owner-type-spa-unverified'])
    expect(result.ok ? undefined : result.error.description).toBe('Access denied! Admin permissions required')
  })
})

describe('stage reads', () => {
  it('reads stages in batches and marks missing items', async () => {
    sandbox.generateItems(1, 1000, 120, 'NEW')
    const ids = [...Array.from({ length: 120 }, (_, i) => 1000 + i), 5000, 5001]
    const batches: number[] = []
    const client = createBitrixClient({ credentials: oauthCredentials(sandbox) })
    const stages = await app.readStages(1, ids, async (commands) => {
      batches.push(commands.length)
      return client.batch(commands)
    })
    expect(batches).toEqual([3])
    expect(stages.size).toBe(122)
    expect(stages.get(1000)).toBe('NEW')
    expect(stages.get(1119)).toBe('NEW')
    expect(stages.has(5000)).toBe(true)
    expect(stages.get(5000)).toBeUndefined()
  })

  it('uses the service client by default, through a webhook too', async () => {
    const stages = await adminHook.readStages(2, [1, 2, 424242])
    expect(stages.get(1)).toBe('WON')
    expect(stages.get(2)).toBe('PREPARATION')
    expect(stages.get(424242)).toBeUndefined()
  })

  it('never turns a failed read into "not found"', async () => {
    const noCrm = createTriggerService(webhookClient(sandbox.noCrmWebhookUrl))
    const details = await noCrm.readStageDetails(2, [1, 2])
    expect(details.stages.size).toBe(0)
    expect(details.failed.get(1)).toMatchObject({ code: 'insufficient_scope' })
    await expect(noCrm.readStages(2, [1])).rejects.toMatchObject({ code: 'insufficient_scope' })
  })
})
