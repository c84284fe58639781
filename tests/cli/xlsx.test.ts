// Excel workbooks through the built CLI: `--csv` and its alias `--file` take them, `--sheet` and
// `--header-row` pick the table, and a run fires on exactly the valid rows (row numbers as the
// spreadsheet shows them), then exports them with the sheet's own columns.
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsonLines } from './cli-process'
import { cliFixture, type CliFixture } from './fixtures'

let f: CliFixture
let book: string

beforeAll(async () => {
  f = await cliFixture()
  await f.addAppProfile('app')
  const wb = new ExcelJS.Workbook()
  wb.addWorksheet('Notes').addRow(['Exported from the CRM'])
  const s = wb.addWorksheet('Deals')
  s.getCell('A1').value = 'Deals for March'
  s.getRow(3).values = ['Deal ID', 'Title', 'Created']
  s.getRow(4).values = [7001, 'a', new Date(Date.UTC(2026, 2, 1))]
  s.getRow(5).values = [' 7002 ', 'b']
  s.getRow(6).values = [7003.0, 'c']
  s.getCell('A7').value = { formula: 'A6+1', result: 7004 }
  s.getCell('A8').value = new Date(Date.UTC(2023, 0, 15))
  s.getRow(10).values = [7001, 'again']
  wb.addWorksheet('Other').addRows([['ID'], [7005]])
  book = join(f.dataDir, 'deals.xlsx')
  await wb.xlsx.writeFile(book)
  f.sandbox.generateItems(2, 7001, 5, 'NEW')
})
afterAll(async () => {
  await f.teardown()
})

describe('run --file with a workbook', () => {
  it('--dry-run finds the sheet and header and gives row verdicts by sheet row number', async () => {
    const r = await f.cli(['run', '--profile', 'app', '--file', book, '--code', 'deal_won', '--owner-type', 'deal', '--dry-run'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('6 rows: 3 to send, 3 skipped.')
    expect(r.stdout).toContain('line 7: owner ID "=A6+1" is not a whole number')
    expect(r.stdout).toContain('line 8: owner ID "2023-01-15" is not a whole number')
    expect(r.stdout).toContain('line 10: duplicate of line 4')
    expect(f.sandbox.stats().executes).toBe(0)
  })

  it('--dry-run --preview shows where the items of the file are now', async () => {
    const r = await f.cli(['run', '--profile', 'app', '--file', book, '--code', 'deal_won', '--owner-type', 'deal', '--dry-run', '--preview'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('Preview: 3 item(s).')
    expect(r.stdout).toMatch(/^ {2}Deal, pipeline 0, NEW "New": 3$/m)
  })

  it('--sheet and --header-row choose another table; a missing sheet is a clear error', async () => {
    const other = await f.cli(['run', '--profile', 'app', '--csv', book, '--sheet', 'Other', '--code', 'deal_won', '--owner-type', 'deal', '--dry-run'])
    expect(other.code, other.stderr).toBe(0)
    expect(other.stdout).toContain('1 rows: 1 to send, 0 skipped.')
    const row5 = await f.cli(['run', '--profile', 'app', '--csv', book, '--sheet', 'Deals', '--header-row', '5', '--id-column', '1', '--code', 'deal_won', '--owner-type', 'deal', '--dry-run'])
    expect(row5.code, row5.stderr).toBe(0)
    expect(row5.stdout).toContain('4 rows: 2 to send, 2 skipped.')
    const missing = await f.cli(['run', '--profile', 'app', '--csv', book, '--sheet', 'Nope', '--code', 'deal_won', '--owner-type', 'deal', '--dry-run'])
    expect(missing.code).not.toBe(0)
    expect(missing.stderr).toContain('no sheet named "Nope"')
    const xls = join(f.dataDir, 'old.xls')
    await writeFile(xls, Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]))
    const old = await f.cli(['run', '--profile', 'app', '--file', xls, '--code', 'deal_won', '--owner-type', 'deal', '--dry-run'])
    expect(old.code).not.toBe(0)
    expect(old.stderr).toContain('Excel Workbook (.xlsx)')
  })

  it('runs the valid rows once and exports them with the sheet columns', async () => {
    const r = await f.cli(['--json', 'run', '--profile', 'app', '--file', book, '--code', 'deal_won', '--owner-type', 'deal'])
    expect(r.code, r.stderr).toBe(0)
    const summary = jsonLines(r.stdout).find((x) => x.type === 'summary') as { run: { id: string; counts: Record<string, number> } }
    expect(summary.run.counts).toMatchObject({ succeeded: 3, skipped: 3 })
    expect(f.sandbox.stats().executes).toBe(3)
    const out = join(f.dataDir, 'deals-results.csv')
    const exported = await f.cli(['runs', 'export', summary.run.id, '--out', out])
    expect(exported.code, exported.stderr).toBe(0)
    const lines = (await readFile(out, 'utf8')).replace(/^\uFEFF/, '').trim().split(/\r?\n/)
    expect(lines[0]).toMatch(/^Deal ID;Title;Created;line;/)
    expect(lines[1]).toMatch(/^7001;a;2026-03-01;4;2;7001;;deal_won;succeeded;/)
  })
})
