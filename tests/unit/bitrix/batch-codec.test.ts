import { describe, expect, it } from 'vitest'
import { decodeBatch, encodeBatch, encodeParams } from '../../../electron/core/bitrix/batch-codec'
import type { BatchCommand } from '../../../electron/core/bitrix'

const exec = (label: string, id: number): BatchCommand => ({
  label,
  method: 'crm.automation.trigger.execute',
  params: { CODE: 'a', OWNER_TYPE_ID: 2, OWNER_ID: id }
})

describe('encodeParams (PHP http_build_query style)', () => {
  it('encodes nested keys in brackets and values inside the command string', () => {
    expect(encodeParams({ CODE: 'a', OWNER_TYPE_ID: 2, filter: { '@id': [1, 2] } })).toBe(
      'CODE=a&OWNER_TYPE_ID=2&filter%5B%40id%5D%5B0%5D=1&filter%5B%40id%5D%5B1%5D=2'
    )
    expect(encodeParams({ fields: { TITLE: 'John&Martin = 100%' } })).toBe('fields%5BTITLE%5D=John%26Martin%20%3D%20100%25')
    expect(encodeParams({ yes: true, no: false, none: null, gone: undefined, select: ['ID', 'STAGE_ID'] })).toBe(
      'yes=1&no=0&select%5B0%5D=ID&select%5B1%5D=STAGE_ID'
    )
  })
})

describe('encodeBatch', () => {
  it('builds method?query strings keyed by label', () => {
    expect(encodeBatch([exec('r1', 7), { label: 'list', method: 'crm.automation.trigger.list', params: {} }])).toEqual({
      r1: 'crm.automation.trigger.execute?CODE=a&OWNER_TYPE_ID=2&OWNER_ID=7',
      list: 'crm.automation.trigger.list'
    })
  })

  it('refuses numeric, empty and duplicate labels, bad methods, and more than 50 commands', () => {
    for (const bad of [[exec('1', 1)], [exec(' 12', 1)], [exec('', 1)], [exec('a', 1), exec('a', 2)], [{ ...exec('a', 1), method: 'x?y=1' }], []]) {
      expect(() => encodeBatch(bad)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
    }
    const fifty = Array.from({ length: 50 }, (_, i) => exec(`r${i}`, i + 1))
    expect(Object.keys(encodeBatch(fifty))).toHaveLength(50)
    expect(() => encodeBatch([...fifty, exec('r50', 51)])).toThrow(/at most 50/)
  })
})

describe('decodeBatch', () => {
  const commands = [exec('a', 1), exec('b', 2), exec('c', 3), { label: 'l', method: 'crm.item.list', params: {} }]

  it('splits results, classified errors, timings, totals and absent labels', () => {
    const items = decodeBatch(commands, {
      result: { a: true, l: [{ id: 1 }] },
      result_error: { b: { error: '', error_description: 'Trigger with code a is not registered.' } },
      result_total: { l: 120 },
      result_next: { l: 50 },
      result_time: { a: { start: 1, duration: 0.2, operating: 3 }, b: { duration: 0.01 } }
    }, 200)
    expect(items).toEqual([
      { label: 'a', state: 'ok', result: true, time: { start: 1, duration: 0.2, operating: 3 } },
      { label: 'b', state: 'error', error: { code: '', description: 'Trigger with code a is not registered.', status: 200, kind: 'run-fatal' }, time: { duration: 0.01 } },
      { label: 'c', state: 'absent' },
      { label: 'l', state: 'ok', result: [{ id: 1 }], total: 120, next: 50 }
    ])
  })

  it('reads PHP empty arrays as empty maps', () => {
    const items = decodeBatch(commands.slice(0, 1), { result: { a: false }, result_error: [], result_total: [], result_next: [], result_time: [] }, 200)
    expect(items).toEqual([{ label: 'a', state: 'ok', result: false }])
  })

  it('classifies nested limit errors as retry-safe', () => {
    const [item] = decodeBatch(commands.slice(0, 1), { result: [], result_error: { a: { error: 'OPERATION_TIME_LIMIT', error_description: 'Method is blocked' } } }, 200)
    expect(item).toMatchObject({ state: 'error', error: { code: 'OPERATION_TIME_LIMIT', kind: 'retry-safe' } })
  })

  it('throws when the answer has no result object', () => {
    expect(() => decodeBatch(commands, [], 200)).toThrow(expect.objectContaining({ code: 'MALFORMED_RESPONSE', kind: 'ambiguous' }))
  })
})
