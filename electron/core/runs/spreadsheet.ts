// One door for every file a run can come from: a CSV/text file or an Excel workbook, told apart
// by the file's first bytes (not its name). Old .xls workbooks are refused with a message that
// says how to save them. Callers (the app's csv.* handlers, the CLI, planCsvRun) use these
// instead of the CSV-only functions so a workbook is accepted wherever a CSV is.
import type { CsvColumnMapping, CsvInspection, ImportDefaults } from '../../shared/domain'
import { importCsv, type ImportContext, type ImportResult } from './csv-import'
import { inspectCsv, type InspectOptions } from './csv-inspect'
import type { CsvInput } from './csv-source'
import { importXlsx, inspectXlsx, type XlsxInspectOptions } from './xlsx-import'
import { sniffFormat, xlsRefused } from './xlsx-source'

export type SpreadsheetInspectOptions = InspectOptions & Omit<XlsxInspectOptions, 'resolveOwnerType' | 'hasHeader' | 'previewRows'>

export async function inspectSpreadsheet(input: CsvInput, options: SpreadsheetInspectOptions = {}): Promise<CsvInspection> {
  const format = await sniffFormat(input)
  if (format === 'xls') throw xlsRefused()
  if (format === 'xlsx') {
    const { sheet, headerRow, hasHeader, resolveOwnerType, previewRows } = options
    return inspectXlsx(input, {
      ...(sheet !== undefined && { sheet }),
      ...(headerRow !== undefined && { headerRow }),
      ...(hasHeader !== undefined && { hasHeader }),
      ...(resolveOwnerType && { resolveOwnerType }),
      ...(previewRows !== undefined && { previewRows })
    })
  }
  return inspectCsv(input, options)
}

export async function importSpreadsheet(
  input: CsvInput,
  mapping: CsvColumnMapping,
  defaults: ImportDefaults,
  ctx: ImportContext
): Promise<ImportResult> {
  const format = await sniffFormat(input)
  if (format === 'xls') throw xlsRefused()
  if (format === 'xlsx') return importXlsx(input, mapping, defaults, ctx)
  return importCsv(input, mapping, defaults, ctx)
}
