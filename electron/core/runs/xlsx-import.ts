// The workbook side of the import: preview a sheet (inspectXlsx) and judge every row of it
// (importXlsx) with the same RowJudge, layout guesses and summaries as a CSV file, so a row gets
// the same verdict from either; its line is the row number the spreadsheet shows.
import { createHash } from 'node:crypto'
import type { CsvColumnMapping, CsvInspection, CsvSourceLayout, ImportDefaults } from '../../shared/domain'
import { guessLayout } from './csv-detect'
import { CsvImportError } from './csv-errors'
import { checkMapping, type ImportContext, type ImportResult } from './csv-import'
import { columnName, describeColumns, previewCells } from './csv-inspect'
import { readBytes, type CsvInput } from './csv-source'
import { detach, RowJudge, type OwnerTypeResolver } from './csv-verdicts'
import { looksNumeric } from './owner-ids'
import { readSheets, sheetRowsOf, type SheetRow } from './xlsx-source'

export interface XlsxInspectOptions {
  /** The sheet to show (default: the first that looks like a list of IDs). */
  sheet?: string
  /** Forces the header row (its number); 0 = no header row. */
  headerRow?: number
  hasHeader?: boolean
  resolveOwnerType?: OwnerTypeResolver
  previewRows?: number
}

/** Rows of each sheet's head looked at. */
const SAMPLE_ROWS = 50
/** A header further down than this is not looked for (titles above a table are a few rows). */
const HEADER_SEARCH = 10
const filled = (row: SheetRow): number => row.fields.filter((c) => c.trim() !== '').length

interface SheetHead {
  name: string
  rows: SheetRow[]
}

export async function inspectXlsx(input: CsvInput, options: XlsxInspectOptions = {}): Promise<CsvInspection> {
  const heads: SheetHead[] = []
  for await (const sheet of readSheets(input)) {
    const rows: SheetRow[] = []
    // Only the sheets' heads are parsed; the rest of each is unzipped past, not read.
    for await (const row of sheet.rows) if (rows.push(row) >= SAMPLE_ROWS) break
    heads.push({ name: sheet.name, rows })
  }
  if (heads.length === 0) throw new CsvImportError('empty', 'The workbook has no sheets.')
  let head: SheetHead | undefined
  if (options.sheet !== undefined) {
    head = heads.find((h) => h.name === options.sheet)
    if (!head) throw new CsvImportError('bad-mapping', `The workbook has no sheet named "${options.sheet}".`)
  } else {
    // The first sheet whose ID column holds IDs: a notes or title sheet holds none.
    head = heads.find((h) => idScore(h.rows, options) > 0) ?? heads.find((h) => h.rows.length > 0) ?? heads[0]!
  }
  if (head.rows.length === 0) {
    throw new CsvImportError('empty', `Sheet "${head.name}" is empty.${heads.length > 1 ? ' Choose another sheet.' : ''}`)
  }
  const { start, guess } = layoutOf(head.rows, options)
  const table = head.rows.slice(start)
  const previewCount = options.previewRows ?? 20
  const preview = table.slice(0, previewCount + (guess.hasHeader ? 1 : 0))
  const cells = table.map((r) => r.fields)
  const inspection: CsvInspection = {
    format: 'xlsx',
    encoding: 'utf-8',
    delimiter: null,
    hasHeader: guess.hasHeader,
    columns: describeColumns(cells, guess.hasHeader),
    previewRows: preview.map((r) => previewCells(r.fields)),
    previewLines: preview.map((r) => r.line),
    suggested: {
      ...(guess.idColumn !== undefined ? { idColumn: guess.idColumn } : {}),
      ...(guess.ownerTypeColumn !== undefined ? { ownerTypeColumn: guess.ownerTypeColumn } : {}),
      ...(guess.codeColumn !== undefined ? { codeColumn: guess.codeColumn } : {})
    },
    sheets: heads.map((h) => h.name),
    sheet: head.name
  }
  if (guess.hasHeader) inspection.headerRow = table[0]!.line
  return inspection
}

/** Where the table starts in a sheet's head and how it reads. Title rows above a table ("Deals
 * for March") are narrower than it: the table starts at the first row as wide as the rows below. */
function layoutOf(rows: SheetRow[], options: XlsxInspectOptions): { start: number; guess: ReturnType<typeof guessLayout> } {
  let start = 0
  if (options.headerRow !== undefined && options.headerRow > 0) {
    start = rows.findIndex((r) => r.line >= options.headerRow!)
    if (start === -1) start = rows.length
    const guess = guessLayout(rows.slice(start).map((r) => r.fields), true, options.resolveOwnerType)
    return { start, guess }
  }
  const noHeader = options.headerRow === 0 || options.hasHeader === false
  if (!noHeader) {
    const widest = Math.max(0, ...rows.slice(0, HEADER_SEARCH + SAMPLE_ROWS).map(filled))
    start = Math.max(0, rows.slice(0, HEADER_SEARCH).findIndex((r) => filled(r) >= widest))
  }
  const guess = guessLayout(rows.slice(start).map((r) => r.fields), noHeader ? false : options.hasHeader, options.resolveOwnerType)
  if (guess.hasHeader || start === 0) return { start, guess }
  // No header after all: the title rows are data too (they get their verdicts like any row).
  return { start: 0, guess: guessLayout(rows.map((r) => r.fields), false, options.resolveOwnerType) }
}

function idScore(rows: SheetRow[], options: XlsxInspectOptions): number {
  const { start, guess } = layoutOf(rows, options)
  if (guess.idColumn === undefined) return 0
  return rows.slice(start).filter((r) => looksNumeric(r.fields[guess.idColumn!] ?? '')).length
}

/** Reads the chosen sheet whole, row by row, and judges each row. */
export async function importXlsx(
  input: CsvInput,
  mapping: CsvColumnMapping,
  defaults: ImportDefaults,
  ctx: ImportContext
): Promise<ImportResult> {
  checkMapping(mapping)
  if (mapping.headerRow !== undefined && !(Number.isInteger(mapping.headerRow) && mapping.headerRow >= 0)) {
    throw new CsvImportError('bad-mapping', `The header row is a row number counted from 1 (got ${mapping.headerRow}).`)
  }
  const judge = new RowJudge(defaults, ctx.maxRows, ctx.resolveOwnerType)
  const hash = createHash('sha256')
  let byteLength = 0
  for await (const bytes of readBytes(input)) {
    hash.update(bytes)
    byteLength += bytes.length
  }
  const { idColumn, ownerTypeColumn, codeColumn } = mapping
  const headerRow = mapping.headerRow !== undefined && mapping.headerRow > 0 ? mapping.headerRow : undefined
  const hasHeader = headerRow !== undefined || mapping.hasHeader
  let header: string[] | undefined
  let headerLine: number | undefined
  let width = 0
  let sheetName = mapping.sheet
  for await (const row of sheetRowsOf(input, mapping.sheet, (name) => (sheetName = name))) {
    if (headerRow !== undefined && row.line < headerRow) continue
    if (hasHeader && header === undefined) {
      header = row.fields.map((cell) => detach(cell.trim()))
      headerLine = row.line
      width = header.length
      continue
    }
    const f = row.fields
    if (f.length > width) width = f.length
    judge.judge(
      row.line,
      f[idColumn] ?? '',
      ownerTypeColumn === undefined ? undefined : (f[ownerTypeColumn] ?? ''),
      codeColumn === undefined ? undefined : (f[codeColumn] ?? '')
    )
  }
  const columns = Array.from({ length: width }, (_, i) => {
    const name = header?.[i]
    return name ? name : columnName(i)
  })
  const source: CsvSourceLayout = {
    format: 'xlsx',
    encoding: 'utf-8',
    delimiter: null,
    hasHeader,
    columns,
    byteLength,
    sha256: hash.digest('hex'),
    ...(sheetName !== undefined && { sheet: sheetName }),
    ...(headerLine !== undefined && { headerRow: headerLine })
  }
  return { rows: judge.rows, summary: { ...judge.summary(), source } }
}
