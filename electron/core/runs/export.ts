// Result export: one line per input row, as CSV for Excel (UTF-8 with BOM, ";", CRLF, formulas
// neutralised) or as a JSON array, written as a stream so a million rows never become one
// string. Only the whitelisted fields of ExportRow are written, whatever else a caller's objects
// carry, and portal-supplied text is passed through the secret redactor once more.
import { createHash } from 'node:crypto'
import { createWriteStream, rmSync } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import Papa from 'papaparse'
import type { CsvSourceLayout, ImportedRow, Outcome, Verification } from '../../shared/domain'
import { redact } from '../bitrix/redact'
import { NotWritableError, explainWriteError, syncDir } from '../durable-write'
import { CsvImportError } from './csv-errors'
import { CsvRowReader, type SourceRow } from './csv-rows'
import { decodeText, readBytes, type CsvInput } from './csv-source'
import { verdictText } from './csv-verdicts'
import { XlsxSourceColumns } from './xlsx-columns'

/** One result row, as the runner maps it from the journal. */
export interface ExportRow {
  /** The input row's line (ImportedRow.line): what the source columns are matched by. */
  line: number
  ownerTypeId: number
  ownerId: number
  /** Skipped rows: the owner-ID cell as it was in the file (ownerId is 0 when it did not parse). */
  sourceValue?: string
  code: string
  outcome: Outcome
  /** The portal's `error` string ("" allowed) or the skip reason. */
  errorCode?: string
  errorText?: string
  attempts?: number
  verification?: Verification
  /** ISO 8601. */
  startedAt?: string
  finishedAt?: string
}

export const RESULT_COLUMNS = [
  'line',
  'owner_type_id',
  'owner_id',
  'source_value',
  'code',
  'outcome',
  'error_code',
  'error_text',
  'attempts',
  'verification',
  'started_at',
  'finished_at'
] as const

export type ExportFormat = 'csv' | 'json'

export interface ExportOptions {
  /** The imported file and how it was read (ImportSummary.source): adds its columns to each row. */
  source?: { input: CsvInput; layout: CsvSourceLayout }
}

/** A skipped input row as a result row. */
export function skippedExportRow(row: ImportedRow): ExportRow {
  return {
    line: row.line,
    ownerTypeId: row.ownerTypeId,
    ownerId: row.ownerId,
    ...(row.idCell !== undefined && { sourceValue: row.idCell }),
    code: row.code,
    outcome: 'skipped',
    errorCode: row.verdict,
    errorText: verdictText(row)
  }
}

export function verificationText(v: Verification | undefined): string {
  if (!v) return ''
  if (v.state === 'moved') return `moved ${v.from} -> ${v.to}`
  // A read leaves out items the user may not see: absence is not proof the item does not exist.
  return v.state === 'unchanged' ? 'unchanged' : 'not found or not visible'
}

// Cells a spreadsheet would run as a formula (OWASP "CSV injection"). papaparse's own default
// pattern ends in `.*$` and so misses cells with a line break, e.g. "=1+1\n". A cell that is
// wholly a number ("-12", "-0,5", "+3.25", "1e-3") cannot run anything, and escaping it would
// turn a spreadsheet's negative amounts into text: those stay as they are.
const FORMULA = /^(?![+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)(?:[eE][+-]?\d+)?$)[=+\-@\t\r]/

/** The CSV's time columns: in UTC, said in the header, written as "2025-01-02 03:04:05", which
 * Excel (and LibreOffice, Google Sheets) reads as a date-time in every locale; ISO 8601 with
 * "T" and "Z" stays text. JSON keeps ISO 8601, which names its zone itself. */
const CSV_HEADER: Partial<Record<(typeof RESULT_COLUMNS)[number], string>> = {
  started_at: 'started_at (UTC)',
  finished_at: 'finished_at (UTC)'
}

export const CSV_RESULT_HEADER: readonly string[] = RESULT_COLUMNS.map((name) => CSV_HEADER[name] ?? name)

export function spreadsheetTime(iso: string): string {
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? iso : date.toISOString().slice(0, 19).replace('T', ' ')
}
const CSV_BATCH_ROWS = 1000
const FLUSH_CHARS = 64 * 1024

/** Writes all rows to `out` (a path, written via a temporary file and renamed when complete, or
 * an open stream, which is left open). With a source, rows must come in ascending line order,
 * except an array, which is sorted. Resolves with the number of rows written. */
export async function exportResults(
  rows: Iterable<ExportRow> | AsyncIterable<ExportRow>,
  format: ExportFormat,
  out: NodeJS.WritableStream | string,
  options: ExportOptions = {}
): Promise<{ rows: number }> {
  const source = options.source
  if (source) await assertUnchanged(source.input, source.layout)
  if (source && Array.isArray(rows) && !isAscending(rows)) rows = [...rows].sort((a, b) => a.line - b.line)
  const counter = { rows: 0 }
  const text = Readable.from(render(rows, format, source, counter))
  if (typeof out !== 'string') {
    await pipeline(text, out, { end: false })
    return counter
  }
  const partial = `${out}.partial`
  unfinished.add(partial)
  watchExit()
  try {
    // flush: the stream fsyncs before it closes, so the renamed file holds every byte (the
    // stream itself writes the rest of a short write, and fails on a full disk).
    await pipeline(text, createWriteStream(partial, { flush: true }))
    await rename(partial, out)
    await syncDir(dirname(out))
    return counter
  } catch (err) {
    await rm(partial, { force: true })
    throw explainExportError(err, out)
  } finally {
    unfinished.delete(partial)
  }
}

/** Where the export cannot go, in the user's words: Node's ENOENT/EISDIR name the temporary
 * `.partial` file, which the user never typed. */
const BAD_PLACE: Record<string, string> = {
  ENOENT: 'its folder does not exist',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder; give a file name'
}
function explainExportError(err: unknown, out: string): Error {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  const reason = code ? BAD_PLACE[code] : undefined
  return reason ? new NotWritableError(out, reason) : explainWriteError(err, out)
}

/** Exports being written right now: a process that exits mid-way (Ctrl-C) removes them, so no
 * `.partial` file is left behind to be mistaken for results. */
const unfinished = new Set<string>()
let watching = false

function watchExit(): void {
  if (watching) return
  watching = true
  process.once('exit', () => {
    for (const file of unfinished) rmSync(file, { force: true })
  })
}

function isAscending(rows: readonly ExportRow[]): boolean {
  for (let i = 1; i < rows.length; i++) if (rows[i]!.line < rows[i - 1]!.line) return false
  return true
}

/** The export's text in chunks of about FLUSH_CHARS, pulled by the stream as it drains. */
async function* render(
  rows: Iterable<ExportRow> | AsyncIterable<ExportRow>,
  format: ExportFormat,
  source: ExportOptions['source'],
  counter: { rows: number }
): AsyncGenerator<string> {
  const columns = !source ? undefined :
    source.layout.format === 'xlsx' ? new XlsxSourceColumns(source.input, source.layout) : new SourceColumns(source.input, source.layout)
  const sourceNames = source?.layout.columns ?? []
  const jsonNames = uniqueNames(sourceNames)
  let buffer = format === 'csv' ? '\uFEFF' : '['
  let batch: (string | number)[][] = format === 'csv' ? [[...sourceNames, ...CSV_RESULT_HEADER]] : []
  const csvBatch = (): string => {
    const text = batch.length === 0 ? '' : Papa.unparse(batch, { delimiter: ';', newline: '\r\n', escapeFormulae: FORMULA }) + '\r\n'
    batch = []
    return text
  }
  let lastLine = -Infinity
  try {
    for await (const row of rows) {
      if (columns && row.line < lastLine) {
        throw new CsvImportError('export-order', `Rows must be in ascending line order to add the source columns (line ${row.line} after ${lastLine}).`)
      }
      lastLine = row.line
      const cells = columns ? await columns.at(row.line, sourceNames.length) : []
      if (format === 'csv') {
        batch.push([...cells, ...resultCells(row)])
        if (batch.length >= CSV_BATCH_ROWS) buffer += csvBatch()
      } else {
        const record: Record<string, unknown> = resultRecord(row)
        if (columns) record.source = Object.fromEntries(jsonNames.map((name, i) => [name, cells[i]]))
        buffer += (counter.rows === 0 ? '\n' : ',\n') + JSON.stringify(record)
      }
      counter.rows++
      if (buffer.length >= FLUSH_CHARS) {
        yield buffer
        buffer = ''
      }
    }
    buffer += format === 'csv' ? csvBatch() : counter.rows === 0 ? ']\n' : '\n]\n'
    yield buffer
  } finally {
    await columns?.close()
  }
}

function resultCells(row: ExportRow): (string | number)[] {
  const r = resultRecord(row)
  if (row.startedAt) r.started_at = spreadsheetTime(row.startedAt)
  if (row.finishedAt) r.finished_at = spreadsheetTime(row.finishedAt)
  return RESULT_COLUMNS.map((name) => r[name] ?? '')
}

function resultRecord(row: ExportRow): Record<(typeof RESULT_COLUMNS)[number], string | number | null> {
  return {
    line: row.line,
    // 0 is how an import row says "not known" (an ID cell that did not parse).
    owner_type_id: row.ownerTypeId || null,
    owner_id: row.ownerId || null,
    source_value: row.sourceValue === undefined ? null : redact(row.sourceValue),
    code: row.code,
    outcome: row.outcome,
    error_code: row.errorCode === undefined ? null : redact(row.errorCode),
    error_text: row.errorText === undefined ? null : redact(row.errorText),
    attempts: row.attempts ?? null,
    verification: row.verification ? verificationText(row.verification) : null,
    started_at: row.startedAt ?? null,
    finished_at: row.finishedAt ?? null
  }
}

/** JSON keys must be unique; a CSV header need not be. */
function uniqueNames(names: readonly string[]): string[] {
  const used = new Set<string>()
  return names.map((name) => {
    let unique = name
    for (let n = 2; used.has(unique); n++) unique = `${name}_${n}`
    used.add(unique)
    return unique
  })
}

/** The export re-reads the file rather than keeping a million rows of cells from the import;
 * a file edited since would put other people's cells next to the results, so refuse it. */
async function assertUnchanged(input: CsvInput, layout: CsvSourceLayout): Promise<void> {
  const hash = createHash('sha256')
  let byteLength = 0
  for await (const bytes of readBytes(input)) {
    hash.update(bytes)
    byteLength += bytes.length
  }
  if (byteLength !== layout.byteLength || hash.digest('hex') !== layout.sha256) {
    throw new CsvImportError('source-changed', 'The source file has changed since it was imported, so its columns cannot be matched to the results.')
  }
}

/** Source cells by line, read forward through the file alongside the ascending result rows. */
class SourceColumns {
  private readonly chunks: AsyncGenerator<string>
  private readonly reader: CsvRowReader
  private queue: SourceRow[] = []
  private next = 0
  private ended = false
  private headerPending: boolean

  constructor(input: CsvInput, layout: CsvSourceLayout) {
    this.chunks = decodeText(input, layout.encoding)
    this.reader = new CsvRowReader(layout.delimiter)
    this.headerPending = layout.hasHeader
  }

  /** The cells of the row starting on `line`, padded or cut to `width`; blanks when none. */
  async at(line: number, width: number): Promise<string[]> {
    for (;;) {
      while (this.next < this.queue.length) {
        const row = this.queue[this.next]!
        if (row.line === line) return fit(row.fields ?? [], width)
        if (row.line > line) return fit([], width)
        this.next++
      }
      if (this.ended) return fit([], width)
      await this.fill()
    }
  }

  private async fill(): Promise<void> {
    this.queue = []
    this.next = 0
    const sink = (row: SourceRow): void => {
      if (this.headerPending) this.headerPending = false
      else this.queue.push(row)
    }
    const chunk = await this.chunks.next()
    if (chunk.done) {
      this.reader.end(sink)
      this.ended = true
    } else {
      this.reader.push(chunk.value, sink)
    }
  }

  async close(): Promise<void> {
    await this.chunks.return(undefined)
  }
}

function fit(cells: string[], width: number): string[] {
  if (cells.length === width) return cells
  return Array.from({ length: width }, (_, i) => cells[i] ?? '')
}
