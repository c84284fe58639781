import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { INTERRUPTED, JournalWriter, replayJournal, rowRecords } from '../../../electron/core/runs/journal'
import type { PlannedRow } from '../../../electron/core/runs/run-types'

let dir: string
let file: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'b24-journal-'))
  file = join(dir, 'journal.jsonl')
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const rows: PlannedRow[] = [
  { line: 2, ownerTypeId: 2, ownerId: 10, code: 'a', verdict: 'valid' },
  { line: 3, ownerTypeId: 2, ownerId: 11, code: 'b', verdict: 'valid' },
  { line: 4, ownerTypeId: 1, ownerId: 0, code: 'a', verdict: 'not-integer' },
  { line: 5, ownerTypeId: 2, ownerId: 12, code: 'a', verdict: 'valid' },
  { line: 6, ownerTypeId: 2, ownerId: 13, code: 'a', verdict: 'valid' }
]

async function write(records: Parameters<JournalWriter['append']>[0]): Promise<void> {
  const j = await JournalWriter.open(file)
  await j.durable(records)
  await j.close()
}

describe('journal', () => {
  it('round-trips the planned rows compactly, skipped ones final at once', async () => {
    await write([...rowRecords(rows)])
    const { table, everSent } = await replayJournal(file, rows.length)
    expect(everSent).toBe(false)
    expect(table.record(1)).toMatchObject({ line: 3, ownerTypeId: 2, ownerId: 11, code: 'b', outcome: 'pending' })
    expect(table.record(2)).toMatchObject({ verdict: 'not-integer', outcome: 'skipped' })
    expect((await readFile(file, 'utf8')).split('\n').filter(Boolean)).toHaveLength(1)
  })

  it('recovers: intent without outcome → uncertain, released → pending, outcome kept', async () => {
    await write([
      ...rowRecords(rows),
      { t: 'intent', batch: 1, rows: [0, 1], at: 1 },
      { t: 'outcome', row: 0, outcome: 'succeeded', attempt: 1, at: 2, time: 0.01 },
      { t: 'intent', batch: 2, rows: [3, 4], at: 3 },
      { t: 'release', batch: 2, rows: [3, 4], counted: false, at: 4 },
      { t: 'intent', batch: 3, rows: [4], at: 5 },
      { t: 'release', batch: 3, rows: [4], counted: true, at: 6 }
    ])
    const run = await replayJournal(file, rows.length)
    expect(run.lastBatch).toBe(3)
    expect(run.interrupted).toEqual([1])
    expect(run.table.record(0)).toMatchObject({ outcome: 'succeeded', attempts: 1, timeSec: expect.closeTo(0.01, 5) })
    expect(run.table.record(1)).toMatchObject({ outcome: 'uncertain', error: INTERRUPTED })
    expect(run.table.record(3)).toMatchObject({ outcome: 'pending', attempts: 0 })
    // A counted release (rejected per row before running) keeps the attempt.
    expect(run.table.record(4)).toMatchObject({ outcome: 'pending', attempts: 1 })
  })

  it('ignores a last line torn by a crash, and cuts it before appending again', async () => {
    await write([...rowRecords(rows), { t: 'intent', batch: 1, rows: [0], at: 1 }])
    await appendFile(file, '{"t":"outcome","row":0,"outc')
    const run = await replayJournal(file, rows.length)
    expect(run.table.outcomeOf(0)).toBe('uncertain')

    await write([{ t: 'outcome', row: 0, outcome: 'uncertain', attempt: 1, at: 9, error: INTERRUPTED }])
    const text = await readFile(file, 'utf8')
    expect(text).not.toContain('"outc\n')
    expect(text.endsWith('\n')).toBe(true)
    expect((await replayJournal(file, rows.length)).table.record(0).error?.code).toBe('INTERRUPTED')
  })

  it('salvages a journal damaged in the middle: the records around it count, rows it may have named are uncertain', async () => {
    const lines = (records: object[]): string => records.map((r) => JSON.stringify(r)).join('\n') + '\n'
    // A damaged line between readable intents: every row is accounted for by the records around it.
    await writeFile(
      file,
      lines([...rowRecords(rows), { t: 'intent', batch: 1, rows: [0, 1], at: 1 }]) +
        '{broken\n' +
        lines([{ t: 'outcome', row: 0, outcome: 'succeeded', attempt: 1, at: 2 }, { t: 'outcome', row: 1, outcome: 'failed', attempt: 1, at: 2 }, { t: 'intent', batch: 2, rows: [3], at: 3 }, { t: 'outcome', row: 3, outcome: 'succeeded', attempt: 1, at: 4 }, { t: 'state', state: 'paused', at: 5 }])
    )
    const salvaged = await replayJournal(file, rows.length)
    expect(salvaged.damaged).toEqual([{ line: 3, text: '{broken' }])
    expect(salvaged.lastState?.state).toBe('paused')
    expect(salvaged.table.outcomeOf(0)).toBe('succeeded')
    // Row 4 comes after every row named: still pending. Row 3 ran.
    expect(salvaged.table.outcomeOf(4)).toBe('pending')
    expect(salvaged.damagedRows).toEqual([])
    // A damaged last intent (nothing readable names rows after it): the rows it could have named
    // are uncertain, never pending, so resume cannot send them a second time.
    await writeFile(
      file,
      lines([...rowRecords(rows), { t: 'intent', batch: 1, rows: [0], at: 1 }, { t: 'outcome', row: 0, outcome: 'succeeded', attempt: 1, at: 2 }]) +
        '{"t":"intent","batch":2,"rows":[1,3\u0000garbage\n' +
        lines([{ t: 'state', state: 'paused', at: 5 }])
    )
    const lost = await replayJournal(file, rows.length)
    expect(lost.damagedRows).toEqual([1, 3, 4])
    expect(lost.table.record(1)).toMatchObject({ outcome: 'uncertain', error: { code: 'JOURNAL_DAMAGED' } })
    expect(lost.table.outcomeOf(2)).toBe('skipped')
    // The planned rows themselves cannot be guessed: a clear error that names the file and line.
    await writeFile(file, '{"t":"rows","from":0,broken\n' + lines([{ t: 'state', state: 'paused', at: 5 }]))
    await expect(replayJournal(file, rows.length)).rejects.toThrow(/journal.jsonl is damaged on line 1, in the list of planned rows/)
  })

  it('scrubs secrets from error texts and reasons on the way to disk', async () => {
    await write([
      ...rowRecords(rows),
      { t: 'outcome', row: 0, outcome: 'failed', attempt: 1, at: 1, error: { code: 'X', description: 'see https://p.example/rest/1/abcdefsecret123/crm.x', status: 400, kind: 'definite' } },
      { t: 'state', state: 'paused', at: 2, reason: 'token access_token=zzzzzz999 rejected' }
    ])
    const text = await readFile(file, 'utf8')
    expect(text).not.toContain('abcdefsecret123')
    expect(text).not.toContain('zzzzzz999')
  })
})
