// `operatingAccounting: 'nominal'` charges the operating budget the configured trigger cost
// rather than measured handler time, so compressed-budget tests do not depend on machine load.
import { afterEach, describe, expect, it } from 'vitest'
import { startSandbox } from '../../../sandbox'
import type { Sandbox } from '../../../sandbox'
import { manualClock, post } from './http'

let sb: Sandbox | undefined
afterEach(async () => {
  await sb?.close()
  sb = undefined
})

const operatingOf = (a: Awaited<ReturnType<typeof post>>): unknown => (a.body.time as { operating?: number } | undefined)?.operating

describe('nominal operating accounting', () => {
  it('charges exactly the configured trigger cost per execution, top-level and inside a batch', async () => {
    const clock = manualClock()
    sb = await startSandbox({
      rate: false,
      operating: { limitSec: 10, windowSec: 60 },
      operatingMinRecordedSec: 0,
      operatingAccounting: 'nominal',
      triggerCostMs: 20,
      now: clock.now
    })
    const { access_token } = sb.issueTokens()
    const execute = (id: number) =>
      post(`${sb?.url}/rest/crm.automation.trigger.execute`, { auth: access_token, CODE: 'deal_won', OWNER_TYPE_ID: 2, OWNER_ID: id })

    const ops: unknown[] = []
    for (let id = 1; id <= 3; id++) ops.push(operatingOf(await execute(id)))
    expect(ops).toEqual([0.02, 0.04, 0.06])

    const cmd = { a: 'crm.automation.trigger.execute?CODE=deal_won&OWNER_TYPE_ID=2&OWNER_ID=4', b: 'crm.automation.trigger.execute?CODE=deal_won&OWNER_TYPE_ID=2&OWNER_ID=5' }
    const batch = await post(`${sb.url}/rest/batch`, { auth: access_token, cmd })
    const resultTime = (batch.body.result as { result_time: Record<string, { operating?: number }> }).result_time
    expect(resultTime.b?.operating).toBe(0.1)
    expect(sb.ledger()).toHaveLength(5)

    // A method that spends no configured time is charged nothing, however long it really took.
    const get = await post(`${sb.url}/rest/crm.item.get`, { auth: access_token, entityTypeId: 2, id: 1 })
    expect(get.status).toBe(200)
    expect(operatingOf(get)).toBe(0)
  })
})
