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
import { open, rm, stat, type FileHandle } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { DiskFullError, explainWriteError, writeAll, type WritableHandle } from '../durable-write'
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

export const JOURNAL_DAMAGED: ErrorInfo = {
  code: 'JOURNAL_DAMAGED',
  description: "The run's journal has a damaged record that may have named this row; the trigger may have run.",
  status: 0,
  kind: 'ambiguous'
}

/** Rows beyond the highest one named that a damaged last intent could still have covered:
 * several batches of at most 50. */
const DAMAGE_MARGIN_ROWS = 50 * 8

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

/** What a write is for: an intent may be refused on a low disk (nothing is sent then); records
 * of what already happened may use the reserve, so a full disk does not lose them. */
type WriteKind = 'intent' | 'records'

export interface JournalOpenOptions {
  /** Where writes go; tests inject one that writes part of a buffer, as a full disk does. */
  writer?: (handle: FileHandle) => WritableHandle
  /** Bytes set aside beside the journal (`journal.jsonl.reserve`) while a run is sent. When the
   * disk fills up they are given back, so the outcomes of batches already sent and the pause
   * itself are still recorded; no intent is written after that. */
  reserveBytes?: number
}

export class JournalWriter {
  private chain: Promise<void> = Promise.resolve()
  private failure: Error | undefined
  /** The disk filled up: no more intents (the run pauses); records may still be written. */
  private full: DiskFullError | undefined

  private constructor(
    private readonly handle: FileHandle,
    private readonly file: string,
    /** The file's size after the last complete write: a failed write is cut back to it. */
    private bytes: number,
    private reserve: string | undefined,
    private readonly writer: WritableHandle = handle
  ) {}

  /** Opens for appending. A line torn by a crash (or a full disk) is cut off first, so new
   * records never continue a half-written one. */
  static async open(file: string, options: JournalOpenOptions = {}): Promise<JournalWriter> {
    let handle: FileHandle
    try {
      handle = await open(file, 'a+')
    } catch (err) {
      throw explainWriteError(err, file)
    }
    let reserve: string | undefined
    try {
      await cutTornTail(handle)
      if (options.reserveBytes) {
        reserve = `${file}.reserve`
        await setAside(reserve, options.reserveBytes)
      }
      const { size } = await handle.stat()
      return new JournalWriter(handle, file, size, reserve, options.writer?.(handle))
    } catch (err) {
      await handle.close()
      if (reserve) await rm(reserve, { force: true }).catch(() => undefined)
      throw explainWriteError(err, file)
    }
  }

  /** The write that failed, if one did: nothing more is written by this writer. */
  get failed(): Error | undefined {
    return this.failure
  }

  /** The disk filled up: intents are refused from now on (records still go in). */
  get diskFull(): DiskFullError | undefined {
    return this.full
  }

  /** A batch's intent, on disk in full before this resolves; refused once the disk filled up. */
  intent(records: readonly JournalRecord[]): Promise<void> {
    return this.enqueue(serialize(records), true, 'intent')
  }

  /** Appended and flushed to disk before this resolves; refused when the journal file is no
   * longer where it was opened (its run folder was deleted or moved while the run went on). */
  durable(records: readonly JournalRecord[]): Promise<void> {
    return this.enqueue(serialize(records), true, 'records')
  }

  /** Appended in order; it reaches the disk with the next durable write (or close). */
  append(records: readonly JournalRecord[]): Promise<void> {
    return this.enqueue(serialize(records), false, 'records')
  }

  private async assertInPlace(): Promise<void> {
    const [open, named] = await Promise.all([this.handle.stat(), stat(this.file).catch(() => undefined)])
    if (!named || named.ino !== open.ino || named.dev !== open.dev) throw new JournalGoneError(this.file)
  }

  async close(): Promise<void> {
    await this.chain
    if (!this.failure) await this.handle.datasync().catch(() => undefined)
    await this.handle.close()
    if (this.reserve) await rm(this.reserve, { force: true }).catch(() => undefined)
    this.reserve = undefined
  }

  private enqueue(text: string, flush: boolean, kind: WriteKind): Promise<void> {
    const next = this.chain.then(async () => {
      if (this.failure) throw this.failure
      if (kind === 'intent' && this.full) throw this.full
      try {
        await this.write(text, flush)
      } catch (err) {
        const failure = explainWriteError(err, this.file)
        if (failure instanceof DiskFullError && (await this.cutBack())) {
          // Nothing of this write is on disk any more, and the file ends in a whole record.
          this.full ??= failure
          if (kind === 'records' && (await this.giveBackReserve())) {
            try {
              await this.write(text, flush)
              return
            } catch (again) {
              this.failure = explainWriteError(again, this.file)
              await this.cutBack()
              throw this.failure
            }
          }
          if (kind === 'intent') throw failure
        }
        // Anything else, or a tail we could not restore: refuse everything after it (a reader
        // never meets half a record: the next open cuts a torn line).
        this.failure = failure
        throw this.failure
      }
    })
    this.chain = next.catch(() => undefined)
    return next
  }

  private async write(text: string, flush: boolean): Promise<void> {
    // Every byte or an error: a short write (a full disk) must never pass for durable.
    if (text) await writeAll(this.writer, text, this.file)
    if (flush) await this.handle.datasync()
    if (flush) await this.assertInPlace()
    this.bytes += Buffer.byteLength(text)
  }

  /** Cuts the file back to its last complete write. */
  private async cutBack(): Promise<boolean> {
    try {
      await this.handle.truncate(this.bytes)
      return true
    } catch {
      return false
    }
  }

  private async giveBackReserve(): Promise<boolean> {
    if (!this.reserve) return false
    const file = this.reserve
    this.reserve = undefined
    return rm(file, { force: true }).then(
      () => true,
      () => false
    )
  }
}

/** Real blocks, not a sparse file: zeros written and synced, so deleting it frees that much. */
async function setAside(file: string, bytes: number): Promise<void> {
  const handle = await open(file, 'w', 0o600)
  try {
    const chunk = Buffer.alloc(Math.min(bytes, 64 * 1024))
    for (let left = bytes; left > 0; left -= chunk.length) await writeAll(handle, chunk.subarray(0, Math.min(left, chunk.length)), file)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** The journal's run folder was deleted (or moved) while the run went on: records written from
 * now on would reach no one, and a resume could not find them. */
export class JournalGoneError extends Error {
  readonly code = 'JOURNAL_GONE'
  constructor(readonly file: string) {
    super(`The run's journal ${file} was deleted or moved while the run went on.`)
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

/** A line in the middle of the journal that is not a record (a disk fault, an edit by hand). */
export interface DamagedLine {
  line: number
  text: string
}

/** The journal cannot be salvaged: the planned rows themselves are damaged. */
export class JournalDamagedError extends Error {
  readonly code = 'JOURNAL_DAMAGED'
  constructor(
    readonly file: string,
    readonly line: number
  ) {
    super(`The run's journal ${file} is damaged on line ${line}, in the list of planned rows: this run cannot be read. Its other runs are not affected; start a new run from the file.`)
  }
}

/** Reads every complete record in order. A last line torn by a crash is ignored. A damaged line
 * anywhere else is reported to `onDamage` and skipped (the records around it are still read);
 * without `onDamage` it is an error, because guessing could re-send a row that already ran. */
export async function readJournal(file: string, onRecord: (record: JournalRecord) => void, onDamage?: (damage: DamagedLine) => void): Promise<void> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity })
  let lineNo = 0
  let bad: DamagedLine | undefined
  for await (const line of lines) {
    lineNo++
    if (bad !== undefined) {
      if (!onDamage) throw new Error(`${file}: damaged record on line ${bad.line}`)
      if (bad.text.startsWith('{"t":"rows"')) throw new JournalDamagedError(file, bad.line)
      onDamage(bad)
      bad = undefined
    }
    if (line === '') continue
    let record: JournalRecord
    try {
      record = JSON.parse(line) as JournalRecord
      if (typeof record !== 'object' || record === null || typeof record.t !== 'string') throw new Error('not a record')
    } catch {
      bad = { line: lineNo, text: line }
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
  /** Lines of the journal that could not be read (salvaged around; see replayJournal). */
  damaged: DamagedLine[]
  /** Pending rows made uncertain because a damaged line may have named them (JOURNAL_DAMAGED). */
  damagedRows: number[]
}

/** Rebuilds a run's rows and outcomes from its journal. */
export async function replayJournal(file: string, totalRows: number): Promise<ReplayedRun> {
  const table = new RowTable(totalRows)
  const out: ReplayedRun = { table, lastBatch: 0, interrupted: [], everSent: false, damaged: [], damagedRows: [] }
  /** Highest row any record names, and whether an intent was read after the last damage. */
  let highestRow = -1
  let intentAfterDamage = true
  const saw = (row: number): void => {
    if (row > highestRow) highestRow = row
  }
  const onDamage = (d: DamagedLine): void => {
    out.damaged.push(d)
    intentAfterDamage = false
    // Row numbers still legible in the damaged text count as named.
    for (const m of d.text.matchAll(/"rows?":\[?([\d,]+)/g)) for (const n of (m[1] ?? '').split(',')) if (n) saw(Number(n))
  }
  await readJournal(file, (r) => {
    switch (r.t) {
      case 'rows':
        for (const [line, ownerTypeId, ownerId, c, verdict, detail] of r.rows) {
          table.push({ line, ownerTypeId, ownerId, code: r.codes[c] ?? '', verdict: verdict ?? 'valid', ...(detail && skipDetail(verdict, detail)) })
        }
        break
      case 'intent':
        out.everSent = true
        intentAfterDamage = true
        out.lastBatch = Math.max(out.lastBatch, r.batch)
        for (const i of r.rows) {
          saw(i)
          table.open[i] = 1
          table.attempts[i] = Math.min(255, (table.attempts[i] as number) + 1)
          table.markStarted(i, r.at)
        }
        break
      case 'release':
        for (const i of r.rows) {
          saw(i)
          table.open[i] = 0
          if (!r.counted) table.attempts[i] = Math.max(0, (table.attempts[i] as number) - 1)
        }
        break
      case 'outcome':
        saw(r.row)
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
  }, onDamage)
  if (out.damaged.length > 0) {
    // A damaged line may have been an intent: any pending row it could have named might have
    // run, so it must not be sent again by itself. Rows are taken in order, so a lost intent named
    // rows up to the highest row any record names, or, when no intent could be read after the
    // damage, up to a few batches beyond it. Those rows become uncertain (the user decides
    // whether to re-run them); rows further on are still pending.
    out.everSent = true
    const limit = Math.min(table.rowsLoaded - 1, highestRow + (intentAfterDamage ? 0 : DAMAGE_MARGIN_ROWS))
    for (let i = 0; i <= limit; i++) {
      if (!table.isPending(i) || table.open[i]) continue
      out.damagedRows.push(i)
      table.setOutcome(i, 'uncertain', out.lastState?.at ?? 0, table.attempts[i] as number, JOURNAL_DAMAGED)
    }
  }
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
  const uncertain = (rows: readonly number[], error: ErrorInfo): JournalRecord[] =>
    rows.map((row) => ({ t: 'outcome', row, outcome: 'uncertain', attempt: run.table.attempts[row] as number, at, error }))
  // Rows judged from a damaged journal get their outcome written, so the judgement is made once.
  return [...uncertain(run.interrupted, INTERRUPTED), ...uncertain(run.damagedRows, JOURNAL_DAMAGED)]
}
