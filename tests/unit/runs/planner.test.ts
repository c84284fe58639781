import { describe, expect, it } from 'vitest'
import { BatchPlanner } from '../../../electron/core/runs/planner'
import { RowTable } from '../../../electron/core/runs/row-table'

function table(owners: number[]): RowTable {
  const t = new RowTable(owners.length)
  owners.forEach((ownerId, i) => t.push({ line: i + 2, ownerTypeId: 2, ownerId, code: 'c', verdict: 'valid' }))
  return t
}

describe('BatchPlanner', () => {
  it('never hands out an owner that is in flight or twice in one batch', () => {
    const t = table([1, 2, 1, 3, 1, 4])
    const p = new BatchPlanner(t, { gateOnCheck: false })
    expect(p.take(10)).toEqual([0, 1, 3, 5])
    expect(p.take(10)).toEqual([])
    p.finished([0])
    expect(p.take(10)).toEqual([2])
    p.finished([2])
    expect(p.take(10)).toEqual([4])
    expect(p.remaining).toBe(0)
  })

  it('puts returned rows first and counts them as pending again', () => {
    const t = table([1, 2, 3, 4])
    const p = new BatchPlanner(t, { gateOnCheck: false })
    const first = p.take(2)
    p.finished(first)
    p.giveBack([1])
    expect(p.remaining).toBe(3)
    expect(p.take(2)).toEqual([1, 2])
  })

  it('holds rows whose stage is not read yet when verifying', () => {
    const t = table([1, 2, 3])
    const p = new BatchPlanner(t, { gateOnCheck: true })
    expect(p.ready(10)).toBe(0)
    expect(p.uncheckedAhead(10, new Set([0]))).toEqual([1, 2])
    p.markChecked([0, 1])
    expect(p.take(10)).toEqual([0, 1])
  })

  it('drains what was never sent for a cancel', () => {
    const t = table([1, 2, 3])
    const p = new BatchPlanner(t, { gateOnCheck: false })
    p.take(1)
    expect(p.drain()).toEqual([1, 2])
    expect(p.remaining).toBe(0)
  })
})
