// "You ran these already": before a run starts, its rows are compared with the recent runs of
// the same kind of trigger on the same portal. A row (CRM type, item, code) that one of them sent
// and that succeeded or may have run (uncertain) is "already done"; reopening a half-finished file
// must not fire those again without the admin saying so. Rows that failed or were never sent
// (not-run, skipped) are not done: sending them is what the admin wants.
import type { ErrorInfo, TriggerKind } from '../../shared/domain'
import type { RunOverlap } from '../../shared/ipc'
import type { JournalRecord } from './journal'
import type { RowTable } from './row-table'
import { listRuns, loadRun } from './run-store'

/** How far back a run counts as recent. */
export const OVERLAP_WINDOW_MS = 7 * 24 * 3600 * 1000
/** Recent runs compared at most (newest first): each is replayed from its journal. */
const MAX_RUNS = 30

export interface OverlapTarget {
  /** The run itself, left out of the comparison. */
  runId?: string
  /** Only runs created after this ISO time count: a paused run being resumed was already
   * compared with the runs before it when it started; the newer ones may have sent its rows. */
  after?: string
  portalUrl: string
  kind: TriggerKind
  rows: { ownerTypeId: number; ownerId: number; code: string; valid: boolean }[]
}

export interface OverlapFound extends RunOverlap {
  /** Indexes into target.rows, with the run that sent each. */
  done: { index: number; runId: string; outcome: 'succeeded' | 'uncertain' }[]
}

function key(ownerTypeId: number, ownerId: number, code: string): string {
  return `${ownerTypeId}:${ownerId}:${code}`
}

/** The target's rows already sent by recent runs; undefined when there are none. */
export async function findOverlap(dataDir: string, target: OverlapTarget, now: number): Promise<OverlapFound | undefined> {
  const wanted = new Map<string, number[]>()
  target.rows.forEach((row, index) => {
    if (!row.valid) return
    const k = key(row.ownerTypeId, row.ownerId, row.code)
    const list = wanted.get(k)
    if (list) list.push(index)
    else wanted.set(k, [index])
  })
  if (wanted.size === 0) return undefined
  const recent = (await listRuns(dataDir))
    .filter((r) => r.id !== target.runId && r.portalUrl === target.portalUrl && r.kind === target.kind)
    .filter((r) => now - Date.parse(r.createdAt) <= OVERLAP_WINDOW_MS)
    .filter((r) => target.after === undefined || r.createdAt > target.after)
    .filter((r) => r.counts.succeeded + r.counts.uncertain > 0)
    .slice(0, MAX_RUNS)
  const found: OverlapFound = { rows: 0, succeeded: 0, uncertain: 0, runs: [], done: [] }
  const taken = new Set<number>()
  for (const run of recent) {
    let table: RowTable
    try {
      table = (await loadRun(dataDir, run.id)).replay.table
    } catch {
      continue // a damaged run is left out of history too
    }
    let fromThis = 0
    for (let r = 0; r < table.rowsLoaded; r++) {
      const outcome = table.outcomeOf(r)
      if (outcome !== 'succeeded' && outcome !== 'uncertain') continue
      const indexes = wanted.get(key(table.ownerTypeId[r] as number, table.ownerId[r] as number, table.code(r)))
      if (!indexes) continue
      for (const index of indexes) {
        if (taken.has(index)) continue
        taken.add(index)
        found.done.push({ index, runId: run.id, outcome })
        found[outcome]++
        fromThis++
      }
    }
    if (fromThis > 0) found.runs.push({ id: run.id, createdAt: run.createdAt, sourceName: run.sourceName, rows: fromThis })
  }
  found.rows = found.done.length
  return found.rows > 0 ? found : undefined
}

/** The rows of a run's table as an overlap target: those still to send. A row whose batch was
 * sent without an answer (open) is not: resuming makes it uncertain, never sends it again. */
export function tableRows(table: RowTable): OverlapTarget['rows'] {
  const rows: OverlapTarget['rows'] = []
  for (let r = 0; r < table.rowsLoaded; r++) {
    rows.push({ ownerTypeId: table.ownerTypeId[r] as number, ownerId: table.ownerId[r] as number, code: table.code(r), valid: table.isPending(r) && !table.open[r] })
  }
  return rows
}

/** Why a row is skipped: the run that already sent it. */
export function alreadyDoneError(runId: string, outcome: 'succeeded' | 'uncertain'): ErrorInfo {
  return {
    code: 'ALREADY_DONE',
    description:
      outcome === 'succeeded'
        ? `Already sent in run ${runId}, where it succeeded; skipped so the trigger does not fire twice.`
        : `Already sent in run ${runId} without a clear answer (it may have run); skipped so the trigger does not fire twice.`,
    status: 0,
    kind: 'definite'
  }
}

/** Journal records that mark the already-done rows skipped, for a run never sent or paused. */
export function skipDoneRecords(table: RowTable, found: OverlapFound, at: number): JournalRecord[] {
  const records: JournalRecord[] = []
  for (const { index, runId, outcome } of found.done) {
    if (!table.isPending(index) || table.open[index]) continue
    const error = alreadyDoneError(runId, outcome)
    table.setOutcome(index, 'skipped', at, 0, error)
    records.push({ t: 'outcome', row: index, outcome: 'skipped', attempt: 0, at, error })
  }
  return records
}
