// Reads Excel workbooks (.xlsx) row by row for the import, the preview and the export: the zip
// is opened by its directory and a sheet's XML is parsed as it is unzipped, one row at a time,
// with exceljs's part parsers, so a 200,000-row sheet never sits in memory as parsed cells and
// the event loop gets a turn between chunks (Electron main stays responsive while it reads).
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
import type { Readable } from 'node:stream'
import { basename } from 'node:path'
import { open, readFile } from 'node:fs/promises'
import type ExcelJS from 'exceljs'
import type JSZipType from 'jszip'
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

function unreadable(input: CsvInput, err: unknown, sheet?: string): CsvImportError {
  if (err instanceof CsvImportError) return err
  const file = typeof input === 'string' ? `"${basename(input)}"` : 'the file'
  const name = sheet === undefined ? file : `sheet "${sheet}" of ${file}`
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
  entries: 'ignore'
}

/** The parts of exceljs's WorkbookReader that parse one part each (exceljs 4.4, pinned in the
 * lockfile; tests/unit/runs/xlsx-import.test.ts reads real workbooks through them). */
interface PartParsers {
  model?: { sheets?: { name: string; id: number; rId: string; state?: string }[] }
  workbookRels?: { Id: string; Target: string }[]
  _parseRels(entry: Readable): Promise<void>
  _parseWorkbook(entry: Readable): Promise<void>
  _parseSharedStrings(entry: Readable): AsyncGenerator<unknown>
  _parseStyles(entry: Readable): Promise<void>
  _parseWorksheet(entry: Readable, sheetNo: string): Generator<{ eventType: string; value: AsyncIterable<ExcelJS.Row> }>
}

type Zip = InstanceType<typeof JSZipType>
let jszip: Promise<typeof JSZipType> | undefined
function loadZip(): Promise<typeof JSZipType> {
  jszip ??= import('jszip').then((m) => ((m as { default?: typeof JSZipType }).default ?? (m as unknown as typeof JSZipType)))
  return jszip
}

function partStream(zip: Zip, path: string): Readable | undefined {
  const file = zip.file(path)
  return file ? (file.nodeStream('nodebuffer') as unknown as Readable) : undefined
}

/** A relationship target ("worksheets/sheet1.xml" or "/xl/worksheets/sheet1.xml") as a zip path. */
function partPath(target: string): string {
  return target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\//, '')}`
}

export interface SheetVisit {
  name: string
  /** 0-based position among the workbook's sheets, in the order its tabs show. */
  index: number
  /** Its non-empty rows, read only when asked for; a sheet left unread costs nothing. */
  rows: AsyncGenerator<SheetRow>
}

/**
 * Every sheet in the workbook's tab order. The zip is opened by its central directory (JSZip,
 * exceljs's own zip reader) and each part is parsed when it is needed: relationships, workbook,
 * shared strings and styles first, then a sheet's XML streamed row by row from its compressed
 * bytes. exceljs's WorkbookReader instead reads the zip front to back as one stream and parks
 * sheets stored before the shared strings (where Excel and exceljs put them) in temporary files;
 * on about one read in seventy that stream ended before the workbook part, and the read failed
 * as "not a readable Excel workbook" (exceljs issue #962's error). Random access has no such
 * race, never writes the sheet to a temporary file, and a sheet's dates are always read after
 * the styles that mark them as dates, whatever order the zip stores its parts in.
 */
export async function* readSheets(input: CsvInput): AsyncGenerator<SheetVisit> {
  const [Excel, JSZip] = await Promise.all([loadExcel(), loadZip()])
  let zip: Zip
  let parts: PartParsers
  try {
    zip = await JSZip.loadAsync(typeof input === 'string' ? await readFile(input) : input)
    parts = new Excel.stream.xlsx.WorkbookReader(undefined as never, READER_OPTIONS) as unknown as PartParsers
    const rels = partStream(zip, 'xl/_rels/workbook.xml.rels')
    const book = partStream(zip, 'xl/workbook.xml')
    if (!rels || !book) throw new Error('no workbook part')
    await parts._parseRels(rels)
    await parts._parseWorkbook(book)
    const strings = partStream(zip, 'xl/sharedStrings.xml')
    if (strings) for await (const _ of parts._parseSharedStrings(strings)) void _
    const styles = partStream(zip, 'xl/styles.xml')
    if (styles) await parts._parseStyles(styles)
  } catch (err) {
    throw unreadable(input, err)
  }
  const sheets = parts.model?.sheets ?? []
  let index = 0
  for (const sheet of sheets) {
    const rel = parts.workbookRels?.find((r) => r.Id === sheet.rId)
    const path = rel ? partPath(rel.Target) : undefined
    // Chart sheets and dialog sheets hold no rows: listed before only as worksheets were.
    if (!path || !/(^|\/)worksheets\/[^/]+\.xml$/.test(path) || !zip.file(path)) continue
    const name = sheet.name ?? `Sheet${index + 1}`
    yield { name, index: index++, rows: sheetRows(input, zip, parts, path, name) }
  }
}

async function* sheetRows(input: CsvInput, zip: Zip, parts: PartParsers, path: string, name: string): AsyncGenerator<SheetRow> {
  const stream = partStream(zip, path)!
  try {
    const [emitted] = parts._parseWorksheet(stream, path.match(/(\d+)\.xml$/)?.[1] ?? '0')
    if (!emitted) return
    for await (const row of emitted.value) {
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
    throw unreadable(input, err, name)
  } finally {
    // Stopped early (the preview reads only a sheet's head): leave the rest unzipped. The stream
    // stays paused and is collected with the zip; destroying it would make JSZip's next push an
    // unhandled "push() after EOF" error that ends the process.
    stream.pause()
    stream.on('error', () => undefined)
  }
}

/** The non-empty rows of one sheet (by name; the first sheet when none is named). */
export async function* sheetRowsOf(input: CsvInput, sheetName?: string, onSheet?: (name: string) => void): AsyncGenerator<SheetRow> {
  for await (const sheet of readSheets(input)) {
    if (sheetName !== undefined && sheet.name !== sheetName) continue
    onSheet?.(sheet.name)
    yield* sheet.rows
    return
  }
  throw new CsvImportError(
    'bad-mapping',
    sheetName === undefined ? 'The workbook has no sheets.' : `The workbook has no sheet named "${sheetName}".`
  )
}
