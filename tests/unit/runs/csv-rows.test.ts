import { describe, expect, it } from 'vitest'
import type { CsvDelimiter } from '../../../electron/shared/domain'
import { CsvRowReader, type SourceRow } from '../../../electron/core/runs/csv-rows'

/** Feeds `text` in pieces of `chunk` characters, the way a streamed file arrives. */
function rows(text: string, opts: { delimiter?: CsvDelimiter | null; chunk?: number; max?: number } = {}): SourceRow[] {
  const reader = new CsvRowReader(opts.delimiter === undefined ? ';' : opts.delimiter, opts.max)
  const out: SourceRow[] = []
  const sink = (row: SourceRow): void => {
    out.push(row)
  }
  const step = opts.chunk ?? text.length
  for (let at = 0; at < text.length; at += step) reader.push(text.slice(at, at + step), sink)
  reader.end(sink)
  return out
}

describe('CsvRowReader', () => {
  const quoted = 'id;note\n1;"a;b"\n2;"two\nlines"\n3;"say ""hi"""\n4;x'

  it('splits quoted fields with delimiters, line breaks and doubled quotes, numbering rows by their first line', () => {
    const expected = [
      { line: 1, fields: ['id', 'note'] },
      { line: 2, fields: ['1', 'a;b'] },
      { line: 3, fields: ['2', 'two\nlines'] },
      { line: 5, fields: ['3', 'say "hi"'] },
      { line: 6, fields: ['4', 'x'] }
    ]
    expect(rows(quoted)).toEqual(expected)
    // Same rows however the text is cut into chunks.
    for (const chunk of [1, 2, 3, 7]) expect(rows(quoted, { chunk })).toEqual(expected)
  })

  it('keeps blank lines as rows so later line numbers stay true, and adds no row after a final line break', () => {
    expect(rows('1\n\n;;\n2\n')).toEqual([
      { line: 1, fields: ['1'] },
      { line: 2, fields: [''] },
      { line: 3, fields: ['', '', ''] },
      { line: 4, fields: ['2'] }
    ])
  })

  it('reads a one-column file without splitting on any of the usual delimiters', () => {
    expect(rows('ID\n1,5;2|3\t4\n', { delimiter: null })).toEqual([
      { line: 1, fields: ['ID'] },
      { line: 2, fields: ['1,5;2|3\t4'] }
    ])
  })

  it('reports a quote left open at the end of the file and reads the lines it swallowed as rows', () => {
    expect(rows('a;b\n1;"open\n2;3\n4;5\n', { chunk: 4 })).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, problem: 'bad-quotes' },
      { line: 3, fields: ['2', '3'] },
      { line: 4, fields: ['4', '5'] }
    ])
  })

  it('reports a malformed closing quote on its own line as one bad row', () => {
    expect(rows('1;"ab"c\n2;ok\n')).toEqual([
      { line: 1, problem: 'bad-quotes' },
      { line: 2, fields: ['2', 'ok'] }
    ])
  })

  it('gives up on a quoted field still open after maxRowChars and resumes on the next line', () => {
    const text = '1\n"' + 'abc\n'.repeat(20) + '2\n'
    const out = rows(text, { chunk: 8, max: 30 })
    expect(out[0]).toEqual({ line: 1, fields: ['1'] })
    expect(out[1]).toEqual({ line: 2, problem: 'bad-quotes' })
    expect(out.slice(2, 4)).toEqual([
      { line: 3, fields: ['abc'] },
      { line: 4, fields: ['abc'] }
    ])
    expect(out.at(-1)).toEqual({ line: 22, fields: ['2'] })
  })

  it('skips a line longer than maxRowChars without holding it, and goes on', () => {
    const text = '1\n' + 'x'.repeat(1000) + '\n2\n' + 'y'.repeat(31) + '\n3'
    const expected = [
      { line: 1, fields: ['1'] },
      { line: 2, problem: 'too-long' },
      { line: 3, fields: ['2'] },
      { line: 4, problem: 'too-long' },
      { line: 5, fields: ['3'] }
    ]
    expect(rows(text, { chunk: 16, max: 30 })).toEqual(expected)
    expect(rows(text, { max: 30 })).toEqual(expected)
    // An over-long last line with no line break after it.
    expect(rows('1\n' + 'z'.repeat(100), { chunk: 10, max: 30 })).toEqual([
      { line: 1, fields: ['1'] },
      { line: 2, problem: 'too-long' }
    ])
  })

  it('stops when the sink says so', () => {
    const reader = new CsvRowReader(';')
    const seen: number[] = []
    const more = reader.push('1\n2\n3\n4\n', (row) => seen.push(row.line) < 2)
    expect(more).toBe(false)
    expect(seen).toEqual([1, 2])
    expect(reader.push('5\n', () => true)).toBe(false)
  })
})
