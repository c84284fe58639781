// CRM read methods: crm.enum.ownertype, crm.type.list, crm.item.get, crm.item.list, profile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox } from '../../../sandbox'
import type { Sandbox } from '../../../sandbox'
import { expectError, post } from './http'

let sb: Sandbox
beforeAll(async () => {
  sb = await startSandbox({ rate: false, operating: false })
})
afterAll(() => sb.close())

const hook = (method: string, params: Record<string, unknown> = {}) => post(`${sb.adminWebhookUrl}${method}`, params)

describe('owner types', () => {
  it('crm.enum.ownertype lists the documented types and the SPAs', async () => {
    const rows = (await hook('crm.enum.ownertype')).body.result as { ID: number; SYMBOL_CODE: string; SYMBOL_CODE_SHORT: string }[]
    expect(rows).toContainEqual({ ID: 2, NAME: 'Deal', SYMBOL_CODE: 'DEAL', SYMBOL_CODE_SHORT: 'D' })
    expect(rows).toContainEqual({ ID: 31, NAME: 'Invoice', SYMBOL_CODE: 'SMART_INVOICE', SYMBOL_CODE_SHORT: 'SI' })
    expect(rows).toContainEqual(expect.objectContaining({ ID: 177, SYMBOL_CODE: 'DYNAMIC_177', SYMBOL_CODE_SHORT: 'Tb1' }))
    expect(rows).toContainEqual(expect.objectContaining({ ID: 156, SYMBOL_CODE: 'DYNAMIC_156', SYMBOL_CODE_SHORT: 'T9c' }))
  })

  it('crm.type.list returns SPAs with Y/N flags, filters on them, and is for admins only', async () => {
    const all = await hook('crm.type.list')
    expect(all.body.total).toBe(2)
    const types = (all.body.result as { types: Record<string, unknown>[] }).types
    expect(types).toContainEqual(expect.objectContaining({ entityTypeId: 177, isAutomationEnabled: 'Y', isStagesEnabled: 'Y' }))
    expect(types).toContainEqual(expect.objectContaining({ entityTypeId: 156, isAutomationEnabled: 'N' }))

    const auto = await hook('crm.type.list', { filter: { isAutomationEnabled: 'Y' } })
    expect((auto.body.result as { types: { entityTypeId: number }[] }).types.map((t) => t.entityTypeId)).toEqual([177])
    expectError(await hook('crm.type.list', { filter: { nope: 1 } }), 400, 'INVALID_ARG_VALUE', "Invalid filter: field 'nope' is not allowed in filter")
    expectError(await post(`${sb.userWebhookUrl}crm.type.list`), 400, 'ACCESS_DENIED', 'Access denied')
  })
})

describe('items', () => {
  it('crm.item.get returns the item with lowercase fields; unknown ones are NOT_FOUND', async () => {
    const r = await hook('crm.item.get', { entityTypeId: 1, id: 7 })
    expect((r.body.result as { item: unknown }).item).toMatchObject({ id: 7, title: 'Lead 7', stageId: 'IN_PROCESS' })
    expectError(await hook('crm.item.get', { entityTypeId: 2, id: 99999 }), 400, 'NOT_FOUND', 'Element not found')
    expectError(await hook('crm.item.get', { entityTypeId: 999, id: 1 }), 400, 'NOT_FOUND', 'Smart process not found')
  })

  it('crm.item.list pages by 50 with next and total', async () => {
    sb.generateItems(177, 100, 120, 'DT177_1:NEW')
    const p1 = await hook('crm.item.list', { entityTypeId: 177, select: ['id'] })
    expect(p1.body.total).toBe(125)
    expect(p1.body.next).toBe(50)
    const items1 = (p1.body.result as { items: { id: number }[] }).items
    expect(items1).toHaveLength(50)
    expect(items1[0]).toEqual({ id: 1 })
    const p3 = await hook('crm.item.list', { entityTypeId: 177, select: ['id'], start: 100 })
    expect((p3.body.result as { items: unknown[] }).items).toHaveLength(25)
    expect(p3.body).not.toHaveProperty('next')
  })

  it('crm.item.list filters by id lists and stage and selects fields', async () => {
    const r = await hook('crm.item.list', { entityTypeId: 2, filter: { '@id': [9, 3, 12345, '1'] }, select: ['id', 'stageId'] })
    expect((r.body.result as { items: unknown[] }).items).toEqual([
      { id: 1, stageId: expect.any(String) },
      { id: 3, stageId: expect.any(String) },
      { id: 9, stageId: 'WON' }
    ])
    const won = await hook('crm.item.list', { entityTypeId: 2, filter: { stageId: 'WON', '>id': 8 } })
    expect((won.body.result as { items: { id: number }[] }).items.map((i) => i.id)).toEqual([9, 10])
    const desc = await hook('crm.item.list', { entityTypeId: 1, order: { id: 'DESC' }, select: ['id'] })
    expect((desc.body.result as { items: { id: number }[] }).items[0]?.id).toBe(10)
  })
})

describe('profile', () => {
  it('tells an admin from a non-admin', async () => {
    expect((await hook('profile')).body.result).toMatchObject({ ID: '1', ADMIN: true, NAME: expect.any(String), LAST_NAME: expect.any(String) })
    const user = sb.issueTokens({ userId: 2 })
    expect((await post(`${sb.url}/rest/profile`, { auth: user.access_token })).body.result).toMatchObject({ ID: '2', ADMIN: false })
  })
})
