// Whole-file failures of the CSV import and export. Row-level problems are not errors: they
// become row verdicts (SkipReason). Messages are plain English for the CLI and logs; the
// renderer translates by `code`.

export type CsvErrorCode =
  /** No bytes, or nothing but a byte-order mark and whitespace. */
  | 'empty'
  /** NUL bytes or mostly control characters: not a text/CSV file. */
  | 'not-text'
  /** A forced or BOM-announced encoding does not fit the bytes. */
  | 'bad-encoding'
  /** More data rows than the configured maximum. */
  | 'too-many-rows'
  /** The file cannot be opened or read. */
  | 'unreadable'
  /** A column mapping or option that cannot work (negative index, unknown delimiter...). */
  | 'bad-mapping'
  /** A default owner type or trigger code that is itself invalid. */
  | 'bad-default'
  /** Export: the source file differs from the one imported, so its columns would be misread. */
  | 'source-changed'
  /** Export: rows must come in ascending line order to be matched with the source file. */
  | 'export-order'
  /** An old binary Excel workbook (.xls): no safe reader; the user saves it as .xlsx or CSV. */
  | 'xls-unsupported'

export class CsvImportError extends Error {
  override readonly name = 'CsvImportError'
  constructor(
    readonly code: CsvErrorCode,
    message: string
  ) {
    super(message)
  }
}
