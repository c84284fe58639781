// Workbooks written by a real spreadsheet writer (exceljs, the same OOXML Excel reads), read by
// the import: types, dates, formulas, empty rows, several sheets, a big sheet, and the same
// verdicts as the CSV import gives for the same rows.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import JSZip from 'jszip'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ImportedRow } from '../../../electron/shared/domain'
import { importCsv, type ImportContext } from '../../../electron/core/runs/csv-import'
import { exportResults, type ExportRow } from '../../../electron/core/runs/export'
import { importSpreadsheet, inspectSpreadsheet } from '../../../electron/core/runs/spreadsheet'
import { cellText, sniffFormat } from '../../../electron/core/runs/xlsx-source'
import { resolveTestOwnerType } from '../../fixtures/csv/cp1251'

const ctx: ImportContext = { resolveOwnerType: resolveTestOwnerType }
const brief = (rows: ImportedRow[]): string[] => rows.map((r) => `${r.line}:${r.verdict}${r.verdict === 'valid' ? `:${r.ownerId}` : ''}`)

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'xlsx-import-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** A report as admins get them: a notes sheet first, then a titled table with a gap row. */
async function dealsWorkbook(path: string): Promise<void> {
  const wb = new ExcelJS.Workbook()
  wb.addWorksheet('Notes').addRow(['Exported from the CRM'])
  const s = wb.addWorksheet('Deals')
  s.getCell('A1').value = 'Deals for March'
  // row 2 left empty
  s.getRow(3).values = ['ID', 'Type', 'Code', 'Created']
  s.getRow(4).values = [123, 'deal', 'go', new Date(Date.UTC(2026, 2, 1))]
  s.getRow(5).values = [' 456 ', 'DEAL', '', new Date(Date.UTC(2026, 2, 2))]
  s.getRow(6).values = [789.0, '2']
  s.getCell('A7').value = { formula: 'A4+1', result: 124 }
  s.getCell('A8').value = new Date(Date.UTC(2023, 0, 15))
  s.getCell('A8').numFmt = 'dd.mm.yyyy'
  s.getCell('A9').value = 12.5
  s.getCell('A10').value = '12 345'
  // row 11 empty: not a row of data
  s.getCell('A12').value = { richText: [{ text: '9' }, { text: '99' }] }
  s.getCell('A13').value = true
  s.getCell('A14').value = { error: '#N/A' }
  s.getCell('A15').value = -5
  s.getCell('A16').value = 3_000_000_000
  s.getRow(17).values = [123, 'deal', 'go']
  s.getCell('B18').value = 'deal'
  s.getCell('A19').value = 45000
  s.getCell('A19').numFmt = 'yyyy-mm-dd hh:mm'
  await wb.xlsx.writeFile(path)
}

describe('workbook import', () => {
  it('finds the sheet and header row, and reads every kind of cell as the ID it is or refuses it', async () => {
    const path = join(dir, 'deals.xlsx')
    await dealsWorkbook(path)
    expect(await sniffFormat(path)).toBe('xlsx')
    const seen = await inspectSpreadsheet(path, { resolveOwnerType: resolveTestOwnerType })
    expect(seen).toMatchObject({
      format: 'xlsx',
      sheets: ['Notes', 'Deals'],
      sheet: 'Deals',
      hasHeader: true,
      headerRow: 3,
      suggested: { idColumn: 0, ownerTypeColumn: 1, codeColumn: 2 }
    })
    expect(seen.columns.map((c) => c.name)).toEqual(['ID', 'Type', 'Code', 'Created'])
    expect(seen.previewLines?.slice(0, 4)).toEqual([3, 4, 5, 6])
    expect(seen.previewRows[1]).toEqual(['123', 'deal', 'go', '2026-03-01'])

    const { rows, summary } = await importSpreadsheet(
      path,
      { idColumn: 0, ownerTypeColumn: 1, codeColumn: 2, hasHeader: true, sheet: 'Deals', headerRow: 3 },
      { ownerTypeId: 2, code: 'dflt' },
      ctx
    )
    expect(brief(rows)).toEqual([
      '4:valid:123',
      '5:valid:456',
      '6:valid:789',
      '7:not-integer', // a formula, whatever its cached result
      '8:not-integer', // a date, not its serial number 44941
      '9:not-integer',
      '10:valid:12345',
      '12:valid:999',
      '13:not-integer',
      '14:not-integer',
      '15:not-positive',
      '16:too-large',
      '17:duplicate',
      '18:empty',
      '19:not-integer' // 45000 formatted as a date is 2023-03-15, not item 45000
    ])
    expect(rows.find((r) => r.line === 7)?.raw).toBe('=A4+1')
    expect(rows.find((r) => r.line === 8)?.raw).toBe('2023-01-15')
    expect(rows.find((r) => r.line === 19)?.raw).toBe('2023-03-15')
    expect(rows.find((r) => r.line === 17)?.duplicateOf).toBe(4)
    expect(rows.find((r) => r.line === 5)).toMatchObject({ ownerTypeId: 2, code: 'dflt' })
    expect(summary.source).toMatchObject({ format: 'xlsx', sheet: 'Deals', headerRow: 3, columns: ['ID', 'Type', 'Code', 'Created'] })
    expect(summary).toMatchObject({ total: 15, valid: 5 })
  })

  it('gives the same verdicts as the CSV import for the same rows, on the same line numbers', async () => {
    const cells = ['ID;Code', '1;a', '2;', ' 3 ;b', '0;a', 'x;a', '1;a', '2147483648;a', '4;0', '5;bad code', '12 345;a']
    const csv = Buffer.from(cells.join('\r\n'))
    const wb = new ExcelJS.Workbook()
    const s = wb.addWorksheet('Sheet1')
    for (const line of cells) s.addRow(line.split(';'))
    const path = join(dir, 'parity.xlsx')
    await wb.xlsx.writeFile(path)
    const mapping = { idColumn: 0, codeColumn: 1, hasHeader: true }
    const fromCsv = await importCsv(csv, mapping, { ownerTypeId: 2, code: 'dflt' }, ctx)
    const fromXlsx = await importSpreadsheet(path, mapping, { ownerTypeId: 2, code: 'dflt' }, ctx)
    expect(fromXlsx.rows).toEqual(fromCsv.rows)
    expect(fromXlsx.summary.byReason).toEqual(fromCsv.summary.byReason)
  })

  it('reads the sheet asked for, a forced header row, or no header at all; bytes as well as a path', async () => {
    const wb = new ExcelJS.Workbook()
    wb.addWorksheet('First').addRows([['ID'], [1], [2]])
    wb.addWorksheet('Second').addRows([['Owner ID', 'Name'], [10, 'a'], [20, 'b'], [30, 'c']])
    const bytes = new Uint8Array(await wb.xlsx.writeBuffer())
    const first = await inspectSpreadsheet(bytes)
    expect(first).toMatchObject({ sheets: ['First', 'Second'], sheet: 'First', headerRow: 1 })
    const second = await inspectSpreadsheet(bytes, { sheet: 'Second' })
    expect(second).toMatchObject({ sheet: 'Second', headerRow: 1, suggested: { idColumn: 0 } })
    const noHeader = await inspectSpreadsheet(bytes, { sheet: 'Second', headerRow: 0 })
    expect(noHeader).toMatchObject({ hasHeader: false })
    expect(noHeader.headerRow).toBeUndefined()

    const read = await importSpreadsheet(bytes, { idColumn: 0, hasHeader: true, sheet: 'Second' }, { ownerTypeId: 2, code: 'c' }, ctx)
    expect(brief(read.rows)).toEqual(['2:valid:10', '3:valid:20', '4:valid:30'])
    const asData = await importSpreadsheet(bytes, { idColumn: 0, hasHeader: false, sheet: 'Second' }, { ownerTypeId: 2, code: 'c' }, ctx)
    expect(brief(asData.rows)).toEqual(['1:not-integer', '2:valid:10', '3:valid:20', '4:valid:30'])
    const fromRow3 = await importSpreadsheet(bytes, { idColumn: 0, hasHeader: true, sheet: 'Second', headerRow: 3 }, { ownerTypeId: 2, code: 'c' }, ctx)
    expect(brief(fromRow3.rows)).toEqual(['4:valid:30'])

    await expect(importSpreadsheet(bytes, { idColumn: 0, hasHeader: true, sheet: 'Third' }, { ownerTypeId: 2, code: 'c' }, ctx)).rejects.toMatchObject({
      code: 'bad-mapping',
      message: expect.stringContaining('"Third"')
    })
    await expect(inspectSpreadsheet(bytes, { sheet: 'Third' })).rejects.toMatchObject({ code: 'bad-mapping' })
  })

  it('refuses an old .xls with how to save it, and a broken workbook as unreadable', async () => {
    const xls = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)])
    await expect(inspectSpreadsheet(xls)).rejects.toMatchObject({ code: 'xls-unsupported', message: expect.stringContaining('.xlsx') })
    await expect(importSpreadsheet(xls, { idColumn: 0, hasHeader: false }, { ownerTypeId: 2, code: 'c' }, ctx)).rejects.toMatchObject({
      message: expect.stringContaining('Save As')
    })
    const broken = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('not really a zip at all'.repeat(20))])
    await expect(inspectSpreadsheet(broken)).rejects.toMatchObject({ code: 'unreadable' })
  })

  it('reads dates as dates even when the zip stores the styles after the sheets', async () => {
    const wb = new ExcelJS.Workbook()
    const s = wb.addWorksheet('Dates')
    s.addRow(['ID'])
    s.addRow([new Date(Date.UTC(2023, 0, 15))])
    s.addRow([42])
    const original = await JSZip.loadAsync(await wb.xlsx.writeBuffer())
    // Rewrite the zip with the styles moved after the sheets: a front-to-back stream reader
    // meets the sheet before it knows which numbers are dates (45000 would pass for an ID).
    const names = Object.keys(original.files).filter((n) => !original.files[n]!.dir)
    const isSheet = (n: string): boolean => n.startsWith('xl/worksheets/')
    const order = [...names.filter((n) => n !== 'xl/styles.xml' && !isSheet(n)), ...names.filter(isSheet), 'xl/styles.xml']
    const moved = new JSZip()
    for (const n of order) moved.file(n, await original.file(n)!.async('uint8array'))
    const bytes = await moved.generateAsync({ type: 'uint8array', compression: 'DEFLATE' })
    const { rows } = await importSpreadsheet(bytes, { idColumn: 0, hasHeader: true }, { ownerTypeId: 2, code: 'c' }, ctx)
    expect(brief(rows)).toEqual(['2:not-integer', '3:valid:42'])
  })

  it('reads the same workbook again and again, as the app does on each change of sheet or header row', async () => {
    // exceljs's front-to-back stream reader lost the end of such a zip on about one read in
    // seventy ("not a readable Excel workbook"): the app's form went blank after a sheet change.
    const path = join(dir, 'again.xlsx')
    const wb = new ExcelJS.Workbook()
    wb.addWorksheet('Notes').addRow(['Deals exported for the trigger run'])
    const deals = wb.addWorksheet('Deals')
    deals.getCell('A1').value = 'Wholesale, March'
    deals.getRow(3).values = ['Deal ID', 'Title', 'Created']
    for (let i = 0; i < 8; i++) deals.getRow(4 + i).values = [2001 + i, `Deal ${i + 1}`, new Date(Date.UTC(2026, 2, 1 + i))]
    wb.addWorksheet('Other').addRows([['ID'], [2001], [2002]])
    await wb.xlsx.writeFile(path)
    const failures: string[] = []
    const note = (what: string) => (e: Error) => void failures.push(`${what}: ${e.message}`)
    const judge = (sheet: string, headerRow: number): Promise<unknown> =>
      importSpreadsheet(path, { idColumn: 0, hasHeader: headerRow > 0, sheet, headerRow }, { ownerTypeId: 2, code: 'c' }, ctx)
    for (let i = 0; i < 100; i++) {
      await inspectSpreadsheet(path).catch(note(`${i} inspect`))
      await judge('Deals', 3).catch(note(`${i} import Deals`))
      await inspectSpreadsheet(path, { sheet: 'Other' }).catch(note(`${i} inspect Other`))
      // The header row committed twice at once (Enter, then the field losing focus).
      await Promise.all([inspectSpreadsheet(path, { sheet: 'Other', headerRow: 0 }), inspectSpreadsheet(path, { sheet: 'Other', headerRow: 0 })]).catch(
        note(`${i} inspect Other twice`)
      )
      await judge('Other', 0).catch(note(`${i} import Other`))
    }
    expect(failures).toEqual([])
  })

  it('streams a big sheet: 60,000 rows, each on its own row number, skipping the gaps', async () => {
    const path = join(dir, 'big.xlsx')
    const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: true, useStyles: true })
    const s = writer.addWorksheet('Big')
    s.addRow(['ID', 'Name']).commit()
    const n = 60_000
    for (let i = 1; i <= n; i++) {
      // Every 1000th row is left out, so row numbers and positions differ.
      if (i % 1000 === 0) continue
      s.getRow(i + 1).values = [i, `Deal ${i}`]
      s.getRow(i + 1).commit()
    }
    s.commit()
    await writer.commit()
    const { rows, summary } = await importSpreadsheet(path, { idColumn: 0, hasHeader: true }, { ownerTypeId: 2, code: 'c' }, ctx)
    expect(summary.valid).toBe(n - n / 1000)
    expect(rows.every((r) => r.verdict === 'valid' && r.line === r.ownerId + 1)).toBe(true)
    // The preview reads only the head and leaves the rest unzipped, with nothing left to fail later.
    const head = await inspectSpreadsheet(path)
    expect(head.headerRow).toBe(1)
    await new Promise((r) => setTimeout(r, 200))
  })

  it('exports a workbook run with its source columns, matched by row number', async () => {
    const path = join(dir, 'export-src.xlsx')
    await dealsWorkbook(path)
    const mapping = { idColumn: 0, ownerTypeColumn: 1, codeColumn: 2, hasHeader: true, sheet: 'Deals', headerRow: 3 }
    const { rows, summary } = await importSpreadsheet(path, mapping, { ownerTypeId: 2, code: 'dflt' }, ctx)
    const out = join(dir, 'export.json')
    const results: ExportRow[] = rows.map((r) => ({ line: r.line, ownerTypeId: r.ownerTypeId, ownerId: r.ownerId, code: r.code, outcome: r.verdict === 'valid' ? 'succeeded' : 'skipped', ...(r.verdict !== 'valid' && { errorCode: r.verdict }) }))
    await exportResults(results, 'json', out, { source: { input: path, layout: summary.source! } })
    const exported = JSON.parse(await readFile(out, 'utf8')) as Record<string, unknown>[]
    expect(exported[0]).toMatchObject({ line: 4, source: { ID: '123', Type: 'deal', Code: 'go', Created: '2026-03-01' } })
    expect(exported.find((r) => r.line === 7)).toMatchObject({ source: { ID: '=A4+1' } })
    expect(exported.find((r) => r.line === 18)).toMatchObject({ source: { ID: '', Type: 'deal' } })
    expect(exported).toHaveLength(rows.length)
    // The workbook edited since: refused, as for a CSV.
    await writeFile(path, Buffer.concat([await readFile(path), Buffer.from([0])]))
    await expect(exportResults(results, 'json', join(dir, 'x.json'), { source: { input: path, layout: summary.source! } })).rejects.toMatchObject({
      code: 'source-changed'
    })
  })

  it('turns cell values into text that only a real ID passes', () => {
    expect(cellText(123)).toBe('123')
    expect(cellText(1e21)).toBe('1000000000000000000000')
    expect(cellText(12.5)).toBe('12.5')
    expect(cellText({ sharedFormula: 'A2', result: 5 } as ExcelJS.CellValue)).toBe('=A2')
    expect(cellText({ text: 'link', hyperlink: 'https://x' })).toBe('link')
    expect(cellText(new Date(Date.UTC(2026, 0, 2, 3, 4, 5)))).toBe('2026-01-02 03:04:05')
    expect(cellText(null)).toBe('')
  })
})
