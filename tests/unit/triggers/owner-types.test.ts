// Owner types: merging crm.enum.ownertype with crm.type.list, and resolving what a user typed.
import { describe, expect, it } from 'vitest'
import {
  mergeOwnerTypes,
  ownerTypeLabel,
  resolveOwnerType,
  spaShortCode,
  STATIC_OWNER_TYPES
} from '../../../electron/core/triggers/owner-types'

describe('resolveOwnerType', () => {
  it('finds a type by id, symbol, short code or name, case-insensitively', () => {
    const id = (raw: string | number): number | undefined => resolveOwnerType(raw, STATIC_OWNER_TYPES)?.id
    expect([id('2'), id(2), id('DEAL'), id('deal'), id('D'), id('d'), id(' Deal ')]).toEqual([2, 2, 2, 2, 2, 2, 2])
    expect([id('CO'), id('C'), id('DO'), id('SI'), id('smart_invoice')]).toEqual([4, 3, 36, 31, 31])
    expect([id(''), id('nothing'), id(77)]).toEqual([undefined, undefined, undefined])
  })

  it('resolves SPAs by their symbol, T-short code and title', () => {
    const types = mergeOwnerTypes([{ ID: '128', NAME: 'Склад', SYMBOL_CODE: 'DYNAMIC_128', SYMBOL_CODE_SHORT: 'T80' }], null)
    for (const raw of ['128', 'DYNAMIC_128', 't80', 'T80', 'склад', 'СКЛАД']) expect(resolveOwnerType(raw, types)?.id).toBe(128)
  })
})

describe('mergeOwnerTypes', () => {
  it('keeps the portal names and applies the trigger rules by id', () => {
    const types = mergeOwnerTypes(
      [
        { ID: 2, NAME: 'Сделка', SYMBOL_CODE: 'DEAL', SYMBOL_CODE_SHORT: 'D' },
        { ID: 3, NAME: 'Контакт', SYMBOL_CODE: 'CONTACT', SYMBOL_CODE_SHORT: 'C' },
        { ID: 8, NAME: 'Реквизиты', SYMBOL_CODE: 'REQUISITE', SYMBOL_CODE_SHORT: 'RQ' }
      ],
      []
    )
    expect(types).toEqual([
      { id: 2, name: 'Сделка', symbol: 'DEAL', short: 'D', supportsTriggers: true, fanOut: false, isSmartProcess: false },
      { id: 3, name: 'Контакт', symbol: 'CONTACT', short: 'C', supportsTriggers: false, fanOut: true, isSmartProcess: false },
      { id: 8, name: 'Реквизиты', symbol: 'REQUISITE', short: 'RQ', supportsTriggers: false, fanOut: false, isSmartProcess: false }
    ])
    expect(ownerTypeLabel(types[0]!)).toBe('Сделка (2)')
  })

  it('needs automation AND stages for an SPA, read as Y/N or booleans', () => {
    const types = mergeOwnerTypes(
      [
        { ID: 177, NAME: 'A', SYMBOL_CODE: 'DYNAMIC_177' },
        { ID: 178, NAME: 'B', SYMBOL_CODE: 'DYNAMIC_178' },
        { ID: 179, NAME: 'C', SYMBOL_CODE: 'DYNAMIC_179' }
      ],
      [
        { entityTypeId: 177, title: 'Alpha', isAutomationEnabled: 'Y', isStagesEnabled: true },
        { entityTypeId: 178, title: 'Beta', isAutomationEnabled: 'N', isStagesEnabled: 'Y' }
        // 179 is missing from the type list: treated as not supporting triggers.
      ]
    )
    expect(types.map((t) => [t.id, t.name, t.short, t.supportsTriggers])).toEqual([
      [177, 'Alpha', spaShortCode(177), true],
      [178, 'Beta', 'Tb2', false],
      [179, 'C', 'Tb3', false]
    ])
  })

  it('without the type list, assumes SPAs may have triggers (validation warns)', () => {
    const [spa] = mergeOwnerTypes([{ ID: 1040, NAME: 'New SPA', SYMBOL_CODE: 'DYNAMIC_1040', SYMBOL_CODE_SHORT: 'T410' }], null)
    expect(spa).toMatchObject({ id: 1040, isSmartProcess: true, supportsTriggers: true })
  })

  it('skips malformed rows instead of failing', () => {
    const types = mergeOwnerTypes([{ ID: 'x' } as never, { ID: 1, NAME: 'Lead', SYMBOL_CODE: 'LEAD', SYMBOL_CODE_SHORT: 'L' }], null)
    expect(types.map((t) => t.id)).toEqual([1])
  })
})
