// Verification (DESIGN.md fact 2): `result: true` does not mean the item moved, so when a run
// asks for it, each item's stage is read before its trigger is sent and again after, and the
// row reports moved FROM -> TO, unchanged, or not found. Reads are crm.item.list commands with
// an id filter (50 ids each, 50 commands per batch: 2,500 rows per request), built and parsed by
// the trigger service's stage-read helpers; the runner sends them through the same governors.
import type { RestTime } from '../../shared/domain'
import type { BatchCommand, BatchItemResult } from '../bitrix/types'
import { isPossibleSpaId } from '../triggers/owner-types'
import {
  buildStageReadCommands,
  canReadStages,
  COMMANDS_PER_BATCH,
  IDS_PER_COMMAND,
  parseStageReadResults,
  type StageReadCommand
} from '../triggers/stage-reads'
import type { JournalRecord } from './journal'
import type { RowTable } from './row-table'

/** Rows one read batch covers at most. */
export const ROWS_PER_READ = 2500
export const READ_METHOD = 'crm.item.list'

export interface StageRead {
  when: 'before' | 'after'
  /** Rows whose stage this read asks for. */
  rows: number[]
  /** Rows whose type has no readable stage: nothing to ask, they get no verification. */
  unreadable: number[]
  commands: BatchCommand[]
  parts: { ownerTypeId: number; commands: StageReadCommand[] }[]
}

/** Plans one batch of stage reads (≤ 50 commands) for as many of `rows` as it holds, in order;
 * rows left out are simply not in `rows`/`unreadable` and are read next time. */
export function planStageRead(table: RowTable, rows: readonly number[], when: 'before' | 'after'): StageRead {
  const read: StageRead = { when, rows: [], unreadable: [], commands: [], parts: [] }
  const idsByType = new Map<number, Set<number>>()
  let commands = 0
  for (const r of rows) {
    const type = table.ownerTypeId[r] as number
    if (!canReadStages(type, isPossibleSpaId(type))) {
      read.unreadable.push(r)
      continue
    }
    let ids = idsByType.get(type)
    const id = table.ownerId[r] as number
    const opensCommand = !ids?.has(id) && (ids?.size ?? 0) % IDS_PER_COMMAND === 0
    if (opensCommand && commands >= COMMANDS_PER_BATCH) break
    if (opensCommand) commands++
    if (!ids) idsByType.set(type, (ids = new Set()))
    ids.add(id)
    read.rows.push(r)
  }
  for (const [ownerTypeId, ids] of idsByType) {
    const [typeCommands = []] = buildStageReadCommands(ownerTypeId, [...ids])
    // Labels are per type in the helper; make them unique across the types of this batch.
    const relabeled = typeCommands.map((c) => ({ ...c, label: `t${ownerTypeId}${c.label}` }))
    read.parts.push({ ownerTypeId, commands: relabeled })
    for (const { label, method, params } of relabeled) read.commands.push({ label, method, params })
  }
  return read
}

export interface StageReadOutcome {
  records: JournalRecord[]
  /** Rows whose stage stays unknown (their read command failed). */
  unknown: number[]
  /** Measured server seconds of each read command that reported it. */
  costs: number[]
}

/** Applies a read batch's answer to the table and returns the journal records for it. `costOf`
 * turns a command's `time` into the operating seconds it cost (see pacing/server-cost.ts: never
 * a whole-second start's padding). */
export function applyStageRead(
  table: RowTable,
  read: StageRead,
  items: readonly BatchItemResult[],
  costOf: (time: RestTime | undefined) => number | undefined
): StageReadOutcome {
  const out: StageReadOutcome = { records: [], unknown: [...read.unreadable], costs: [] }
  const t = read.when === 'before' ? 'verify-before' : 'verify-after'
  const byType = new Map<number, ReturnType<typeof parseStageReadResults>>()
  for (const part of read.parts) byType.set(part.ownerTypeId, parseStageReadResults(part.commands, items))
  for (const item of items) {
    const cost = costOf('time' in item ? item.time : undefined)
    if (cost !== undefined) out.costs.push(cost)
  }
  for (const r of read.rows) {
    const parsed = byType.get(table.ownerTypeId[r] as number)
    const id = table.ownerId[r] as number
    if (!parsed || parsed.failed.has(id) || !parsed.stages.has(id)) {
      out.unknown.push(r)
      continue
    }
    const stage = parsed.stages.get(id) ?? null
    table.setStage(r, read.when, stage)
    out.records.push({ t, row: r, stage })
  }
  return out
}
