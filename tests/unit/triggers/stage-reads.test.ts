// The command-building half of verification reads, which the runner drives with its own pacing.
import { describe, expect, it } from 'vitest'
import type { BatchItemResult } from '../../../electron/core/bitrix/types'
import { buildStageReadCommands, canReadStages, parseStageReadResults } from '../../../electron/core/triggers/stage-reads'

describe('buildStageReadCommands', () => {
  it('puts at most 50 ids in a command and 50 commands in a batch', () => {
    const ids = Array.from({ length: 2_600 }, (_, i) => i + 1)
    const batches = buildStageReadCommands(2, ids)
    expect(batches.map((b) => b.length)).toEqual([50, 2])
    const commands = batches.flat()
    expect(commands.every((c) => c.ids.length <= 50)).toBe(true)
    expect(commands.flatMap((c) => c.ids)).toEqual(ids)
    expect(new Set(commands.map((c) => c.label)).size).toBe(commands.length)
    expect(commands.every((c) => !/^\d+$/.test(c.label))).toBe(true)
    expect(commands[0]).toMatchObject({
      method: 'crm.item.list',
      params: { entityTypeId: 2, filter: { '@id': ids.slice(0, 50) }, select: ['id', 'stageId'] }
    })
  })

  it('asks once per id', () => {
    expect(buildStageReadCommands(1, [5, 5, 6]).flat().flatMap((c) => c.ids)).toEqual([5, 6])
    expect(buildStageReadCommands(1, [])).toEqual([])
  })
})

describe('parseStageReadResults', () => {
  it('separates found, not found, failed and absent commands', () => {
    const [batch] = buildStageReadCommands(2, Array.from({ length: 150 }, (_, i) => i + 1))
    const items: BatchItemResult[] = [
      { label: 's0', state: 'ok', result: { items: [{ id: 1, stageId: 'NEW' }, { id: '2', stageId: 'WON' }] } },
      { label: 's1', state: 'error', error: { code: 'QUERY_LIMIT_EXCEEDED', description: 'Too many requests', status: 503, kind: 'retry-safe' } },
      { label: 's2', state: 'absent' }
    ]
    const { stages, failed } = parseStageReadResults(batch!, items)
    expect(stages.get(1)).toBe('NEW')
    expect(stages.get(2)).toBe('WON')
    expect(stages.has(3)).toBe(true)
    expect(stages.get(3)).toBeUndefined()
    expect(stages.size).toBe(50)
    expect(failed.get(51)).toMatchObject({ code: 'QUERY_LIMIT_EXCEEDED' })
    expect(failed.get(101)).toMatchObject({ kind: 'ambiguous' })
    expect(failed.size).toBe(100)
  })
})

describe('canReadStages', () => {
  it('knows which types crm.item.list serves with stages', () => {
    expect([1, 2, 7, 31, 36].every((t) => canReadStages(t))).toBe(true)
    expect([3, 4, 5, 14].some((t) => canReadStages(t))).toBe(false)
    expect(canReadStages(177, true)).toBe(true)
  })
})
