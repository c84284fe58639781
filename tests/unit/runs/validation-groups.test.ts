// The pre-flight check as a to-do list for fixing the file (issue 11, item 8): skipped rows
// grouped by reason with counts, every line of a reason (beyond the first 20 examples), blank
// lines passed over rather than counted, and a pasted column's header recognised.
import { describe, expect, it } from 'vitest'
import { importCsv, parsePastedIds } from '../../../electron/core/runs/csv-import'
import { GROUP_RANGES, validationSummary } from '../../../electron/core/runs/csv-run'

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text)
const ctx = { resolveOwnerType: (raw: string) => (raw.toUpperCase() === 'DEAL' || raw === '2' ? 2 : undefined) }

describe('validationSummary groups', () => {
  it('lists every line of each reason as ranges, most frequent reason first, with examples of each', async () => {
    const lines = ['ID;Type']
    // 30 bad IDs on lines 2..31, then a valid one, then 3 unknown types and a gap of blank lines.
    for (let i = 0; i < 30; i++) lines.push(`x${i};DEAL`)
    lines.push('5;DEAL', '6;SHIP', '7;SHIP', ';;', '', '8;SHIP', '9;DEAL')
    const result = await importCsv(utf8(lines.join('\n')), { idColumn: 0, ownerTypeColumn: 1, hasHeader: true }, { code: 'go' }, ctx)
    const summary = validationSummary(result)
    expect(summary.total).toBe(35)
    expect(summary.blankLines).toBe(2)
    expect(summary.skipped).toEqual({ 'not-integer': 30, 'unknown-owner-type': 3 })
    expect(summary.groups?.map((g) => [g.reason, g.count, g.ranges, g.unlisted])).toEqual([
      ['not-integer', 30, [[2, 31]], 0],
      ['unknown-owner-type', 3, [[33, 34], [37, 37]], 0]
    ])
    // 20 examples per reason (the old summary had 20 in all, so the second reason got none).
    expect(summary.groups?.[0]?.examples).toHaveLength(20)
    expect(summary.groups?.[1]?.examples.map((e) => [e.line, e.value])).toEqual([
      [33, 'SHIP'],
      [34, 'SHIP'],
      [37, 'SHIP']
    ])
    expect(summary.examples).toHaveLength(20)
  })

  it('bounds the listing for a million broken rows and counts what it leaves out', () => {
    // Every other line is bad: each one is its own range.
    const text = Array.from({ length: (GROUP_RANGES + 10) * 2 }, (_, i) => (i % 2 ? 'x' : String(i + 1))).join('\n')
    const summary = validationSummary(parsePastedIds(text, { ownerTypeId: 2, code: 'a' }))
    const group = summary.groups?.find((g) => g.reason === 'not-integer')
    expect(group?.ranges).toHaveLength(GROUP_RANGES)
    expect(group?.unlisted).toBe(10)
    expect(group?.count).toBe(GROUP_RANGES + 10)
  })

  it('carries a pasted header and blank lines to the check', () => {
    const summary = validationSummary(parsePastedIds('ID\n1\n\n\n2\n', { ownerTypeId: 2, code: 'a' }))
    expect(summary).toMatchObject({ total: 2, valid: 2, header: 'ID', blankLines: 2, groups: [] })
  })
})
