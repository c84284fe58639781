// Local validation: the portal's rules, each with a stable code and a message naming the problem.
import { describe, expect, it } from 'vitest'
import { mergeOwnerTypes, type OwnerTypeCatalog } from '../../../electron/core/triggers/owner-types'
import {
  checkOwnerId,
  checkOwnerType,
  hasErrors,
  validateExecute,
  validateNewTrigger,
  validateTriggerCode,
  validateWebhookTrigger
} from '../../../electron/core/triggers/validation'

const codes = (issues: { code: string }[]): string[] => issues.map((i) => i.code)

describe('trigger CODE', () => {
  it('accepts the portal mask', () => {
    for (const code of ['call_done', 'a.b-c_d', '007', 'X1']) expect(validateTriggerCode(code)).toEqual([])
  })

  it('names each problem', () => {
    expect(codes(validateTriggerCode(''))).toEqual(['code-empty'])
    expect(codes(validateTriggerCode('0'))).toEqual(['code-zero'])
    const [chars] = validateTriggerCode('call done!')
    expect(chars).toMatchObject({ code: 'code-chars', severity: 'error', field: 'code' })
    expect(chars?.message).toContain('space')
    expect(chars?.message).toContain('!')
    expect(codes(validateTriggerCode('звонок'))).toEqual(['code-chars'])
  })

  it('warns about uppercase only when registering', () => {
    const issues = validateNewTrigger({ code: 'Call_Done', name: 'Call done' })
    expect(issues).toMatchObject([{ code: 'code-not-lowercase', severity: 'warning' }])
    expect(issues[0]?.message).toContain('call_done')
    expect(hasErrors(issues)).toBe(false)
    expect(validateExecute({ code: 'Call_Done', ownerTypeId: 2, ownerId: 1 }).issues).toEqual([])
  })

  it('requires a name', () => {
    expect(codes(validateNewTrigger({ code: 'ok', name: ' \t' }))).toEqual(['name-empty'])
  })
})

describe('OWNER_ID', () => {
  it('accepts whole numbers from 1 to int32 max, typed or from a CSV cell', () => {
    expect(checkOwnerId(57)).toEqual({ ok: true, value: 57 })
    expect(checkOwnerId(' 57 ')).toEqual({ ok: true, value: 57 })
    expect(checkOwnerId('2147483647')).toEqual({ ok: true, value: 2147483647 })
  })

  it.each([
    ['', 'owner-id-empty'],
    [undefined, 'owner-id-empty'],
    ['abc', 'owner-id-not-integer'],
    ['1e3', 'owner-id-not-integer'],
    ['12.0', 'owner-id-not-integer'],
    [1.5, 'owner-id-not-integer'],
    [0, 'owner-id-not-positive'],
    ['-4', 'owner-id-not-positive'],
    ['2147483648', 'owner-id-too-large']
  ])('rejects %j with %s', (raw, code) => {
    const result = checkOwnerId(raw)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.issue.code).toBe(code)
  })
})

describe('OWNER_TYPE_ID', () => {
  it('accepts the types that have triggers, by id, symbol, short code or name', () => {
    for (const raw of [1, '2', 'deal', 'DEAL', 'D', 'Quote', 'SI', 31, 'smart_document', 'ORDER']) {
      const result = checkOwnerType(raw)
      expect(result.issues, String(raw)).toEqual([])
      expect(result.type?.supportsTriggers).toBe(true)
    }
  })

  it('allows contacts and companies with a warning that one deal per contact moves', () => {
    for (const raw of [3, 'company']) {
      expect(checkOwnerType(raw).issues).toMatchObject([{ code: 'owner-type-fan-out', severity: 'warning', message: expect.stringMatching(/ONE linked deal.*most recently modified/) }])
    }
  })

  it('refuses the old invoice (5) with the reason: automation no longer runs on it', () => {
    for (const raw of [5, 'INVOICE']) {
      const result = checkOwnerType(raw)
      expect(result.issues).toMatchObject([{ code: 'owner-type-retired', severity: 'error', message: expect.stringMatching(/no longer runs on old invoices.*SMART_INVOICE/) }])
    }
  })

  it('rejects types the portal would accept and ignore', () => {
    for (const raw of [6, 8, 'REQUISITE', 39]) {
      const [issue] = checkOwnerType(raw).issues
      expect(issue).toMatchObject({ code: 'owner-type-unsupported', severity: 'error' })
      expect(issue?.message).toContain('answer true and do nothing')
    }
  })

  it('rejects unknown types, and only warns about possible SPAs offline', () => {
    expect(codes(checkOwnerType(99).issues)).toEqual(['owner-type-unknown'])
    expect(codes(checkOwnerType('widgets').issues)).toEqual(['owner-type-unknown'])
    expect(codes(checkOwnerType('').issues)).toEqual(['owner-type-empty'])
    for (const raw of [177, 'DYNAMIC_177', 'Tb1']) {
      const result = checkOwnerType(raw)
      expect(result.id).toBe(177)
      expect(codes(result.issues)).toEqual(['owner-type-unverified'])
    }
  })

  it('with a portal catalog, checks SPA automation and stages', () => {
    const catalog: OwnerTypeCatalog = {
      source: 'portal',
      spaSettingsKnown: true,
      types: mergeOwnerTypes(
        [
          { ID: 2, NAME: 'Сделка', SYMBOL_CODE: 'DEAL', SYMBOL_CODE_SHORT: 'D' },
          { ID: 177, NAME: 'Projects', SYMBOL_CODE: 'DYNAMIC_177', SYMBOL_CODE_SHORT: 'Tb1' },
          { ID: 180, NAME: 'No stages', SYMBOL_CODE: 'DYNAMIC_180', SYMBOL_CODE_SHORT: 'Tb4' }
        ],
        [
          { entityTypeId: 177, title: 'Projects', isAutomationEnabled: 'Y', isStagesEnabled: 'Y' },
          { entityTypeId: 180, title: 'No stages', isAutomationEnabled: 'Y', isStagesEnabled: 'N' }
        ]
      )
    }
    expect(checkOwnerType('сделка', catalog).type?.id).toBe(2)
    expect(checkOwnerType('projects', catalog).issues).toEqual([])
    expect(codes(checkOwnerType(180, catalog).issues)).toEqual(['owner-type-spa-disabled'])
    // A portal catalog knows every SPA: an unlisted one is unknown, not "unverified".
    expect(codes(checkOwnerType(150, catalog).issues)).toEqual(['owner-type-unknown'])
  })
})

describe('execute and webhook-trigger inputs', () => {
  it('builds the exact execute parameters', () => {
    expect(validateExecute({ code: 'call_done', ownerTypeId: 'deal', ownerId: '57' })).toMatchObject({
      issues: [],
      params: { CODE: 'call_done', OWNER_TYPE_ID: 2, OWNER_ID: 57 }
    })
  })

  it('collects every problem at once and builds no parameters', () => {
    const checked = validateExecute({ code: 'bad code', ownerTypeId: 6, ownerId: 0 })
    expect(codes(checked.issues)).toEqual(['code-chars', 'owner-type-unsupported', 'owner-id-not-positive'])
    expect(checked.params).toBeUndefined()
  })

  it('builds TYPENAME_ID targets', () => {
    expect(validateWebhookTrigger({ code: 'c5u4m', ownerType: 2, ownerId: 57 }).params).toEqual({ target: 'DEAL_57', code: 'c5u4m' })
    expect(validateWebhookTrigger({ code: 'x', ownerType: 'L', ownerId: '25' }).params).toEqual({ target: 'LEAD_25', code: 'x' })
  })

  it('targets smart invoices (split on the last "_"), refuses SPAs with the reason', () => {
    expect(validateWebhookTrigger({ code: 'x', ownerType: 31, ownerId: 5 })).toMatchObject({ issues: [], params: { target: 'SMART_INVOICE_5', code: 'x' } })
    const spa = validateWebhookTrigger({ code: 'x', ownerType: 'DYNAMIC_128', ownerId: 5 })
    expect(spa.params).toBeUndefined()
    expect(codes(spa.issues)).toEqual(['owner-type-target-unsupported'])
    expect(spa.issues[0]?.message).toMatch(/do not work on smart processes.*true and do nothing/)
    expect(codes(validateWebhookTrigger({ code: 'x', ownerType: 5, ownerId: 5 }).issues)).toEqual(['owner-type-retired'])
    expect(codes(validateWebhookTrigger({ code: '', ownerType: 2, ownerId: 5 }).issues)).toEqual(['code-empty'])
  })
})
