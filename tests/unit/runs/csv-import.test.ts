import { createHash } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ImportedRow } from '../../../electron/shared/domain'
import { importCsv, parsePastedIds, type ImportContext } from '../../../electron/core/runs/csv-import'
import { verdictText } from '../../../electron/core/runs/csv-verdicts'
import { cp1251, resolveTestOwnerType, UTF8_BOM } from '../../fixtures/csv/cp1251'

const ctx: ImportContext = { resolveOwnerType: resolveTestOwnerType }
const utf8 = (text: string): Buffer => Buffer.from(text)
const brief = (rows: ImportedRow[]): string[] => rows.map((r) => `${r.line}:${r.verdict}`)

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'csv-import-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('importCsv', () => {
  it('reads per-row owner types by id and symbol and per-row codes, with defaults for empty cells', async () => {
    const file = utf8(
      ['id;type;code', '1;2;a', '2;DEAL;b.c', '3;deal;', '4;D;x-1_y', '5;T80;a', '6;;a', '7;dynamic_128;a'].join('\r\n')
    )
    const { rows, summary } = await importCsv(file, { idColumn: 0, ownerTypeColumn: 1, codeColumn: 2, hasHeader: true }, { ownerTypeId: 1, code: 'dflt' }, ctx)
    expect(rows).toEqual([
      { line: 2, ownerId: 1, ownerTypeId: 2, code: 'a', verdict: 'valid' },
      { line: 3, ownerId: 2, ownerTypeId: 2, code: 'b.c', verdict: 'valid' },
      { line: 4, ownerId: 3, ownerTypeId: 2, code: 'dflt', verdict: 'valid' },
      { line: 5, ownerId: 4, ownerTypeId: 2, code: 'x-1_y', verdict: 'valid' },
      { line: 6, ownerId: 5, ownerTypeId: 128, code: 'a', verdict: 'valid' },
      { line: 7, ownerId: 6, ownerTypeId: 1, code: 'a', verdict: 'valid' },
      { line: 8, ownerId: 7, ownerTypeId: 128, code: 'a', verdict: 'valid' }
    ])
    expect(summary).toMatchObject({ total: 7, valid: 7, skipped: 0 })
  })

  it('gives every skip reason with the line it happened on, header counted', async () => {
    const lines = [
      'ID;Тип;Код', // 1
      '10;DEAL;go', // 2 valid
      ';DEAL;go', // 3 empty
      'abc;DEAL;go', // 4 not-integer
      '12,00;DEAL;go', // 5 not-integer (decimals are not guessed at)
      '0;DEAL;go', // 6 not-positive
      '-5;DEAL;go', // 7 not-positive
      '2147483648;DEAL;go', // 8 too-large
      '99999999999999999999;DEAL;go', // 9 too-large
      '11;SHIP;go', // 10 unknown-owner-type
      '12;;go', // 11 missing-owner-type
      '13;DEAL;bad code', // 12 bad-code
      '14;DEAL;0', // 13 bad-code
      '15;DEAL;', // 14 missing-code
      '"10";deal;go', // 15 duplicate of line 2
      '10;LEAD;go', // 16 valid: another owner type
      '10;DEAL;other', // 17 valid: another code
      '2147483647;2;go', // 18 valid: the largest ID
      '"16;DEAL;go', // 19 bad-quotes (never closed): lines 20.. read on their own
      '17;DEAL;go', // 20 valid
      '', // 21 blank: passed over, not a skip
      '" 18 ";DEAL;go' // 22 valid (trimmed)
    ]
    const { rows, summary } = await importCsv(utf8(lines.join('\n')), { idColumn: 0, ownerTypeColumn: 1, codeColumn: 2, hasHeader: true }, {}, ctx)
    expect(brief(rows)).toEqual([
      '2:valid',
      '3:empty',
      '4:not-integer',
      '5:not-integer',
      '6:not-positive',
      '7:not-positive',
      '8:too-large',
      '9:too-large',
      '10:unknown-owner-type',
      '11:missing-owner-type',
      '12:bad-code',
      '13:bad-code',
      '14:missing-code',
      '15:duplicate',
      '16:valid',
      '17:valid',
      '18:valid',
      '19:bad-quotes',
      '20:valid',
      '22:valid'
    ])
    const at = (line: number): ImportedRow => rows.find((r) => r.line === line)!
    expect(at(15)).toMatchObject({ duplicateOf: 2, ownerId: 10, ownerTypeId: 2, code: 'go' })
    expect(verdictText(at(15))).toBe('duplicate of line 2')
    expect(at(4)).toMatchObject({ raw: 'abc', idCell: 'abc' })
    // Skipped rows keep their ID cell as read (trimmed): an unparsed one is all there is to show.
    expect(at(3).idCell).toBeUndefined()
    expect(at(15).idCell).toBe('10')
    expect(at(19).idCell).toBeUndefined()
    expect(at(2).idCell).toBeUndefined()
    expect(verdictText(at(8))).toBe('owner ID "2147483648" is larger than 2147483647, the largest ID the portal stores')
    expect(at(10)).toMatchObject({ ownerId: 11, raw: 'SHIP', idCell: '11' })
    expect(verdictText(at(12))).toMatch(/^trigger code "bad code" is not allowed/)
    expect(at(18)).toMatchObject({ ownerId: 2147483647, verdict: 'valid' })
    expect(at(22).ownerId).toBe(18)
    expect(summary).toMatchObject({
      total: 20,
      valid: 6,
      skipped: 14,
      blankLines: 1,
      byReason: {
        empty: 1,
        'not-integer': 2,
        'not-positive': 2,
        'too-large': 2,
        'unknown-owner-type': 1,
        'missing-owner-type': 1,
        'bad-code': 2,
        'missing-code': 1,
        duplicate: 1,
        'too-long': 0,
        'bad-quotes': 1
      }
    })
    for (const row of rows) expect(verdictText(row)).not.toBe('')
  })

  it('counts lines inside quoted multi-line cells, so later rows keep their file line numbers', async () => {
    const file = utf8('id,note\n1,"first\nsecond\nthird"\n2,"a, b"\n1,dup\n')
    const { rows } = await importCsv(file, { idColumn: 0, hasHeader: true, delimiter: ',' }, { ownerTypeId: 2, code: 'a' }, ctx)
    expect(rows).toEqual([
      { line: 2, ownerId: 1, ownerTypeId: 2, code: 'a', verdict: 'valid' },
      { line: 5, ownerId: 2, ownerTypeId: 2, code: 'a', verdict: 'valid' },
      { line: 6, ownerId: 1, ownerTypeId: 2, code: 'a', verdict: 'duplicate', duplicateOf: 2, idCell: '1' }
    ])
  })

  it('imports a streamed Windows-1251 file with grouped thousands, detecting what the mapping leaves out', async () => {
    const path = join(dir, 'export-1251.csv')
    const bytes = cp1251('ИД;Сумма, руб\r\n12\u00a0345;100,50\r\n7;1\r\n')
    await writeFile(path, bytes)
    const { rows, summary } = await importCsv(path, { idColumn: 0, hasHeader: true }, { ownerTypeId: 2, code: 'call_done' }, ctx)
    expect(rows.map((r) => r.ownerId)).toEqual([12345, 7])
    expect(summary.source).toMatchObject({
      encoding: 'windows-1251',
      delimiter: ';',
      hasHeader: true,
      columns: ['ИД', 'Сумма, руб'],
      byteLength: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex')
    })
  })

  it('reads a headerless file as data from line 1 and names its columns', async () => {
    const { rows, summary } = await importCsv(
      Buffer.concat([UTF8_BOM, utf8('5|x\n6|y|extra\n')]),
      { idColumn: 0, hasHeader: false, delimiter: '|', encoding: 'utf-8' },
      { ownerTypeId: 2, code: 'a' },
      ctx
    )
    expect(brief(rows)).toEqual(['1:valid', '2:valid'])
    expect(summary.source!.columns).toEqual(['column_1', 'column_2', 'column_3'])
  })

  it('skips an over-long row but reads on', async () => {
    const file = utf8('ID\n1\n' + '9'.repeat(3 * 1024 * 1024) + '\n2\n')
    const { rows, summary } = await importCsv(file, { idColumn: 0, hasHeader: true }, { ownerTypeId: 2, code: 'a' }, ctx)
    expect(brief(rows)).toEqual(['2:valid', '3:too-long', '4:valid'])
    expect(summary.byReason['too-long']).toBe(1)
    const small = await importCsv(utf8('1;' + 'x'.repeat(100) + '\n2;y\n'), { idColumn: 0, hasHeader: false }, { ownerTypeId: 2, code: 'a' }, { ...ctx, maxRowChars: 50 })
    expect(brief(small.rows)).toEqual(['1:too-long', '2:valid'])
  })

  it('reports missing-owner-type and missing-code when there is neither a column nor a default', async () => {
    const { rows } = await importCsv(utf8('1\n'), { idColumn: 0, hasHeader: false }, {}, ctx)
    expect(brief(rows)).toEqual(['1:missing-owner-type'])
    const noCode = await importCsv(utf8('1\n'), { idColumn: 0, hasHeader: false }, { ownerTypeId: 2 }, ctx)
    expect(brief(noCode.rows)).toEqual(['1:missing-code'])
  })

  it('accepts the row limit exactly and refuses one row more, naming the limit', async () => {
    const file = utf8('ID\n' + Array.from({ length: 1000 }, (_, i) => i + 1).join('\n'))
    const mapping = { idColumn: 0, hasHeader: true }
    expect((await importCsv(file, mapping, { ownerTypeId: 2, code: 'a' }, { ...ctx, maxRows: 1000 })).summary.valid).toBe(1000)
    await expect(importCsv(file, mapping, { ownerTypeId: 2, code: 'a' }, { ...ctx, maxRows: 999 })).rejects.toMatchObject({
      name: 'CsvImportError',
      code: 'too-many-rows',
      message: 'The input has more than 999 rows, the limit. Split it into smaller files.'
    })
  })

  it('refuses impossible mappings and invalid defaults before reading', async () => {
    const file = utf8('1\n')
    const d = { ownerTypeId: 2, code: 'a' }
    await expect(importCsv(file, { idColumn: -1, hasHeader: false }, d, ctx)).rejects.toMatchObject({ code: 'bad-mapping' })
    await expect(importCsv(file, { idColumn: 0, codeColumn: 0, hasHeader: false }, d, ctx)).rejects.toMatchObject({ code: 'bad-mapping' })
    await expect(importCsv(file, { idColumn: 0, hasHeader: false, delimiter: ':' as never }, d, ctx)).rejects.toMatchObject({ code: 'bad-mapping' })
    await expect(importCsv(file, { idColumn: 0, hasHeader: false }, { code: '0' }, ctx)).rejects.toMatchObject({ code: 'bad-default' })
    await expect(importCsv(file, { idColumn: 0, hasHeader: false }, { ownerTypeId: 1.5 }, ctx)).rejects.toMatchObject({ code: 'bad-default' })
  })

  it('fails with typed errors on empty, binary and missing files', async () => {
    const m = { idColumn: 0, hasHeader: false }
    await expect(importCsv(Buffer.alloc(0), m, {}, ctx)).rejects.toMatchObject({ code: 'empty' })
    await expect(importCsv(utf8('\r\n\r\n'), { ...m, encoding: 'utf-8', delimiter: null }, {}, ctx)).rejects.toMatchObject({ code: 'empty' })
    await expect(importCsv(Buffer.from([1, 2, 3, 0, 0, 5, 6, 7]), m, {}, ctx)).rejects.toMatchObject({ code: 'not-text' })
    await expect(importCsv(join(dir, 'nope.csv'), m, {}, ctx)).rejects.toMatchObject({ code: 'unreadable' })
  })
})

describe('parsePastedIds', () => {
  it('splits on line breaks, commas, semicolons, spaces and tabs, numbering IDs by the line they are on', () => {
    const { rows, summary } = parsePastedIds('101, 102;103\r\n\n104\t105  abc -1\n102', { ownerTypeId: 2, code: 'a' })
    expect(brief(rows)).toEqual(['1:valid', '1:valid', '1:valid', '3:valid', '3:valid', '3:not-integer', '3:not-positive', '4:duplicate'])
    expect(rows[7]).toMatchObject({ ownerId: 102, duplicateOf: 1 })
    expect(summary).toMatchObject({ total: 8, valid: 5, skipped: 3, blankLines: 1 })
    expect(summary.source).toBeUndefined()
  })

  it('keeps a spreadsheet column\'s row numbers: header recognised, blank cells passed over', () => {
    // Copied from a spreadsheet: row 1 the header, row 4 an empty cell, trailing line break.
    const { rows, summary } = parsePastedIds('Deal ID\n101\n102\n\nx7\n103\n', { ownerTypeId: 2, code: 'a' })
    expect(brief(rows)).toEqual(['2:valid', '3:valid', '5:not-integer', '6:valid'])
    expect(summary).toMatchObject({ total: 4, valid: 3, skipped: 1, blankLines: 1, header: 'Deal ID' })
    // A first line with an ID in it is data, and a lone word is not a header of nothing.
    expect(parsePastedIds('ID 5\n6', { ownerTypeId: 2, code: 'a' }).summary.header).toBeUndefined()
    expect(brief(parsePastedIds('abc', { ownerTypeId: 2, code: 'a' }).rows)).toEqual(['1:not-integer'])
  })

  it('needs defaults for owner type and code, and honours the row limit', () => {
    expect(brief(parsePastedIds('1', {}).rows)).toEqual(['1:missing-owner-type'])
    expect(() => parsePastedIds('1 2 3', { ownerTypeId: 2, code: 'a' }, { maxRows: 2 })).toThrow(expect.objectContaining({ code: 'too-many-rows' }))
    expect(parsePastedIds('  \n ', { ownerTypeId: 2, code: 'a' }).rows).toEqual([])
  })
})
