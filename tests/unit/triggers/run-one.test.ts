// One trigger by hand (core's runOneTrigger, behind both the app's "Run one" and `run --id`),
// against the sandbox portal: verification before/after, local refusals, portal refusals with
// their class, and the per-item permission answer of incoming-webhook triggers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NOT_VERIFIED, runOneTrigger } from '../../../electron/core/triggers/run-one'
import { createTriggerService, type TriggerService } from '../../../electron/core/triggers/trigger-service'
import { SEED_TRIGGERS, startSandbox, type Sandbox } from '../../../sandbox/index'
import { oauthClient, webhookClient } from './helpers'

let sandbox: Sandbox
let app: TriggerService
let userHook: TriggerService

beforeAll(async () => {
  sandbox = await startSandbox({ rate: false, operating: false, triggerCostMs: 0 })
  app = createTriggerService(oauthClient(sandbox), { scopes: ['crm'] })
  await app.ownerTypes()
  userHook = createTriggerService(webhookClient(sandbox.userWebhookUrl))
})

afterAll(async () => {
  await sandbox.close()
})

const deal = (ownerId: number, extra: { code?: string; verify?: boolean } = {}) =>
  ({ kind: 'app', code: SEED_TRIGGERS.dealWon, ownerTypeId: 2, ownerId, verify: true, ...extra }) as const

describe('stage reads as a user with restricted rights', () => {
  it('leave out the items the user may not read, so the verification says "not found or not visible"', async () => {
    // Deals 8 and 9 are closed to other users; deal 10 is this user's own.
    const read = await userHook.readStageDetails(2, [8, 10])
    expect(read.stages.get(10)).toBe('WON')
    // Asked for and not in the answer: the item's stage is unknown, as for an ID that does not exist.
    expect(read.stages.has(8)).toBe(true)
    expect(read.stages.get(8)).toBeUndefined()
    expect(read.failed.size).toBe(0)
    const { formatVerification } = await import('../../../electron/cli/format')
    expect(formatVerification({ state: 'not-found' })).toBe('not found or not visible to this user')
  })
})

describe('runOneTrigger', () => {
  it('fires an app trigger and reads the stage before and after', async () => {
    const before = sandbox.getItem(2, 6)?.stageId
    const done = await runOneTrigger(app, deal(6))
    expect(done).toMatchObject({ outcome: 'succeeded', verification: { state: 'moved', from: before, to: 'WON' }, warnings: [] })
    expect(done.timing?.wallMs).toBeGreaterThanOrEqual(0)
    // Again: result true, nothing moved.
    expect((await runOneTrigger(app, deal(6))).verification).toEqual({ state: 'unchanged', stage: 'WON' })
    // An ID the portal does not have: still `true` from the portal.
    expect(await runOneTrigger(app, deal(987_654))).toMatchObject({ outcome: 'succeeded', verification: { state: 'not-found' } })
  })

  it('refuses locally what the portal would answer true to, and sends nothing', async () => {
    const requests = sandbox.stats().requests
    const done = await runOneTrigger(app, { ...deal(3), ownerTypeId: 8 })
    expect(done).toMatchObject({ outcome: 'skipped', error: { code: 'INVALID_ARGUMENT', kind: 'definite' } })
    expect(done.message).toMatch(/no automation triggers: the portal would answer true and do nothing/)
    expect(done.timing).toBeUndefined()
    expect(sandbox.stats().requests).toBe(requests)
  })

  it('warns instead of verifying a type without stages, and names the fan-out', async () => {
    const done = await runOneTrigger(app, { ...deal(1), ownerTypeId: 3 })
    expect(done.outcome).toBe('succeeded')
    expect(done.verification).toBeUndefined()
    expect(done.warnings).toEqual([expect.stringMatching(/ONE linked deal/), NOT_VERIFIED])
  })

  it('reports a portal refusal with its class and words', async () => {
    const done = await runOneTrigger(app, deal(2, { code: 'never_registered', verify: false }))
    expect(done).toMatchObject({ outcome: 'failed', error: { code: '', kind: 'run-fatal' }, message: expect.stringMatching(/not registered/) })
  })

  it('gives a webhook trigger on an item the user may not change a definite failure, not a run-fatal one', async () => {
    const input = { kind: 'webhook', code: SEED_TRIGGERS.webhookPrep, ownerTypeId: 2, verify: false } as const
    const denied = await runOneTrigger(userHook, { ...input, ownerId: 9 })
    expect(denied).toMatchObject({
      outcome: 'failed',
      error: { code: 'ACCESS_DENIED', kind: 'definite', description: 'Access denied! There is no permissions to update the entity.' },
      message: 'The user has no permission to change this item.'
    })
    // Deal 10 is assigned to this user: allowed.
    expect((await runOneTrigger(userHook, { ...input, ownerId: 10 })).outcome).toBe('succeeded')
    const fired = sandbox.ledger().filter((e) => e.via === 'webhook' && e.code === SEED_TRIGGERS.webhookPrep)
    expect(fired.map((e) => e.ownerId)).toEqual([10])
  })
})
