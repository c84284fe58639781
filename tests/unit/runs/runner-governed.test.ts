// Every request around a run goes through the governors the run paces by: owner-type lookups
// just before a run (crm.enum.ownertype, crm.type.list) take their tokens from the same bucket,
// so the run never draws a 503 the governors could have foreseen.
import { afterEach, describe, expect, it } from 'vitest'
import { createTriggerService } from '../../../electron/core/triggers/trigger-service'
import { dealRows, executions, range, rig, spec, type Rig } from './helpers'

let r: Rig | undefined
afterEach(async () => {
  await r?.close()
  r = undefined
})

describe('lookups through the run governors', () => {
  it('owner-type lookups before a run spend the governed bucket, and the run draws no 503', async () => {
    // A small bucket that barely drains: two lookups take two of its four tokens.
    const rate = { burst: 4, drainPerSec: 0.5 }
    r = await rig({ deals: 100, rate })
    const runs = r.manager()
    // The portal's plan is known (as the CLI knows the profile's): the lookups pace by it.
    const service = createTriggerService(runs.governed('p1', r.client(), rate), { scopes: ['crm'] })
    const catalog = await service.ownerTypes()
    expect(catalog.source).toBe('portal')
    expect(r.sandbox.stats().requests).toBe(2)
    const { id } = await runs.createRun(spec(r, dealRows(range(1, 100)), { options: { plan: 'custom', rate } }))
    const view = await (await runs.start(id)).done
    expect(view.status).toBe('finished')
    expect(view.counts.succeeded).toBe(100)
    expect(r.sandbox.stats().rejected503).toBe(0)
    expect(executions(r.sandbox).size).toBe(100)
  })

  it('a governed lookup waits for a token rather than draw a 503', async () => {
    const rate = { burst: 2, drainPerSec: 5 }
    r = await rig({ deals: 1, rate })
    const runs = r.manager()
    const client = runs.governed('p1', r.client(), rate)
    for (let i = 0; i < 6; i++) await client.call('profile')
    expect(r.sandbox.stats().rejected503).toBe(0)
  })

  it('a governed call whose bucket another process drained waits and goes again after the 503', async () => {
    const rate = { burst: 2, drainPerSec: 5 }
    r = await rig({ deals: 1, rate })
    // Another process (a CLI run just before) spends the portal's bucket behind our governors.
    const other = r.client()
    await Promise.allSettled([other.call('profile'), other.call('profile'), other.call('profile')])
    const before = r.sandbox.stats().rejected503
    const client = r.manager().governed('p1', r.client(), rate)
    const answer = await client.call('profile')
    expect(answer.result).toBeDefined()
    // It was refused at least once (nothing ran), learned, and succeeded without the caller seeing it.
    expect(r.sandbox.stats().rejected503).toBeGreaterThan(before)
    const batch = await client.batch([{ label: 'a', method: 'profile', params: {} }])
    expect(batch.items).toHaveLength(1)
  })

  it('a call whose method budget is spent (a run uses it) fails at once with the reason, sending nothing', async () => {
    r = await rig({ deals: 1 })
    const runs = r.manager()
    const client = runs.governed('p1', r.client())
    // The portal blocked the method for the rest of its window (429): the governor knows it.
    const limits = { rate: { burst: 50, drainPerSec: 2 }, operating: { limitSec: 480, windowSec: 600 } }
    runs.governors({ id: 'p1', name: 'Sandbox', portalUrl: r.sandbox.url, kind: 'oauth' }, limits).operating.onLimitExceeded('crm.automation.trigger.execute')
    const before = r.sandbox.stats().requests
    const started = Date.now()
    const err = await client.call('crm.automation.trigger.execute', { CODE: 'deal_won', OWNER_TYPE_ID: 2, OWNER_ID: 1 }).catch((e: unknown) => e)
    expect(err).toMatchObject({ info: { code: 'OPERATION_TIME_LIMIT' } })
    expect((err as Error).message).toMatch(/frees in about \d+ s\. Nothing was sent\./)
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(r.sandbox.stats().requests).toBe(before)
    // Other methods are not held by it.
    expect((await client.call('profile')).result).toBeDefined()
  })
})
