// $result references in the sandbox's batch, as CRestUtil::processBatchElement resolves them.
import { describe, expect, it } from 'vitest'
import { resolveReferences, type BatchSoFar } from '../../../sandbox/batch-refs'

function soFar(): BatchSoFar {
  return {
    result: new Map<string, unknown>([
      ['get_user', { ID: '7', UF_DEPARTMENT: [3, 4] }],
      ['p0', { items: [{ id: 11 }, { id: 12 }] }]
    ]),
    next: new Map(),
    total: new Map([['p0', 120]]),
    time: new Map(),
    error: new Map()
  }
}

describe('batch $result references', () => {
  it('replaces a whole value with the referenced value, keeping its type', () => {
    const out = resolveReferences({ ID: '$result[get_user][UF_DEPARTMENT][0]', filter: { '>id': '$result[p0][items][1][id]' }, n: '$total[p0]' }, soFar())
    expect(out).toEqual({ ID: 3, filter: { '>id': 12 }, n: 120 })
  })

  it('replaces inside text, stops at a missing key as the server does, and leaves plain text alone', () => {
    const out = resolveReferences({ title: 'user $result[get_user][ID] here', missing: '$result[p0][items][49][id]', plain: 'cost $5', list: ['$result[get_user][ID]'] }, soFar())
    expect(out.title).toBe('user 7 here')
    // The walk stops at [49]: the value is what it reached, the list of items.
    expect(out.missing).toEqual([{ id: 11 }, { id: 12 }])
    expect(out.plain).toBe('cost $5')
    expect(out.list).toEqual(['7'])
  })
})
