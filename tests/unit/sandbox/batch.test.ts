// `batch`: mixed results, halt, more than 50 commands, empty members as [], nested batch,
// numeric labels, application context inside batch, and query-string (double-encoded) form.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startSandbox } from '../../../sandbox'
import type { Sandbox, SandboxTokenPair } from '../../../sandbox'
import { get, post, postForm } from './http'

let sb: Sandbox
let token: SandboxTokenPair

beforeAll(async () => {
  sb = await startSandbox({ rate: false, operating: false, triggerCostMs: 0 })
  token = sb.issueTokens()
})
afterAll(() => sb.close())
beforeEach(() => sb.clearLedger())

type BatchBody = { result: { result: unknown; result_error: unknown; result_total: unknown; result_next: unknown; result_time: unknown } }

const batch = async (cmd: unknown, halt?: unknown) => {
  const r = await post(`${sb.url}/rest/batch`, { auth: token.access_token, cmd, ...(halt === undefined ? {} : { halt }) })
  expect(r.status).toBe(200)
  return (r.body as unknown as BatchBody).result
}

describe('batch', () => {
  it('keeps running after errors and reports each key where it belongs', async () => {
    sb.generateItems(2, 1000, 3, 'NEW')
    const res = await batch({
      ok1: 'crm.automation.trigger.execute?CODE=deal_won&OWNER_TYPE_ID=2&OWNER_ID=1000',
      bad: 'crm.automation.trigger.execute?CODE=deal_won&OWNER_TYPE_ID=2&OWNER_ID=0',
      missing: 'no.such.method',
      ok2: 'crm.automation.trigger.execute?CODE=deal_won&OWNER_TYPE_ID=2&OWNER_ID=1001'
    })
    expect(res.result).toEqual({ ok1: true, ok2: true })
    expect(res.result_error).toEqual({
      bad: { error: '', error_description: 'Incorrect parameter OWNER_ID.' },
      missing: { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' }
    })
    expect(res.result_total).toEqual([])
    expect(res.result_next).toEqual([])
    expect(Object.keys(res.result_time as object)).toEqual(expect.arrayContaining(['ok1', 'ok2']))
    expect(sb.ledger().map((e) => e.ownerId)).toEqual([1000, 1001])
    expect(sb.getItem(2, 1002)?.stageId).toBe('NEW')
  })

  it('halt stops at the first error; later keys are absent', async () => {
    const res = await batch(
      {
        a: 'crm.automation.trigger.execute?CODE=deal_won&OWNER_TYPE_ID=2&OWNER_ID=2',
        b: 'crm.automation.trigger.execute?CODE=nope&OWNER_TYPE_ID=2&OWNER_ID=3',
        c: 'crm.automation.trigger.execute?CODE=deal_won&OWNER_TYPE_ID=2&OWNER_ID=4'
      },
      1
    )
    expect(res.result).toEqual({ a: true })
    expect(res.result_error).toEqual({ b: { error: '', error_description: 'Trigger with code nope is not registered.' } })
    expect(JSON.stringify(res)).not.toContain('"c"')
    expect(sb.ledger()).toHaveLength(1)
  })

  it('runs the first 50 commands and gives each extra key ERROR_BATCH_LENGTH_EXCEEDED', async () => {
    sb.generateItems(1, 2000, 53, 'NEW')
    const cmd: Record<string, string> = {}
    for (let i = 0; i < 53; i++) cmd[`r${i}`] = `crm.automation.trigger.execute?CODE=lead_hot&OWNER_TYPE_ID=1&OWNER_ID=${2000 + i}`
    const res = await batch(cmd)
    expect(Object.keys(res.result as object)).toHaveLength(50)
    expect(res.result_error).toEqual({
      r50: { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' },
      r51: { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' },
      r52: { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' }
    })
    expect(sb.ledger()).toHaveLength(50)
    expect(sb.getItem(1, 2050)?.stageId).toBe('NEW')

    // With halt the first extra key's error stops the batch: later extra keys are absent.
    const halted = await batch(cmd, true)
    expect(Object.keys(halted.result_error as object)).toEqual(['r50'])
  })

  it('refuses a nested batch', async () => {
    const res = await batch({ inner: 'batch?cmd[x]=profile', p: 'profile' })
    expect(res.result_error).toEqual({ inner: { error: 'ERROR_BATCH_METHOD_NOT_ALLOWED', error_description: 'Method is not allowed for batch usage' } })
    expect((res.result as Record<string, { ID: string }>).p?.ID).toBe('1')
  })

  it('gives [] for every member when cmd is empty', async () => {
    const r = await post(`${sb.url}/rest/batch`, { auth: token.access_token, cmd: {} })
    expect(r.text).toContain('"result":{"result":[],"result_error":[],"result_total":[],"result_next":[],"result_time":[]}')
  })

  it('answers with lists for numeric labels (an array cmd), as PHP encodes them', async () => {
    const res = await batch(['profile', 'crm.enum.ownertype'])
    expect(Array.isArray(res.result)).toBe(true)
    expect(Array.isArray(res.result_time)).toBe(true)
    expect(res.result_error).toEqual([])
  })

  it('keeps application context, and fails the same commands for a webhook', async () => {
    const cmd = { e: 'crm.automation.trigger.execute?CODE=deal_won&OWNER_TYPE_ID=2&OWNER_ID=5' }
    expect((await batch(cmd)).result).toEqual({ e: true })
    const viaHook = await post(`${sb.adminWebhookUrl}batch`, { cmd })
    expect((viaHook.body as unknown as BatchBody).result.result_error).toEqual({
      e: { error: 'ACCESS_DENIED', error_description: 'Access denied! Application context required' }
    })
  })

  it('reports total and next of list commands', async () => {
    sb.generateItems(31, 100, 60, 'DT31_1:N')
    const res = await batch({ page: 'crm.item.list?entityTypeId=31&select[]=id', one: 'crm.item.list?entityTypeId=31&filter[id]=100' })
    expect(res.result_total).toEqual({ page: 63, one: 1 })
    expect(res.result_next).toEqual({ page: 50 })
  })

  it('accepts the double-encoded query-string form and form bodies', async () => {
    const inner = encodeURIComponent('crm.item.get?entityTypeId=2&id=6')
    const viaQuery = await get(`${sb.adminWebhookUrl}batch?halt=0&cmd[g]=${inner}`)
    expect(((viaQuery.body.result as BatchBody['result']).result as Record<string, { item: { id: number } }>).g?.item.id).toBe(6)
    const viaForm = await postForm(`${sb.adminWebhookUrl}batch`, `cmd%5Bg%5D=${encodeURIComponent('crm.item.get?entityTypeId=2&id=7')}`)
    expect(((viaForm.body.result as BatchBody['result']).result as Record<string, { item: { id: number } }>).g?.item.id).toBe(7)
  })
})
