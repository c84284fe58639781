// Step 1 of a CSV import: look at a file (its encoding over all of it, its rows from the head
// only) and propose how to read it, for the preview where the user picks the columns.
import type { CsvColumnInfo, CsvDelimiter, CsvEncoding, CsvInspection } from '../../shared/domain'
import { detectDelimiter, guessLayout } from './csv-detect'
import { CsvRowReader, type SourceRow } from './csv-rows'
import { decodeText, scanBytes, type CsvInput } from './csv-source'
import type { OwnerTypeResolver } from './csv-verdicts'

export interface InspectOptions {
  /** Overrides, when the user corrects a guess in the preview. */
  encoding?: CsvEncoding
  delimiter?: CsvDelimiter | null
  hasHeader?: boolean
  /** Lets a column named just "Type"/"Тип" be suggested when its values are owner types. */
  resolveOwnerType?: OwnerTypeResolver
  /** Data rows in `previewRows` (default 20). */
  previewRows?: number
  maxRowChars?: number
}

/** Text the delimiter is guessed from. */
const HEAD_CHARS = 64 * 1024
/** Rows the header and column guesses look at. */
const SAMPLE_ROWS = 50
const CELL_CHARS = 200
const MAX_COLUMNS = 256
const SAMPLES_PER_COLUMN = 5

const cut = (cell: string): string => (cell.length > CELL_CHARS ? cell.slice(0, CELL_CHARS) : cell)

export async function inspectCsv(input: CsvInput, options: InspectOptions = {}): Promise<CsvInspection> {
  const scan = await scanBytes(input)
  const encoding = options.encoding ?? scan.encoding
  const previewCount = options.previewRows ?? 20

  const chunks = decodeText(input, encoding)
  try {
    // Read the head first: the delimiter must be known before any row is split.
    const head: string[] = []
    let headChars = 0
    let ended = false
    while (headChars < HEAD_CHARS) {
      const next = await chunks.next()
      if (next.done) {
        ended = true
        break
      }
      head.push(next.value)
      headChars += next.value.length
    }
    let sample = head.join('').slice(0, HEAD_CHARS)
    // Do not judge the delimiter by a row cut in half.
    if (!ended && sample.lastIndexOf('\n') > 0) sample = sample.slice(0, sample.lastIndexOf('\n'))
    const delimiter = options.delimiter !== undefined ? options.delimiter : detectDelimiter(sample)

    const rows: SourceRow[] = []
    const want = Math.max(SAMPLE_ROWS, previewCount + 1)
    const sink = (row: SourceRow): boolean => rows.push(row) < want
    const reader = new CsvRowReader(delimiter, options.maxRowChars)
    let reading = head.every((text) => reader.push(text, sink))
    while (reading && !ended) {
      const next = await chunks.next()
      if (next.done) ended = true
      else reading = reader.push(next.value, sink)
    }
    if (reading) reader.end(sink)

    const cells = rows.map((r) => r.fields ?? [])
    const guess = guessLayout(cells, options.hasHeader, options.resolveOwnerType)
    const hasHeader = guess.hasHeader
    const preview = rows.slice(0, previewCount + (hasHeader ? 1 : 0))
    const lines = scan.lines
    return {
      encoding,
      delimiter,
      hasHeader,
      columns: describeColumns(cells, hasHeader),
      previewRows: preview.map((r) => previewCells(r.fields ?? [])),
      previewLines: preview.map((r) => r.line),
      totalRowsEstimate: Math.max(0, lines - (hasHeader ? 1 : 0)),
      suggested: {
        ...(guess.idColumn !== undefined ? { idColumn: guess.idColumn } : {}),
        ...(guess.ownerTypeColumn !== undefined ? { ownerTypeColumn: guess.ownerTypeColumn } : {}),
        ...(guess.codeColumn !== undefined ? { codeColumn: guess.codeColumn } : {})
      }
    }
  } finally {
    // Closes the file when the preview stopped before its end.
    await chunks.return(undefined)
  }
}

/** A preview row as the screen shows it: the first columns, each cell cut to a readable length. */
export function previewCells(fields: readonly string[]): string[] {
  return fields.slice(0, MAX_COLUMNS).map(cut)
}

/** Each column's name (its header cell, or a letter) and a few non-empty sample cells; the
 * workbook inspection describes its sheets the same way. */
export function describeColumns(rows: string[][], hasHeader: boolean): CsvColumnInfo[] {
  const data = hasHeader ? rows.slice(1) : rows
  const width = Math.min(MAX_COLUMNS, Math.max(0, ...rows.map((r) => r.length)))
  const columns: CsvColumnInfo[] = []
  for (let index = 0; index < width; index++) {
    const name = hasHeader ? (rows[0]?.[index] ?? '').trim() : ''
    const sample: string[] = []
    for (const row of data) {
      const cell = (row[index] ?? '').trim()
      if (cell !== '') sample.push(cut(cell))
      if (sample.length === SAMPLES_PER_COLUMN) break
    }
    columns.push({ index, name: name === '' ? columnName(index) : cut(name), sample })
  }
  return columns
}

/** The name of a column that has no header cell. */
export function columnName(index: number): string {
  return `column_${index + 1}`
}
