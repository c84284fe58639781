// Splits decoded text (see csv-source: line breaks already "\n") into rows with papaparse and
// numbers them by the file line they start on. Memory stays bounded whatever the input: a row
// longer than `maxRowChars` is reported, not accumulated, and a broken quote costs one row, not
// the rest of the file.
//
// It drives papaparse's core `Parser` (exported, typed, and what Papa's own chunk streamers use)
// instead of Papa.parse(stream): the streamers keep an unfinished row in memory without limit and
// re-parse it on every chunk, so one 200 MB line or a stray quote would eat memory and time.
import Papa from 'papaparse'
import type { CsvDelimiter } from '../../shared/domain'

export type SourceRow =
  | { line: number; fields: string[]; problem?: undefined }
  /** The row was not read: longer than the limit, or a quoted field that never closes properly. */
  | { line: number; fields?: undefined; problem: 'too-long' | 'bad-quotes' }

/** Return false to stop reading. */
export type RowSink = (row: SourceRow) => boolean | void

export const DEFAULT_MAX_ROW_CHARS = 1 << 20

// papaparse needs some delimiter; a one-column file gets one that decodeText never lets through.
const NO_DELIMITER = '\0'

function countNewlines(text: string, from: number, to: number): number {
  let n = 0
  for (let at = text.indexOf('\n', from); at !== -1 && at < to; at = text.indexOf('\n', at + 1)) n++
  return n
}

export class CsvRowReader {
  /** Text not yet turned into rows; always starts at a row boundary. */
  private pending = ''
  /** Line number of pending's first character. */
  private line = 1
  /** Inside an over-long line already reported: drop text up to its end. */
  private discarding = false
  private stopped = false

  constructor(
    private readonly delimiter: CsvDelimiter | null,
    private readonly maxRowChars: number = DEFAULT_MAX_ROW_CHARS
  ) {}

  /** Feeds the next chunk of text. Returns false once the sink has asked to stop. */
  push(text: string, sink: RowSink): boolean {
    if (this.stopped) return false
    if (this.discarding) {
      const nl = text.indexOf('\n')
      if (nl === -1) return true
      text = text.slice(nl + 1)
      this.discarding = false
      this.line++
    }
    this.pending += text
    this.drain(sink, false)
    return !this.stopped
  }

  /** Emits the last row (a file need not end with a line break). */
  end(sink: RowSink): void {
    if (this.stopped || this.discarding) return
    this.drain(sink, true)
  }

  private drain(sink: RowSink, final: boolean): void {
    for (;;) {
      const input = this.pending
      if (input === '') return
      const parsed = this.parseRows(input, sink, final)
      if (this.stopped) return
      if (parsed.brokenAt !== undefined) {
        // A quote error: report the row where it starts, then read again from its next line,
        // so the lines a runaway quoted field swallowed still get rows of their own.
        this.resumeAfterLine(sink, input, parsed.brokenAt)
        continue
      }
      const rest = input.length - parsed.consumed
      if (final || rest <= this.maxRowChars) {
        this.pending = input.slice(parsed.consumed)
        return
      }
      // An unfinished row longer than the limit: a quoted field left open across lines, or
      // simply one enormous line.
      if (input.indexOf('\n', parsed.consumed) !== -1) {
        this.resumeAfterLine(sink, input, parsed.consumed)
        continue
      }
      this.emit(sink, { line: this.line, problem: 'too-long' })
      this.pending = ''
      this.discarding = true
      return
    }
  }

  private resumeAfterLine(sink: RowSink, input: string, rowStart: number): void {
    this.emit(sink, { line: this.line, problem: 'bad-quotes' })
    const nl = input.indexOf('\n', rowStart)
    this.pending = nl === -1 ? '' : input.slice(nl + 1)
    this.line++
  }

  /** Runs papaparse over `input`, emitting complete rows. `consumed` is where the first row not
   * emitted starts; `brokenAt` is set when that row has a quote error. */
  private parseRows(input: string, sink: RowSink, final: boolean): { consumed: number; brokenAt?: number } {
    let consumed = 0
    let brokenAt: number | undefined
    const parser: Papa.Parser = new Papa.Parser({
      delimiter: this.delimiter ?? NO_DELIMITER,
      newline: '\n',
      step: (result: Papa.ParseStepResult<string[][]>) => {
        const end = result.meta.cursor
        // At the very end papaparse reports an empty row after the last line break; it is not a line.
        if (end === consumed) return
        const row = result.data[0] ?? []
        const lines = countNewlines(input, consumed, end)
        // A quote error that spans lines is resynchronised by the caller; one within its own
        // line is just a bad row.
        if (result.errors.length > 0 && (lines > 1 || (lines === 1 && input[end - 1] !== '\n'))) {
          brokenAt = consumed
          parser.abort()
          return
        }
        const start = this.line
        const length = end - consumed
        this.line += lines
        consumed = end
        const out: SourceRow =
          result.errors.length > 0 ? { line: start, problem: 'bad-quotes' } :
          length > this.maxRowChars ? { line: start, problem: 'too-long' } :
          { line: start, fields: row }
        if (!this.emit(sink, out)) parser.abort()
      }
    })
    parser.parse(input, 0, !final)
    return brokenAt === undefined ? { consumed } : { consumed, brokenAt }
  }

  private emit(sink: RowSink, row: SourceRow): boolean {
    if (sink(row) === false) this.stopped = true
    return !this.stopped
  }
}
