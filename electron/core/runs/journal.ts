// The append-only journal of a run (DESIGN.md, The journal): `journal.jsonl`, one JSON record
// per line. Before a batch is sent its intent is appended and flushed to disk; its outcomes
// follow, written without a flush of their own (the next intent's flush carries them, and a
// process crash does not lose what the kernel already holds). Recovery reads it back:
// rows with an intent and no outcome are `uncertain`, rows with neither are still pending.
//
// Records (field `t`):
//   rows          the planned rows, written once at creation in chunks, compactly
//   intent        {batch, rows} before the batch is sent (flushed)
//   outcome       {row, outcome, attempt, at, error?, time?}
//   release       {batch, rows, counted, error?} the portal guarantees these did not run
//                 (503, 429, a connection that never opened, a run-fatal envelope): pending again
//   verify-before / verify-after  {row, stage} (stage null = no such item)
//   state         {state, reason?, error?} started | resumed | paused | cancelled | finished
//                 (a pause on a run-fatal answer keeps that answer in `error`)
import { createReadStream } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import type { ErrorInfo, ImportedRow, Outcome, RowVerdict } from '../../shared/domain'
import { redact } from '../bitrix/redact'
import { ID_VERDICTS } from './csv-verdicts'
import { RowTable } from './row-table'
import type { PlannedRow } from './run-types'

export type RunStateName = 'started' | 'resumed' | 'paused' | 'cancelled' | 'finished'

/** Why a skipped row was skipped, beyond its verdict: the cell as read, or the line it repeats;
 * and its owner-ID cell as read (`id`, written only when it is not `raw` already). */
export interface SkipDetail {
  raw?: string
  duplicateOf?: number
  id?: string
}

/** [line, ownerTypeId, ownerId, code index, verdict when not 'valid', detail when there is one] */
export type CompactRow =
  | [number, number, number, number]
  | [number, number, number, number, RowVerdict]
  | [number, number, number, number, RowVerdict, SkipDetail]

export type JournalRecord =
  | { t: 'rows'; from: number; codes: string[]; rows: CompactRow[] }
  | { t: 'intent'; batch: number; rows: number[]; at: number }
  | { t: 'outcome'; row: number; outcome: Outcome; attempt: number; at: number; error?: ErrorInfo; time?: number }
  | { t: 'release'; batch: number; rows: number[]; counted: boolean; at: number; error?: ErrorInfo }
  | { t: 'verify-before' | 'verify-after'; row: number; stage: string | null }
  | { t: 'state'; state: RunStateName; at: number; reason?: string; error?: ErrorInfo }

export const JOURNAL_FILE = 'journal.jsonl'

export const INTERRUPTED: ErrorInfo = {
  code: 'INTERRUPTED',
  description: 'Sent, but the app stopped before the answer arrived; the trigger may have run.',
  status: 0,
  kind: 'ambiguous'
}

const ROWS_PER_RECORD = 5000

function serialize(records: readonly JournalRecord[]): string {
  let out = ''
  for (const r of records) {
    // Error texts and reasons come from the portal or from us; scrub them once more on the way
    // to disk, so even a careless caller cannot write a secret into the journal.
    let safe: JournalRecord = r
    if ('error' in safe && safe.error) safe = { ...safe, error: { ...safe.error, description: redact(safe.error.description) } }
    if (safe.t === 'state' && safe.reason) safe = { ...safe, reason: redact(safe.reason) }
    out += JSON.stringify(safe)
    out += '\n'
  }
  return out
}

/** The planned rows as `rows` records of a few thousand rows each. */
export function* rowRecords(rows: readonly PlannedRow[]): Generator<JournalRecord> {
  for (let from = 0; from < rows.length; from += ROWS_PER_RECORD) {
    const codes: string[] = []
    const codeIndex = new Map<string, number>()
    const chunk: CompactRow[] = []
    for (const row of rows.slice(from, from + ROWS_PER_RECORD)) {
      let c = codeIndex.get(row.code)
      if (c === undefined) {
        c = codes.length
        codes.push(row.code)
        codeIndex.set(row.code, c)
      }
      if (row.verdict === 'valid') {
        chunk.push([row.line, row.ownerTypeId, row.ownerId, c])
        continue
      }
      const detail: SkipDetail = {}
      if (row.raw !== undefined) detail.raw = row.raw
      if (row.duplicateOf !== undefined) detail.duplicateOf = row.duplicateOf
      if (row.idCell !== undefined && row.idCell !== row.raw) detail.id = row.idCell
      chunk.push(Object.keys(detail).length === 0 ? [row.line, row.ownerTypeId, row.ownerId, c, row.verdict] : [row.line, row.ownerTypeId, row.ownerId, c, row.verdict, detail])
    }
    yield { t: 'rows', from, codes, rows: chunk }
  }
}

export class JournalWriter {
  private chain: Promise<void> = Promise.resolve()
  private failure: Error | undefined

  private constructor(private readonly handle: FileHandle) {}

  /** Opens for appending. A line torn by a crash is cut off first, so new records never
   * continue a half-written one. */
  static async open(file: string): Promise<JournalWriter> {
    const handle = await open(file, 'a+')
    try {
      await cutTornTail(handle)
    } catch (err) {
      await handle.close()
      throw err
    }
    return new JournalWriter(handle)
  }

  /** Appended and flushed to disk before this resolves. */
  durable(records: readonly JournalRecord[]): Promise<void> {
    return this.enqueue(serialize(records), true)
  }

  /** Appended in order; it reaches the disk with the next durable write (or close). */
  append(records: readonly JournalRecord[]): Promise<void> {
    return this.enqueue(serialize(records), false)
  }

  async close(): Promise<void> {
    await this.enqueue('', true).catch(() => undefined)
    await this.handle.close()
  }

  private enqueue(text: string, flush: boolean): Promise<void> {
    const next = this.chain.then(async () => {
      if (this.failure) throw this.failure
      try {
        if (text) await this.handle.write(text)
        if (flush) await this.handle.datasync()
      } catch (err) {
        // After a failed write the file's tail is unknown: refuse everything after it.
        this.failure = err instanceof Error ? err : new Error(String(err))
        throw this.failure
      }
    })
    this.chain = next.catch(() => undefined)
    return next
  }
}

async function cutTornTail(handle: FileHandle): Promise<void> {
  const { size } = await handle.stat()
  if (size === 0) return
  const tail = Buffer.alloc(Math.min(size, 1 << 16))
  let end = size
  for (;;) {
    const start = Math.max(0, end - tail.length)
    const { bytesRead } = await handle.read(tail, 0, end - start, start)
    const nl = tail.subarray(0, bytesRead).lastIndexOf(0x0a)
    if (nl >= 0) {
      const keep = start + nl + 1
      if (keep < size) await handle.truncate(keep)
      return
    }
    if (start === 0) {
      await handle.truncate(0)
      return
    }
    end = start
  }
}

/** Reads every complete record in order. A last line torn by a crash is ignored; damage
 * anywhere else is an error, because guessing could re-send a row that already ran. */
export async function readJournal(file: string, onRecord: (record: JournalRecord) => void): Promise<void> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity })
  let lineNo = 0
  let bad: number | undefined
  for await (const line of lines) {
    lineNo++
    if (bad !== undefined) throw new Error(`${file}: damaged record on line ${bad}`)
    if (line === '') continue
    let record: JournalRecord
    try {
      record = JSON.parse(line) as JournalRecord
    } catch {
      bad = lineNo
      continue
    }
    onRecord(record)
  }
}

/** A journaled SkipDetail as the importer gave it. Without `id`, the ID cell is `raw` when the
 * ID cell is what was wrong with the row. */
function skipDetail(verdict: RowVerdict | undefined, detail: SkipDetail): Pick<ImportedRow, 'raw' | 'duplicateOf' | 'idCell'> {
  const { id, ...rest } = detail
  const idCell = id ?? (verdict !== undefined && ID_VERDICTS.has(verdict) ? detail.raw : undefined)
  return idCell === undefined ? rest : { ...rest, idCell }
}

export interface ReplayedRun {
  table: RowTable
  /** Last state record, if any. */
  lastState?: { state: RunStateName; reason?: string; error?: ErrorInfo; at: number }
  /** Highest batch id used so far. */
  lastBatch: number
  /** Rows sent whose answer never arrived: uncertain in `table`, not yet journaled so. */
  interrupted: number[]
  /** Some row was ever sent. */
  everSent: boolean
}

/** Rebuilds a run's rows and outcomes from its journal. */
export async function replayJournal(file: string, totalRows: number): Promise<ReplayedRun> {
  const table = new RowTable(totalRows)
  const out: ReplayedRun = { table, lastBatch: 0, interrupted: [], everSent: false }
  await readJournal(file, (r) => {
    switch (r.t) {
      case 'rows':
        for (const [line, ownerTypeId, ownerId, c, verdict, detail] of r.rows) {
          table.push({ line, ownerTypeId, ownerId, code: r.codes[c] ?? '', verdict: verdict ?? 'valid', ...(detail && skipDetail(verdict, detail)) })
        }
        break
      case 'intent':
        out.everSent = true
        out.lastBatch = Math.max(out.lastBatch, r.batch)
        for (const i of r.rows) {
          table.open[i] = 1
          table.attempts[i] = Math.min(255, (table.attempts[i] as number) + 1)
          table.markStarted(i, r.at)
        }
        break
      case 'release':
        for (const i of r.rows) {
          table.open[i] = 0
          if (!r.counted) table.attempts[i] = Math.max(0, (table.attempts[i] as number) - 1)
        }
        break
      case 'outcome':
        table.setOutcome(r.row, r.outcome, r.at, r.attempt, r.error, r.time)
        break
      case 'verify-before':
        table.setStage(r.row, 'before', r.stage)
        break
      case 'verify-after':
        table.setStage(r.row, 'after', r.stage)
        break
      case 'state':
        out.lastState = { state: r.state, at: r.at, ...(r.reason !== undefined && { reason: r.reason }), ...(r.error && { error: r.error }) }
        break
    }
  })
  for (let i = 0; i < table.rowsLoaded; i++) {
    if (table.open[i] && table.isPending(i)) {
      out.interrupted.push(i)
      table.setOutcome(i, 'uncertain', out.lastState?.at ?? 0, table.attempts[i] as number, INTERRUPTED)
    }
  }
  return out
}

/** Outcome records for rows that were sent when the app stopped: they may have run. */
export function interruptedOutcomes(run: ReplayedRun, at: number): JournalRecord[] {
  return run.interrupted.map((row) => ({
    t: 'outcome',
    row,
    outcome: 'uncertain',
    attempt: run.table.attempts[row] as number,
    at,
    error: INTERRUPTED
  }))
}
