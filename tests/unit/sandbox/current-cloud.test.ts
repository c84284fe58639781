// What today's cloud portal does, read from its PHP source (../shared/reference/current-cloud.md;
// each block names the file): webhook-trigger targets and codes, execute's parameter rules,
// IsDefined, the old invoice, the current-stage trigger, batch details, the 404 before auth,
// the OAuth token endpoint's answers, and reads that leave out what the user cannot see.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startSandbox } from '../../../sandbox'
import type { Sandbox, SandboxTokenPair } from '../../../sandbox'
import { expectError, post, postForm } from './http'

let sb: Sandbox
let admin: SandboxTokenPair
let rest: string

beforeAll(async () => {
  sb = await startSandbox({ rate: false, operating: false, triggerCostMs: 0 })
  admin = sb.issueTokens()
  rest = `${sb.url}/rest/`
})
afterAll(() => sb.close())
beforeEach(() => sb.clearLedger())

const app = (method: string, params: Record<string, unknown> = {}) => post(`${rest}${method}`, { ...params, auth: admin.access_token })
const hook = (params: Record<string, unknown>, base = sb.adminWebhookUrl) => post(`${base}crm.automation.trigger`, params)

describe('crm.automation.trigger: target and code ([proxy] proxy.php, [owner] ResolveID, [base] webhooktrigger.php)', () => {
  it('splits the target on its last "_" and resolves trimmed, upper-cased names and abbreviations', async () => {
    sb.addItems([
      { entityTypeId: 2, id: 900, title: 'a', stageId: 'NEW' },
      { entityTypeId: 2, id: 901, title: 'b', stageId: 'NEW' },
      { entityTypeId: 31, id: 900, title: 'c', stageId: 'DT31_1:N' }
    ])
    expect((await hook({ target: 'D_900', code: 'wh_prep' })).body.result).toBe(true)
    expect((await hook({ target: ' deal _901', code: 'wh_prep' })).body.result).toBe(true)
    expect(sb.getItem(2, 900)?.stageId).toBe('PREPARATION')
    expect(sb.getItem(2, 901)?.stageId).toBe('PREPARATION')
    // SMART_INVOICE_900 is type 31, item 900 (the old split read it as type "SMART").
    expect((await hook({ target: 'SMART_INVOICE_900', code: 'wh_prep' })).status).toBe(200)
    expect(sb.ledger().map((e) => [e.ownerTypeId, e.ownerId])).toEqual([[2, 900], [2, 901], [31, 900]])
  })

  it('DYNAMIC_177_1 is a valid target, but webhook triggers do not act on smart processes', async () => {
    sb.bindTrigger({ via: 'webhook', code: 'wh_spa', entityTypeId: 177, stageId: 'DT177_1:CLIENT' })
    const before = sb.getItem(177, 2)?.stageId
    const r = await hook({ target: 'DYNAMIC_177_2', code: 'wh_spa' })
    expect(r.body.result).toBe(true)
    expect(sb.ledger()).toEqual([expect.objectContaining({ ownerTypeId: 177, ownerId: 2 })])
    // [base] WebHookTrigger::areDynamicTypesSupported() is false.
    expect(sb.getItem(177, 2)?.stageId).toBe(before)
  })

  it('a trigger with a code applies only to that code; a call without a code applies only code-less triggers', async () => {
    sb.addItems([{ entityTypeId: 2, id: 910, title: 'coded', stageId: 'NEW' }])
    expect((await hook({ target: 'DEAL_910' })).body.result).toBe(true)
    expect(sb.getItem(2, 910)?.stageId).toBe('NEW')
    expect((await hook({ target: 'DEAL_910', code: 'other' })).body.result).toBe(true)
    expect(sb.getItem(2, 910)?.stageId).toBe('NEW')
    // `CODE` is not `code`: the key is read as written.
    expect((await hook({ target: 'DEAL_910', CODE: 'wh_prep' })).body.result).toBe(true)
    expect(sb.getItem(2, 910)?.stageId).toBe('NEW')
    sb.bindTrigger({ via: 'webhook', code: '', entityTypeId: 2, stageId: 'EXECUTING' })
    sb.addItems([{ entityTypeId: 2, id: 911, title: 'legacy', stageId: 'NEW' }])
    expect((await hook({ target: 'DEAL_911' })).body.result).toBe(true)
    expect(sb.getItem(2, 911)?.stageId).toBe('EXECUTING')
  })
})

describe('crm.automation.trigger.execute ([proxy], [owner] IsDefined, [base])', () => {
  it('reads keys in any case; of CODE and code the later one wins', async () => {
    sb.addItems([{ entityTypeId: 2, id: 920, title: 'x', stageId: 'NEW' }])
    expect((await app('crm.automation.trigger.execute', { code: 'nope', CODE: 'deal_won', owner_type_id: 2, Owner_Id: 920 })).body.result).toBe(true)
    expect(sb.getItem(2, 920)?.stageId).toBe('WON')
    expectError(await app('crm.automation.trigger.execute', { CODE: 'deal_won', code: 'nope', OWNER_TYPE_ID: 2, OWNER_ID: 920 }), 400, '', 'Trigger with code nope is not registered.')
  })

  it('casts OWNER_ID the PHP way', async () => {
    expect((await app('crm.automation.trigger.execute', { CODE: 'deal_won', OWNER_TYPE_ID: '2abc', OWNER_ID: '6abc' })).body.result).toBe(true)
    expect((await app('crm.automation.trigger.execute', { CODE: 'deal_won', OWNER_TYPE_ID: 2, OWNER_ID: '0.9876543e9' })).body.result).toBe(true)
    expect(sb.ledger().map((e) => [e.ownerTypeId, e.ownerId])).toEqual([[2, 6], [2, 987654300]])
  })

  it('IsDefined: 1..40, 1024, each smart process and its suspended twin', async () => {
    const ex = (type: number) => app('crm.automation.trigger.execute', { CODE: 'deal_won', OWNER_TYPE_ID: type, OWNER_ID: 1 })
    for (const type of [38, 40, 1024, 177, 177 + 64, 156 + 64]) expect((await ex(type)).status, `type ${type}`).toBe(200)
    for (const type of [41, 178, 177 + 65, 1023]) expectError(await ex(type), 400, '', 'Incorrect parameter OWNER_TYPE_ID.')
  })

  it('the old invoice (type 5) answers true and does nothing', async () => {
    sb.addItems([{ entityTypeId: 5, id: 1, title: 'Old invoice', stageId: 'N' }])
    sb.bindTrigger({ via: 'app', code: 'deal_won', entityTypeId: 5, stageId: 'P' })
    expect((await app('crm.automation.trigger.execute', { CODE: 'deal_won', OWNER_TYPE_ID: 5, OWNER_ID: 1 })).body.result).toBe(true)
    expect(sb.getItem(5, 1)?.stageId).toBe('N')
  })

  it('a trigger on the current stage is never a candidate, even allowing moves back ([bizproc] newest revision)', async () => {
    await app('crm.automation.trigger.add', { CODE: 'stay_or_go', NAME: 'Stay or go' })
    sb.bindTrigger({ via: 'app', code: 'stay_or_go', entityTypeId: 2, stageId: 'PREPARATION', allowBackwards: true })
    sb.bindTrigger({ via: 'app', code: 'stay_or_go', entityTypeId: 2, stageId: 'EXECUTING' })
    sb.addItems([
      { entityTypeId: 2, id: 930, title: 'at prep', stageId: 'PREPARATION' },
      { entityTypeId: 2, id: 931, title: 'at new', stageId: 'NEW' }
    ])
    await app('crm.automation.trigger.execute', { CODE: 'stay_or_go', OWNER_TYPE_ID: 2, OWNER_ID: 930 })
    // getPotentialTriggers unsets the current status before reading the triggers: the next
    // candidate in pipeline order applies.
    expect(sb.getItem(2, 930)?.stageId).toBe('EXECUTING')
    await app('crm.automation.trigger.execute', { CODE: 'stay_or_go', OWNER_TYPE_ID: 2, OWNER_ID: 931 })
    expect(sb.getItem(2, 931)?.stageId).toBe('PREPARATION')
  })

  it('a contact with only won deals moves nothing', async () => {
    sb.addItems([
      { entityTypeId: 3, id: 940, title: 'Contact 940', stageId: '' },
      { entityTypeId: 2, id: 941, title: 'won', stageId: 'WON', contactId: 940 },
      { entityTypeId: 2, id: 942, title: 'lost', stageId: 'LOSE', contactId: 940 }
    ])
    expect((await app('crm.automation.trigger.execute', { CODE: 'deal_won', OWNER_TYPE_ID: 3, OWNER_ID: 940 })).body.result).toBe(true)
    expect([941, 942].map((id) => sb.getItem(2, id)?.stageId)).toEqual(['WON', 'LOSE'])
  })
})

describe('batch ([rest] methodsBatch, CRestServerBatchItem)', () => {
  it('skips commands that are not strings; insufficient_scope inside a batch has an empty description', async () => {
    const r = await post(`${rest}batch`, { auth: admin.access_token, cmd: { a: 'profile', b: ['profile'], c: { x: 1 } } })
    const res = r.body.result as { result: Record<string, unknown>; result_error: unknown }
    expect(Object.keys(res.result)).toEqual(['a'])
    expect(res.result_error).toEqual([])
    const noCrm = await post(`${sb.noCrmWebhookUrl}batch`, { cmd: { g: 'crm.item.get?entityTypeId=2&id=1' } })
    expect((noCrm.body.result as { result_error: unknown }).result_error).toEqual({ g: { error: 'insufficient_scope', error_description: '' } })
  })
})

describe('errors before a method runs ([rest] CRestServer::process)', () => {
  it('an unknown method is 404 even without auth', async () => {
    expectError(await post(`${rest}crm.no.such.method`, {}), 404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!')
    expectError(await post(`${rest}crm.item.get`, {}), 401, 'NO_AUTH_FOUND', 'Wrong authorization data')
  })
})

describe('OAuth token endpoint ([pysdk] errors/oauth.py)', () => {
  const token = (p: Record<string, string>) => postForm(`${sb.url}/oauth/token/`, new URLSearchParams(p).toString())

  it('wrong_client with HTTP 200, invalid_client 400, invalid_request 400, invalid_grant 400', async () => {
    const t = sb.issueTokens()
    const unknown = await token({ grant_type: 'refresh_token', client_id: 'local.nobody', client_secret: 'x', refresh_token: t.refresh_token })
    expect({ status: unknown.status, body: unknown.body }).toEqual({ status: 200, body: { error: 'wrong_client' } })
    const secret = await token({ grant_type: 'refresh_token', client_id: sb.app.clientId, client_secret: 'wrong', refresh_token: t.refresh_token })
    expect({ status: secret.status, error: secret.body.error }).toEqual({ status: 400, error: 'invalid_client' })
    const missing = await token({ grant_type: 'refresh_token', client_id: sb.app.clientId, client_secret: sb.app.clientSecret })
    expect({ status: missing.status, body: missing.body }).toEqual({ status: 400, body: { error: 'invalid_request', error_description: 'No "refresh_token" parameter found' } })
    const spent = await token({ grant_type: 'refresh_token', client_id: sb.app.clientId, client_secret: sb.app.clientSecret, refresh_token: 'never-issued' })
    expect({ status: spent.status, error: spent.body.error }).toEqual({ status: 400, error: 'invalid_grant' })
  })
})

describe('reads that leave out what the user cannot see', () => {
  it('crm.item.list omits closed items of other users; crm.item.get says NOT_FOUND', async () => {
    const user = (m: string, p: Record<string, unknown>) => post(`${sb.userWebhookUrl}${m}`, p)
    const list = await user('crm.item.list', { entityTypeId: 2, filter: { '@id': [7, 8, 9, 10] }, select: ['id'] })
    expect((list.body.result as { items: { id: number }[] }).items.map((i) => i.id)).toEqual([7, 10])
    expectError(await user('crm.item.get', { entityTypeId: 2, id: 8 }), 400, 'NOT_FOUND', 'Element not found')
    expect((await user('crm.item.get', { entityTypeId: 2, id: 10 })).status).toBe(200)
    // The admin sees them all.
    const all = await post(`${sb.adminWebhookUrl}crm.item.list`, { entityTypeId: 2, filter: { '@id': [7, 8, 9, 10] }, select: ['id'] })
    expect((all.body.result as { items: { id: number }[] }).items.map((i) => i.id)).toEqual([7, 8, 9, 10])
  })
})
