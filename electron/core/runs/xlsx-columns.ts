// The export's view of a workbook source: the cells of the row on a given line, read forward
// through the sheet alongside the ascending result rows (as export.ts does for a CSV file), so a
// million-row export never holds the sheet in memory.
import type { CsvSourceLayout } from '../../shared/domain'
import type { CsvInput } from './csv-source'
import { sheetRowsOf, type SheetRow } from './xlsx-source'

export class XlsxSourceColumns {
  private readonly rows: AsyncGenerator<SheetRow>
  private current: SheetRow | undefined
  private ended = false
  /** Rows up to and including this line are titles or the header, not data. */
  private readonly lastNonData: number

  constructor(input: CsvInput, layout: CsvSourceLayout) {
    this.rows = sheetRowsOf(input, layout.sheet)
    this.lastNonData = layout.headerRow ?? 0
  }

  /** The cells of the row on `line`, padded or cut to `width`; blanks when the sheet has none. */
  async at(line: number, width: number): Promise<string[]> {
    for (;;) {
      const row = this.current
      if (row && row.line > this.lastNonData) {
        if (row.line === line) return fit(row.fields, width)
        if (row.line > line) return fit([], width)
      }
      if (this.ended) return fit([], width)
      const next = await this.rows.next()
      if (next.done) {
        this.ended = true
        this.current = undefined
      } else {
        this.current = next.value
      }
    }
  }

  async close(): Promise<void> {
    await this.rows.return(undefined)
  }
}

function fit(cells: string[], width: number): string[] {
  return Array.from({ length: width }, (_, i) => cells[i] ?? '')
}
