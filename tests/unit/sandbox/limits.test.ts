// The request bucket (503 QUERY_LIMIT_EXCEEDED) and the operating budget (429
// OPERATION_TIME_LIMIT), on a hand-moved clock so the windows are compressed.
import { afterEach, describe, expect, it } from 'vitest'
import { startSandbox } from '../../../sandbox'
import type { Sandbox } from '../../../sandbox'
import { expectError, manualClock, post } from './http'

let sb: Sandbox | undefined
afterEach(async () => {
  await sb?.close()
  sb = undefined
})

type Time = { operating?: number; operating_reset_at?: number; processing: number }
/** `operating` is rounded to microseconds and `processing` is not: compare to five decimals. */
const CLOSE_DIGITS = 5
const execute = (s: Sandbox, token: string, id: number, code = 'deal_won') =>
  post(`${s.url}/rest/crm.automation.trigger.execute`, { auth: token, CODE: code, OWNER_TYPE_ID: 2, OWNER_ID: id })

describe('request bucket', () => {
  it('lets a burst through, then rejects with 503 without running anything, and drains', async () => {
    const clock = manualClock()
    sb = await startSandbox({ rate: { burst: 5, drainPerSec: 2 }, operating: false, triggerCostMs: 0, now: clock.now })
    const { access_token } = sb.issueTokens()
    for (let i = 1; i <= 5; i++) expect((await execute(sb, access_token, i)).status).toBe(200)
    expectError(await execute(sb, access_token, 6), 503, 'QUERY_LIMIT_EXCEEDED', 'Too many requests')
    expect(sb.ledger().map((e) => e.ownerId)).toEqual([1, 2, 3, 4, 5])

    clock.advance(500) // one request drains at 2/s
    expect((await execute(sb, access_token, 6)).status).toBe(200)
    expect((await execute(sb, access_token, 7)).status).toBe(503)
    expect(sb.stats().rejected503).toBe(2)
  })

  it('counts a batch as one request', async () => {
    const clock = manualClock()
    sb = await startSandbox({ rate: { burst: 2, drainPerSec: 1 }, operating: false, triggerCostMs: 0, now: clock.now })
    const { access_token } = sb.issueTokens()
    const cmd: Record<string, string> = {}
    for (let i = 0; i < 10; i++) cmd[`d${i}`] = `crm.automation.trigger.execute?CODE=deal_won&OWNER_TYPE_ID=2&OWNER_ID=${i + 1}`
    const first = await post(`${sb.url}/rest/batch`, { auth: access_token, cmd })
    expect(first.status).toBe(200)
    expect((await post(`${sb.url}/rest/batch`, { auth: access_token, cmd })).status).toBe(200)
    expect((await post(`${sb.url}/rest/batch`, { auth: access_token, cmd })).status).toBe(503)
    expect(sb.ledger()).toHaveLength(20)
  })
})

describe('operating budget', () => {
  const limitSec = 0.2
  const windowSec = 6

  async function start(): Promise<ReturnType<typeof manualClock>> {
    const clock = manualClock()
    // The fractional time format, so that `processing` is the real handler time to compare with.
    sb = await startSandbox({ rate: false, operating: { limitSec, windowSec }, operatingMinRecordedSec: 0, triggerCostMs: 60, now: clock.now, timeFormat: 'fractional' })
    return clock
  }

  /** Executes until the first 429; returns the operating figures of the successful calls. */
  async function exhaust(s: Sandbox, token: string): Promise<{ times: Time[]; blocked: Awaited<ReturnType<typeof post>> }> {
    const times: Time[] = []
    for (let i = 1; i <= 20; i++) {
      const r = await execute(s, token, i)
      if (r.status !== 200) return { times, blocked: r }
      times.push(r.body.time as Time)
    }
    throw new Error('never blocked')
  }

  it('lets the crossing call complete, blocks the next with 429, and unblocks when its bucket leaves the last ten', async () => {
    const clock = await start()
    const s = sb as Sandbox
    const { access_token } = s.issueTokens()
    const { times, blocked } = await exhaust(s, access_token)
    expectError(blocked, 429, 'OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit.')

    // Every call before the crossing one saw the budget not yet exceeded; the crossing one exceeded it.
    const ops = times.map((t) => t.operating as number)
    expect(ops.slice(0, -1).every((o) => o <= limitSec)).toBe(true)
    expect(ops[ops.length - 1]).toBeGreaterThan(limitSec)
    for (let i = 1; i < ops.length; i++) expect(ops[i]).toBeGreaterThan(ops[i - 1] as number)
    const resetAt = times[times.length - 1]?.operating_reset_at as number
    // [src] getResetTime: the oldest bucket's first call + window, as an (int).
    expect(resetAt).toBe(Math.floor((clock.now() + windowSec * 1000) / 1000))
    // [src] getRestTime sums the buckets numbered within the last ten: the bucket leaves when the
    // bucket number moves past it, which is no later than operating_reset_at.
    const bucketMs = (windowSec * 1000) / 10
    const leavesAt = (Math.floor(clock.now() / bucketMs) + 10) * bucketMs
    expect(leavesAt).toBeLessThanOrEqual(resetAt * 1000 + 999)
    expect(s.ledger()).toHaveLength(times.length)

    // Other methods and other apps are unaffected.
    expect((await post(`${s.url}/rest/crm.item.get`, { auth: access_token, entityTypeId: 2, id: 1 })).status).toBe(200)
    s.addAppTrigger(s.otherApp.clientId, 'deal_won', 'Other app trigger')
    const other = s.issueTokens({ clientId: s.otherApp.clientId })
    expect((await execute(s, other.access_token, 1)).status).toBe(200)

    clock.set(leavesAt - 1)
    expect((await execute(s, access_token, 1)).status).toBe(429)
    clock.set(leavesAt)
    const after = await execute(s, access_token, 1)
    expect(after.status).toBe(200)
    // Every earlier run left the window: the budget holds this run alone.
    const afterTime = after.body.time as Time
    expect(afterTime.operating).toBeCloseTo(afterTime.processing, CLOSE_DIGITS)
  })

  it('keeps ten buckets: the oldest leaves first and the value need not drop to zero', async () => {
    const clock = await start()
    const s = sb as Sandbox
    const { access_token } = s.issueTokens()
    const t0 = clock.now()
    s.setTriggerCost('deal_won', 120)
    const first = (await execute(s, access_token, 1)).body.time as Time
    s.setTriggerCost('deal_won', 20)
    clock.advance((windowSec * 1000) / 10) // next bucket
    const second = (await execute(s, access_token, 2)).body.time as Time
    expect(second.operating_reset_at).toBe(first.operating_reset_at)
    expect(second.operating).toBeCloseTo(first.processing + second.processing, CLOSE_DIGITS)

    clock.set(t0 + windowSec * 1000) // the first bucket leaves
    const third = (await execute(s, access_token, 3)).body.time as Time
    // The second bucket (and the third call) remain; only the first call's seconds left.
    expect(third.operating).toBeCloseTo(second.processing + third.processing, CLOSE_DIGITS)
    expect(third.operating_reset_at).toBe(Math.floor((t0 + (windowSec * 1000) / 10 + windowSec * 1000) / 1000))
  })

  it('inside a batch a blocked command shows OPERATION_TIME_LIMIT in result_error; the batch itself does not count', async () => {
    await start()
    const s = sb as Sandbox
    const { access_token } = s.issueTokens()
    const cmd: Record<string, string> = {}
    for (let i = 0; i < 8; i++) cmd[`x${i}`] = `crm.automation.trigger.execute?CODE=deal_won&OWNER_TYPE_ID=2&OWNER_ID=${i + 1}`
    cmd.p = 'profile'
    const r = await post(`${s.url}/rest/batch`, { auth: access_token, cmd })
    expect(r.status).toBe(200)
    const res = r.body.result as { result: Record<string, unknown>; result_error: Record<string, { error: string }>; result_time: Record<string, Time> }
    const blocked = Object.keys(res.result_error)
    expect(blocked.length).toBeGreaterThan(0)
    for (const k of blocked) expect(res.result_error[k]).toEqual({ error: 'OPERATION_TIME_LIMIT', error_description: 'Method is blocked due to operation time limit.' })
    expect(res.result.p).toBeDefined()
    expect(Object.keys(res.result).filter((k) => k !== 'p')).toHaveLength(s.ledger().length)
    // The nested calls carry their method's operating figures; the outer batch has none.
    expect(res.result_time.x0?.operating).toBeGreaterThan(0)
    expect(r.body.time).not.toHaveProperty('operating')
    expect((await post(`${s.url}/rest/batch`, { auth: access_token, cmd: { p: 'profile' } })).status).toBe(200)
  })

  it('does not record runs shorter than 0.1 s by default', async () => {
    sb = await startSandbox({ rate: false, triggerCostMs: 0 })
    const { access_token } = sb.issueTokens()
    const r = await execute(sb, access_token, 1)
    expect((r.body.time as Time).operating).toBe(0)
    expect((r.body.time as Time).operating_reset_at).toBeGreaterThan(Date.now() / 1000 + 590)
  })
})
