// The `time` block and the operating accounting of a current cloud portal
// (../shared/reference/current-cloud.md "Timing and the operating budget"): a whole-second
// `start` with `processing: 0` by default, the older fractional format as an option, and the
// limiter's per-request, per-(app, method) sum with its 0.1 s threshold.
import { afterEach, describe, expect, it } from 'vitest'
import { startSandbox } from '../../../sandbox'
import type { Sandbox } from '../../../sandbox'
import { manualClock, post } from './http'

let sb: Sandbox | undefined
afterEach(async () => {
  await sb?.close()
  sb = undefined
})

type Time = { start: number; finish: number; duration: number; processing: number; operating?: number; operating_reset_at?: number }
type BatchBody = { result: { result: Record<string, unknown>; result_error: Record<string, unknown>; result_time: Record<string, Time> } }

const executeCmd = (id: number): string => `crm.automation.trigger.execute?CODE=deal_won&OWNER_TYPE_ID=2&OWNER_ID=${id}`

describe('time format', () => {
  it('current cloud: start in whole seconds, processing 0, duration = finish - start (envelope and result_time)', async () => {
    const clock = manualClock(1_700_000_000_700)
    sb = await startSandbox({ rate: false, triggerCostMs: 30, now: clock.now })
    const { access_token } = sb.issueTokens()
    const r = await post(`${sb.url}/rest/crm.automation.trigger.execute`, { auth: access_token, CODE: 'deal_won', OWNER_TYPE_ID: 2, OWNER_ID: 1 })
    const time = r.body.time as Time
    expect(time.start).toBe(1_700_000_000)
    expect(time.processing).toBe(0)
    expect(time.duration).toBeCloseTo(time.finish - time.start, 9)
    // The 0.7 s between the whole second and the real start is in the duration, never spent.
    expect(time.duration).toBeGreaterThanOrEqual(0.7 + 0.025)

    const b = await post(`${sb.url}/rest/batch`, { auth: access_token, cmd: { a: executeCmd(2) } })
    const t = (b.body as BatchBody).result.result_time.a as Time
    expect(Number.isInteger(t.start)).toBe(true)
    expect(t.processing).toBe(0)
    expect(t.duration).toBeGreaterThanOrEqual(0.725)
    expect(Number.isInteger((b.body.time as Time).start)).toBe(true)
  })

  it('fractional (older portals): start with a fraction, processing = the real handler time', async () => {
    const clock = manualClock(1_700_000_000_700)
    sb = await startSandbox({ rate: false, triggerCostMs: 30, now: clock.now, timeFormat: 'fractional' })
    const { access_token } = sb.issueTokens()
    const r = await post(`${sb.url}/rest/crm.automation.trigger.execute`, { auth: access_token, CODE: 'deal_won', OWNER_TYPE_ID: 2, OWNER_ID: 1 })
    const time = r.body.time as Time
    expect(time.start).toBe(1_700_000_000.7)
    expect(time.processing).toBeGreaterThanOrEqual(0.029)
    expect(time.duration).toBeLessThan(0.7)
    expect(time.duration).toBeGreaterThanOrEqual(time.processing)
  })
})

describe('operating accounting per request ([src] LoadLimiter)', () => {
  it('a batch of cheap calls is charged as one sum over 0.1 s; a lone cheap call is not', async () => {
    const clock = manualClock()
    sb = await startSandbox({ rate: false, triggerCostMs: 30, operatingAccounting: 'nominal', now: clock.now })
    const { access_token } = sb.issueTokens()
    const single = () => post(`${sb?.url}/rest/crm.automation.trigger.execute`, { auth: access_token, CODE: 'deal_won', OWNER_TYPE_ID: 2, OWNER_ID: 9 })
    expect(((await single()).body.time as Time).operating).toBe(0)
    // 30 ms alone is under the threshold: nothing was stored.
    expect(((await single()).body.time as Time).operating).toBe(0)

    const cmd: Record<string, string> = {}
    for (let i = 1; i <= 5; i++) cmd[`c${i}`] = executeCmd(i)
    const b = await post(`${sb.url}/rest/batch`, { auth: access_token, cmd })
    const times = (b.body as BatchBody).result.result_time
    // Inside the request each 30 ms call is under the threshold: the live figure does not move...
    expect(Object.values(times).map((t) => t.operating)).toEqual([0, 0, 0, 0, 0])
    // ...but the request's sum (0.15 s) is stored when it ends.
    expect(((await single()).body.time as Time).operating).toBeCloseTo(0.15, 6)
  })

  it('calls longer than 0.1 s count at once inside their own request', async () => {
    const clock = manualClock()
    sb = await startSandbox({ rate: false, triggerCostMs: 120, operatingAccounting: 'nominal', now: clock.now })
    const { access_token } = sb.issueTokens()
    const b = await post(`${sb.url}/rest/batch`, { auth: access_token, cmd: { a: executeCmd(1), b: executeCmd(2) } })
    const times = (b.body as BatchBody).result.result_time
    expect(times.a?.operating).toBeCloseTo(0.12, 6)
    expect(times.b?.operating).toBeCloseTo(0.24, 6)
  })

  it('operating_reset_at: with nothing stored, floor(first start) + 600; then the oldest bucket\'s (int) first start + 600', async () => {
    const clock = manualClock(1_700_000_000_900)
    sb = await startSandbox({ rate: false, triggerCostMs: 0, operatingAccounting: 'nominal', now: clock.now })
    const { access_token } = sb.issueTokens()
    const idle = (await post(`${sb.url}/rest/crm.item.get`, { auth: access_token, entityTypeId: 2, id: 1 })).body.time as Time
    expect(idle.operating_reset_at).toBe(1_700_000_600)

    sb.setTriggerCost('deal_won', 150)
    await post(`${sb.url}/rest/crm.automation.trigger.execute`, { auth: access_token, CODE: 'deal_won', OWNER_TYPE_ID: 2, OWNER_ID: 1 })
    clock.advance(65_000)
    const later = (await post(`${sb.url}/rest/crm.automation.trigger.execute`, { auth: access_token, CODE: 'deal_won', OWNER_TYPE_ID: 2, OWNER_ID: 2 })).body.time as Time
    expect(later.operating_reset_at).toBe(1_700_000_600)
    expect(later.operating).toBeCloseTo(0.3, 6)
  })

  it('a failed command has no result_time entry', async () => {
    sb = await startSandbox({ rate: false, triggerCostMs: 0 })
    const { access_token } = sb.issueTokens()
    const b = await post(`${sb.url}/rest/batch`, { auth: access_token, cmd: { ok: executeCmd(1), bad: 'crm.automation.trigger.execute?CODE=nope&OWNER_TYPE_ID=2&OWNER_ID=1' } })
    const res = (b.body as BatchBody).result
    expect(Object.keys(res.result_error)).toEqual(['bad'])
    expect(Object.keys(res.result_time)).toEqual(['ok'])
  })
})
