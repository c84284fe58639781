// Reads Excel workbooks (.xlsx) row by row for the import, the preview and the export, with
// exceljs's streaming reader: the sheet's XML is parsed as it is unzipped, one row at a time,
// so a 200,000-row sheet never sits in memory as a whole and the event loop gets a turn
// between chunks (Electron main stays responsive while it reads).
//
// Why exceljs (see docs/architecture.md "Spreadsheet input"): the npm `xlsx` (SheetJS) 0.18.5
// has unpatched advisories (CVE-2023-30533 prototype pollution, CVE-2024-22363 ReDoS) because
// its fixed builds are no longer published to npm; exceljs is MIT, maintained, has no open
// advisory of its own, reads .xlsx as a stream, and is loaded only in main/CLI (never in the
// renderer bundle). Old binary .xls (BIFF) has no safe, maintained reader on npm, so it is
// refused with a "save as .xlsx or CSV" message rather than parsed by hand.
//
// Cells become the text the row verdicts judge (csv-verdicts.ts), chosen so that nothing that
// is not an ID can pass for one: numbers stored as 123.0 read as "123"; dates read as an ISO
// date; formulas read as their formula text ("=A2+1"), never as their cached result.
import { Readable } from 'node:stream'
import { basename } from 'node:path'
import { open } from 'node:fs/promises'
import type ExcelJS from 'exceljs'
import { CsvImportError } from './csv-errors'
import type { CsvInput } from './csv-source'

export type SourceFormat = 'csv' | 'xlsx' | 'xls'

type ExcelModule = typeof ExcelJS
let excel: Promise<ExcelModule> | undefined

/** exceljs takes about a second to load: only when a workbook is actually read, so the CLI and
 * the app start as fast as before for everything else. */
function loadExcel(): Promise<ExcelModule> {
  excel ??= import('exceljs').then((m) => ((m as { default?: ExcelModule }).default ?? (m as unknown as ExcelModule)))
  return excel
}

const ZIP = [0x50, 0x4b, 0x03, 0x04]
const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]

/** The input's format by its first bytes: a zip is taken as an .xlsx workbook, an OLE
 * compound file as an old .xls; anything else goes to the CSV reader (which has its own checks). */
export async function sniffFormat(input: CsvInput): Promise<SourceFormat> {
  let head: Uint8Array
  if (typeof input === 'string') {
    let handle
    try {
      handle = await open(input, 'r')
    } catch {
      // The CSV reader reports the unreadable file with its usual message.
      return 'csv'
    }
    try {
      const buf = Buffer.alloc(8)
      const { bytesRead } = await handle.read(buf, 0, 8, 0)
      head = buf.subarray(0, bytesRead)
    } catch {
      return 'csv'
    } finally {
      await handle.close()
    }
  } else {
    head = input.subarray(0, 8)
  }
  const starts = (sig: number[]): boolean => sig.every((b, i) => head[i] === b)
  if (starts(ZIP)) return 'xlsx'
  if (starts(OLE)) return 'xls'
  return 'csv'
}

export function xlsRefused(): CsvImportError {
  return new CsvImportError(
    'xls-unsupported',
    'This is an old Excel 97-2003 workbook (.xls), which the app does not read. In Excel or LibreOffice choose ' +
      'File > Save As > "Excel Workbook (.xlsx)" or "CSV UTF-8", and open that file instead.'
  )
}

/** One sheet row: its number as the spreadsheet shows it, and its cells as text (index 0 = column A). */
export interface SheetRow {
  line: number
  fields: string[]
}

const pad2 = (n: number): string => String(n).padStart(2, '0')

/** An Excel date as the sheet shows it: a day, or a day and time; never something parseOwnerId accepts. */
function dateText(d: Date): string {
  if (Number.isNaN(d.getTime())) return '#DATE?'
  const day = `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`
  const h = d.getUTCHours()
  const m = d.getUTCMinutes()
  const s = d.getUTCSeconds()
  return h || m || s ? `${day} ${pad2(h)}:${pad2(m)}:${pad2(s)}` : day
}

/** A cell's value as the text the row verdicts judge. */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'number') {
    // 123 and 123.0 are the same double; a whole number is written without exponent even when
    // huge, so it is judged "too large" rather than "not a whole number".
    if (Number.isInteger(value)) return Number.isSafeInteger(value) ? String(value) : BigInt(value).toString()
    return String(value)
  }
  if (typeof value === 'string') return value
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE'
  if (value instanceof Date) return dateText(value)
  if ('formula' in value || 'sharedFormula' in value) {
    // The cached result may be stale (or absent in files written by programs), and a computed
    // number is exactly the kind of value that could name the wrong item: never an ID.
    const f = value as { formula?: string; sharedFormula?: string }
    return `=${f.formula ?? f.sharedFormula ?? ''}`
  }
  if ('richText' in value) return value.richText.map((run) => run.text).join('')
  if ('error' in value) return String(value.error)
  if ('text' in value) {
    const text = (value as { text: unknown }).text
    // A hyperlink's text may itself be rich text.
    return typeof text === 'string' ? text : cellText(text as ExcelJS.CellValue)
  }
  return ''
}

function toStream(input: CsvInput): string | Readable {
  return typeof input === 'string' ? input : Readable.from([Buffer.from(input.buffer, input.byteOffset, input.byteLength)])
}

function unreadable(input: CsvInput, err: unknown): CsvImportError {
  if (err instanceof CsvImportError) return err
  const name = typeof input === 'string' ? `"${basename(input)}"` : 'the file'
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  const why =
    code === 'ENOENT' ? 'no such file' :
    code === 'EACCES' || code === 'EPERM' ? 'permission denied' :
    'it is not a readable Excel workbook (.xlsx)'
  return new CsvImportError('unreadable', `Cannot read ${name}: ${why}.`)
}

const READER_OPTIONS: Partial<ExcelJS.stream.xlsx.WorkbookStreamReaderOptions> = {
  sharedStrings: 'cache',
  // Needed: a date is a number with a date format, told apart only by its style.
  styles: 'cache',
  hyperlinks: 'ignore',
  worksheets: 'emit',
  entries: 'emit'
}

export interface SheetVisit {
  name: string
  /** 0-based position in the workbook's file order. */
  index: number
  /** Its non-empty rows; a sheet left unread is skipped over. */
  rows: AsyncGenerator<SheetRow>
}

/** Every sheet in the workbook's order. Stopping early (break) stops the unzipping too. */
export async function* readSheets(input: CsvInput): AsyncGenerator<SheetVisit> {
  const Excel = await loadExcel()
  let reader: ExcelJS.stream.xlsx.WorkbookReader
  try {
    reader = new Excel.stream.xlsx.WorkbookReader(toStream(input) as never, READER_OPTIONS)
  } catch (err) {
    throw unreadable(input, err)
  }
  let stylesSeen = false
  ;(reader as unknown as NodeJS.EventEmitter).on('entry', (entry: { type?: string }) => {
    if (entry.type === 'styles') stylesSeen = true
  })
  let index = 0
  try {
    for await (const sheet of reader) {
      const name = (sheet as unknown as { name?: string }).name ?? `Sheet${index + 1}`
      const rows = sheetRows(input, sheet as unknown as AsyncIterable<ExcelJS.Row>, () => stylesSeen, name)
      yield { name, index: index++, rows }
    }
  } catch (err) {
    throw unreadable(input, err)
  } finally {
    const stream = (reader as unknown as { stream?: Readable }).stream
    if (stream && typeof stream.destroy === 'function') stream.destroy()
  }
}

async function* sheetRows(
  input: CsvInput,
  sheet: AsyncIterable<ExcelJS.Row>,
  stylesSeen: () => boolean,
  name: string
): AsyncGenerator<SheetRow> {
  let checked = false
  try {
    for await (const row of sheet) {
      if (!checked) {
        checked = true
        // A sheet read before the workbook's styles would show every date as a plain number
        // (45000), which would pass for an ID. Real writers put the styles first; refuse the rest.
        if (!stylesSeen()) {
          throw new CsvImportError(
            'unreadable',
            `Sheet "${name}" comes before the workbook's styles, so its dates cannot be told from numbers. ` +
              'Open the file in Excel or LibreOffice and save it again as .xlsx, or save it as CSV.'
          )
        }
      }
      const values = row.values as ExcelJS.CellValue[] | undefined
      if (!Array.isArray(values)) continue
      // row.values is 1-based (index 0 is empty): column A is values[1].
      const fields: string[] = []
      let any = false
      for (let col = 1; col < values.length; col++) {
        const text = cellText(values[col])
        if (text.trim() !== '') any = true
        fields.push(text)
      }
      // A row the sheet stores but that holds nothing (formatting only) is not a row of data.
      if (any) yield { line: row.number, fields }
    }
  } catch (err) {
    throw unreadable(input, err)
  }
}

/** Passes over a sheet that is not wanted. It must still be started: exceljs parks a sheet stored
 * before the shared strings in a temporary file, opens a read stream on it lazily and deletes the
 * file as soon as the next sheet is asked for; a stream that had not opened by then fails with
 * ENOENT on an emitter nobody listens to, which ends the process. Reading one row opens it. */
export async function skipSheet(sheet: SheetVisit): Promise<void> {
  await sheet.rows.next()
  await sheet.rows.return(undefined)
}

/** The non-empty rows of one sheet (by name; the first sheet when none is named). */
export async function* sheetRowsOf(input: CsvInput, sheetName?: string, onSheet?: (name: string) => void): AsyncGenerator<SheetRow> {
  for await (const sheet of readSheets(input)) {
    if (sheetName !== undefined && sheet.name !== sheetName) {
      await skipSheet(sheet)
      continue
    }
    onSheet?.(sheet.name)
    yield* sheet.rows
    return
  }
  throw new CsvImportError(
    'bad-mapping',
    sheetName === undefined ? 'The workbook has no sheets.' : `The workbook has no sheet named "${sheetName}".`
  )
}
