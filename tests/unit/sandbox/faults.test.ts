// Faults on demand, each checked against the ledger: did the trigger run or not?
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startSandbox } from '../../../sandbox'
import type { Sandbox } from '../../../sandbox'
import { post } from './http'

let sb: Sandbox
let token: string

beforeAll(async () => {
  // The default request cap (60 s), so no stall of a loaded machine cuts an ordinary call; the cap
  // itself is tested on a portal of its own below.
  sb = await startSandbox({ rate: false, operating: false, triggerCostMs: 0, seed: 42 })
  token = sb.issueTokens().access_token
})
afterAll(() => sb.close())
beforeEach(() => {
  sb.clearFaults()
  sb.clearLedger()
})

const METHOD = 'crm.automation.trigger.execute'
const execute = (id = 1) => post(`${sb.url}/rest/${METHOD}`, { auth: token, CODE: 'lead_hot', OWNER_TYPE_ID: 1, OWNER_ID: id })

describe('faults', () => {
  it('error500: 500 INTERNAL_SERVER_ERROR and nothing ran', async () => {
    sb.addFaults([{ method: METHOD, fault: 'error500' }])
    const r = await execute()
    expect(r.status).toBe(500)
    expect(r.body).toEqual({ error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' })
    expect(sb.ledger()).toEqual([])
    expect((await execute()).status).toBe(200) // times defaults to 1
  })

  it('error500-after: the trigger ran, the answer is a 500 without a code', async () => {
    sb.addFaults([{ method: METHOD, fault: 'error500-after' }])
    const r = await execute()
    expect(r.status).toBe(500)
    expect(r.body).toEqual({})
    expect(r.text).toContain('<html>')
    expect(sb.ledger()).toHaveLength(1)
  })

  it('html: ran, answered with an HTML page (502 by default, or the given status)', async () => {
    sb.addFaults([{ method: METHOD, fault: 'html' }, { method: METHOD, fault: 'html', status: 200, after: 1 }])
    const first = await execute()
    expect(first.status).toBe(502)
    expect(first.text).toContain('Bad Gateway')
    const second = await execute()
    expect(second.status).toBe(200)
    expect(second.text.startsWith('<html>')).toBe(true)
    expect(sb.ledger()).toHaveLength(2)
  })

  it('drop-after: ran, then the connection closes without an answer', async () => {
    sb.addFaults([{ method: METHOD, fault: 'drop-after' }])
    await expect(execute()).rejects.toThrow()
    expect(sb.ledger()).toHaveLength(1)
  })

  it('refuse: the connection is dropped before the body is read; nothing ran', async () => {
    sb.addFaults([{ method: METHOD, fault: 'refuse' }])
    await expect(execute()).rejects.toThrow()
    expect(sb.ledger()).toEqual([])
  })

  it('latency delays the answer and shows in the duration', async () => {
    sb.addFaults([{ method: METHOD, fault: 'latency', ms: 150 }])
    const r = await execute()
    expect(r.status).toBe(200)
    expect((r.body.time as { duration: number }).duration).toBeGreaterThanOrEqual(0.15)
  })

  it('after and times pick exactly which matching requests fail; other methods are untouched', async () => {
    sb.addFaults([{ method: METHOD, fault: 'error500', after: 1, times: 2 }])
    const statuses: number[] = []
    for (let i = 0; i < 5; i++) {
      statuses.push((await post(`${sb.url}/rest/profile`, { auth: token })).status)
      statuses.push((await execute()).status)
    }
    expect(statuses).toEqual([200, 200, 200, 500, 200, 500, 200, 200, 200, 200])
    expect(sb.ledger()).toHaveLength(3)
  })

  it("'*' matches every method", async () => {
    sb.addFaults([{ method: '*', fault: 'error500', times: 2 }])
    expect((await post(`${sb.url}/rest/profile`, { auth: token })).status).toBe(500)
    expect((await execute()).status).toBe(500)
    expect((await execute()).status).toBe(200)
  })

  it('probability faults follow the seed: the same seed gives the same pattern', async () => {
    const pattern = async (s: Sandbox): Promise<number[]> => {
      const t = s.issueTokens().access_token
      s.addFaults([{ method: 'profile', fault: 'error500', probability: 0.5 }])
      const out: number[] = []
      for (let i = 0; i < 16; i++) out.push((await post(`${s.url}/rest/profile`, { auth: t })).status)
      return out
    }
    const a = await startSandbox({ rate: false, seed: 7, seedData: false })
    const b = await startSandbox({ rate: false, seed: 7, seedData: false })
    try {
      const pa = await pattern(a)
      expect(pa).toEqual(await pattern(b))
      expect(pa).toContain(500)
      expect(pa).toContain(200)
    } finally {
      await a.close()
      await b.close()
    }
  })

  it("'after' faults on batch apply after the whole batch ran", async () => {
    sb.addFaults([{ method: 'batch', fault: 'drop-after' }])
    const cmd: Record<string, string> = {}
    for (let i = 0; i < 5; i++) cmd[`l${i}`] = `${METHOD}?CODE=lead_hot&OWNER_TYPE_ID=1&OWNER_ID=${i + 1}`
    await expect(post(`${sb.url}/rest/batch`, { auth: token, cmd })).rejects.toThrow()
    expect(sb.ledger().map((e) => e.ownerId)).toEqual([1, 2, 3, 4, 5])
  })
})

describe('request cap', () => {
  // A short cap on a portal of its own: only the request meant to be cut is ever in flight.
  let capped: Sandbox
  let cappedToken: string
  beforeAll(async () => {
    capped = await startSandbox({ rate: false, operating: false, triggerCostMs: 0, requestCapMs: 300 })
    cappedToken = capped.issueTokens().access_token
  })
  afterAll(() => capped.close())
  beforeEach(() => capped.clearLedger())
  const executeCapped = (id: number) => post(`${capped.url}/rest/${METHOD}`, { auth: cappedToken, CODE: 'lead_hot', OWNER_TYPE_ID: 1, OWNER_ID: id })

  it('hang: no answer until the request cap closes the socket; nothing ran', async () => {
    capped.addFaults([{ method: METHOD, fault: 'hang' }])
    await expect(executeCapped(1)).rejects.toThrow()
    expect(capped.ledger()).toEqual([])
  })

  it('the request cap closes a call that runs too long, after it ran', async () => {
    // The cap's deadline (arrival + 300 ms) always comes before the run's (later start + 500 ms).
    capped.setTriggerCost('lead_hot', 500)
    await expect(executeCapped(4)).rejects.toThrow()
    expect(capped.ledger()).toHaveLength(1)
  })
})

describe('ledger', () => {
  it('records every execution that happened, in order, with via, code, owner, time and caller', async () => {
    sb.generateItems(2, 3000, 10, 'NEW')
    const cmd: Record<string, string> = {}
    for (let i = 0; i < 10; i++) cmd[`d${i}`] = `${METHOD}?CODE=deal_won&OWNER_TYPE_ID=2&OWNER_ID=${3000 + i}`
    await post(`${sb.url}/rest/batch`, { auth: token, cmd })
    await post(`${sb.adminWebhookUrl}crm.automation.trigger`, { target: 'DEAL_3000', code: 'wh_prep' })
    const ledger = sb.ledger()
    expect(ledger).toHaveLength(11)
    expect(ledger.slice(0, 10).map((e) => e.ownerId)).toEqual([...Array(10).keys()].map((i) => 3000 + i))
    expect(new Set(ledger.slice(0, 10).map((e) => `${e.via}/${e.code}/${e.ownerTypeId}/${e.caller}`))).toEqual(new Set([`app/deal_won/2/${sb.app.clientId}`]))
    expect(ledger[10]).toMatchObject({ via: 'webhook', code: 'wh_prep', ownerTypeId: 2, ownerId: 3000, caller: sb.webhookIds.admin })
    expect(ledger.every((e, i) => i === 0 || e.at >= (ledger[i - 1]?.at ?? 0))).toBe(true)
    expect(sb.stats().executes).toBeGreaterThanOrEqual(11)
    sb.clearLedger()
    expect(sb.ledger()).toEqual([])
  })
})
