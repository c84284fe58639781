// Turns --id-column / --owner-type-column / --code-column values (a column number counted from 1,
// as in a spreadsheet, or a header name) into the zero-based indexes of a CsvMapping.
import { CSV_DELIMITERS, type CsvColumnMapping, type CsvDelimiter, type CsvInspection } from '../shared/domain'
import { usageError } from './errors'

export interface ColumnOptions {
  idColumn?: string
  ownerTypeColumn?: string
  codeColumn?: string
  /** undefined: as detected in the file. */
  header?: boolean
  delimiter?: string
  /** Workbook: the sheet to read (default: the first that looks like a list of IDs). */
  sheet?: string
  /** Workbook: the header's row number (default: detected). */
  headerRow?: number
}

function resolveColumn(raw: string, flag: string, inspection: CsvInspection, hasHeader: boolean): number {
  const text = raw.trim()
  const count = inspection.columns.length
  if (/^\d+$/.test(text)) {
    const n = Number(text)
    if (n < 1 || n > count) throw usageError(`${flag} ${text}: the file has ${count} column(s); count them from 1.`)
    return n - 1
  }
  if (!hasHeader) throw usageError(`${flag} "${text}": the file has no header row, so give the column number instead.`)
  const wanted = text.toLocaleLowerCase()
  const found = inspection.columns.find((c) => c.name.trim().toLocaleLowerCase() === wanted)
  if (found) return found.index
  throw usageError(`${flag} "${text}": no such column. Columns: ${inspection.columns.map((c) => `"${c.name}"`).join(', ')}.`)
}

/** `defaults` says which values the command line gives for every row; for the others, a column
 * the file obviously has (e.g. "owner_type") is used as suggested by the inspection. */
export function buildMapping(
  opts: ColumnOptions,
  inspection: CsvInspection,
  defaults: { code: boolean; ownerType: boolean }
): CsvColumnMapping {
  const hasHeader = opts.header ?? inspection.hasHeader
  const pick = (raw: string | undefined, flag: string): number | undefined =>
    raw === undefined ? undefined : resolveColumn(raw, flag, inspection, hasHeader)
  const idColumn = pick(opts.idColumn, '--id-column') ?? inspection.suggested.idColumn
  if (idColumn === undefined) {
    throw usageError('Which column holds the item IDs? Name it with --id-column (a number counted from 1, or the header).')
  }
  const mapping: CsvColumnMapping = { idColumn, hasHeader }
  const ownerTypeColumn =
    pick(opts.ownerTypeColumn, '--owner-type-column') ?? (defaults.ownerType ? undefined : inspection.suggested.ownerTypeColumn)
  const codeColumn = pick(opts.codeColumn, '--code-column') ?? (defaults.code ? undefined : inspection.suggested.codeColumn)
  if (ownerTypeColumn !== undefined) mapping.ownerTypeColumn = ownerTypeColumn
  if (codeColumn !== undefined) mapping.codeColumn = codeColumn
  if (opts.delimiter !== undefined) mapping.delimiter = parseDelimiter(opts.delimiter)
  if (inspection.format === 'xlsx') {
    if (inspection.sheet !== undefined) mapping.sheet = inspection.sheet
    // The row the preview took as the header (or none), so the import reads the same table.
    mapping.headerRow = hasHeader ? (inspection.headerRow ?? 0) : 0
    if (hasHeader && inspection.headerRow === undefined) delete mapping.headerRow
  }
  return mapping
}

/** "tab" is accepted because a literal tab is awkward to type in a shell. */
function parseDelimiter(raw: string): CsvDelimiter {
  const value = raw.toLowerCase() === 'tab' || raw === '\\t' ? '\t' : raw
  const known = CSV_DELIMITERS.find((d) => d === value)
  if (known) return known
  throw usageError(`--delimiter ${JSON.stringify(raw)}: use one of ; , | or tab.`)
}
