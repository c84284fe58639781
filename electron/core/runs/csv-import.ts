// Step 2 of a CSV import: read the whole file with the user's column mapping and give every
// row a verdict. Also the same for a pasted list of IDs.
//
// What is kept per row is ImportedRow only (line, IDs, code, verdict, the offending cell of a
// skipped row): about 100 bytes, so 1,000,000 rows stay far below 1 GB. Source columns are not
// kept; the export reads them again from the file, which summary.source describes (and whose
// SHA-256 proves it unchanged).
import { createHash } from 'node:crypto'
import {
  CSV_DELIMITERS,
  CSV_ENCODINGS,
  type CsvColumnMapping,
  type CsvSourceLayout,
  type ImportDefaults,
  type ImportedRow,
  type ImportSummary
} from '../../shared/domain'
import { CsvImportError } from './csv-errors'
import { columnName, inspectCsv } from './csv-inspect'
import { CsvRowReader, type SourceRow } from './csv-rows'
import { decodeText, type CsvInput } from './csv-source'
import { detach, RowJudge, type OwnerTypeResolver } from './csv-verdicts'
import { looksNumeric } from './owner-ids'

export interface ImportContext {
  /** Owner type from a cell: id or symbolic (DEAL, deal, D, T80, 2); undefined when unknown. */
  resolveOwnerType: OwnerTypeResolver
  /** Data rows allowed (default 1,000,000); more is a 'too-many-rows' error. */
  maxRows?: number
  /** Longest row read, in characters (default 1 MiB); longer rows are skipped as 'too-long'. */
  maxRowChars?: number
}

export interface ImportResult {
  rows: ImportedRow[]
  summary: ImportSummary
}

export async function importCsv(
  input: CsvInput,
  mapping: CsvColumnMapping,
  defaults: ImportDefaults,
  ctx: ImportContext
): Promise<ImportResult> {
  checkMapping(mapping)
  const judge = new RowJudge(defaults, ctx.maxRows, ctx.resolveOwnerType)
  let { encoding, delimiter } = mapping
  if (encoding === undefined || delimiter === undefined) {
    const seen = await inspectCsv(input, encoding ? { encoding } : {})
    encoding ??= seen.encoding
    if (delimiter === undefined) delimiter = seen.delimiter
  }

  const { idColumn, ownerTypeColumn, codeColumn } = mapping
  let header: string[] | undefined
  let width = 0
  const sink = (row: SourceRow): void => {
    if (mapping.hasHeader && header === undefined) {
      header = (row.fields ?? []).map((cell) => cell.trim())
      width = header.length
      return
    }
    if (!row.fields) return judge.unreadable(row.line, row.problem)
    const f = row.fields
    if (f.every((cell) => cell.trim() === '')) return judge.blank()
    if (f.length > width) width = f.length
    judge.judge(
      row.line,
      f[idColumn] ?? '',
      ownerTypeColumn === undefined ? undefined : (f[ownerTypeColumn] ?? ''),
      codeColumn === undefined ? undefined : (f[codeColumn] ?? '')
    )
  }

  const hash = createHash('sha256')
  let byteLength = 0
  const onBytes = (bytes: Uint8Array): void => {
    hash.update(bytes)
    byteLength += bytes.length
  }
  const reader = new CsvRowReader(delimiter, ctx.maxRowChars)
  for await (const text of decodeText(input, encoding, { onBytes })) reader.push(text, sink)
  reader.end(sink)

  const columns = Array.from({ length: width }, (_, i) => {
    const name = header?.[i]
    return name ? detach(name) : columnName(i)
  })
  const source: CsvSourceLayout = { encoding, delimiter, hasHeader: mapping.hasHeader, columns, byteLength, sha256: hash.digest('hex') }
  return { rows: judge.rows, summary: { ...judge.summary(), source } }
}

export function checkMapping(mapping: CsvColumnMapping): void {
  const columns = [mapping.idColumn, mapping.ownerTypeColumn, mapping.codeColumn].filter((c) => c !== undefined)
  for (const c of columns) {
    if (!Number.isInteger(c) || c < 0) throw new CsvImportError('bad-mapping', `Column indexes start at 0 (got ${c}).`)
  }
  if (new Set(columns).size !== columns.length) {
    throw new CsvImportError('bad-mapping', 'The ID, owner type and code columns must be different columns.')
  }
  if (mapping.delimiter != null && !CSV_DELIMITERS.includes(mapping.delimiter)) {
    throw new CsvImportError('bad-mapping', `Unsupported delimiter ${JSON.stringify(mapping.delimiter)}; use ; tab , or |.`)
  }
  if (mapping.encoding !== undefined && !CSV_ENCODINGS.includes(mapping.encoding)) {
    throw new CsvImportError('bad-mapping', `Unsupported encoding "${mapping.encoding}".`)
  }
}

/** A pasted list of IDs separated by line breaks, commas, semicolons, spaces or tabs. Owner type
 * and code come from `defaults`; `line` is the line of the pasted text the ID is on (1-based), so
 * a column copied from a spreadsheet keeps the spreadsheet's row numbers. Blank lines are passed
 * over; a first line with no ID-like value in it, followed by IDs, is the column's header. */
export function parsePastedIds(text: string, defaults: ImportDefaults, ctx: { maxRows?: number } = {}): ImportResult {
  const judge = new RowJudge(defaults, ctx.maxRows)
  const lines = text.split(/\r\n|\r|\n/)
  const tokensOf = (line: string): string[] => line.match(/[^\s,;]+/g) ?? []
  let header: string | undefined
  const first = lines.findIndex((line) => tokensOf(line).length > 0)
  const last = lines.findLastIndex((line) => tokensOf(line).length > 0)
  if (first >= 0 && !tokensOf(lines[first]!).some(looksNumeric) && lines.slice(first + 1).some((line) => tokensOf(line).some(looksNumeric))) {
    header = lines[first]!.trim()
  }
  lines.forEach((line, i) => {
    if (header !== undefined && i === first) return
    const tokens = tokensOf(line)
    if (tokens.length === 0) {
      // Only gaps between IDs are counted: leading and trailing line breaks are not rows.
      if (i > first && i < last) judge.blank()
      return
    }
    for (const token of tokens) judge.judge(i + 1, token)
  })
  const summary = judge.summary()
  if (header !== undefined) summary.header = header.length > 100 ? header.slice(0, 100) : header
  return { rows: judge.rows, summary }
}
