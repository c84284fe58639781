// An Excel workbook as the rows of a batch: the sheet and header row found, another sheet and
// header row chosen, the pre-flight verdicts from the sheet (a formula and a date refused), in
// English and Russian at the window's minimum size; an old .xls refused with how to save it.
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import { scenario } from '../lib/harness'
import { TIMEOUT, choose, setLook, until, waitForAttribute } from '../lib/ui'
import { newBatchForm } from './batch'

/** The app window's minimum size (MIN_SIZE in electron/main/window-state.ts). */
const MIN_VIEWPORT = { width: 860, height: 560 }

async function writeBook(dir: string): Promise<string> {
  const wb = new ExcelJS.Workbook()
  wb.addWorksheet('Notes').addRow(['Deals exported for the trigger run'])
  const deals = wb.addWorksheet('Deals')
  deals.getCell('A1').value = 'Wholesale, March'
  deals.getRow(3).values = ['Deal ID', 'Title', 'Created']
  for (let i = 0; i < 8; i++) deals.getRow(4 + i).values = [2001 + i, `Deal ${i + 1}`, new Date(Date.UTC(2026, 2, 1 + i))]
  deals.getCell('A12').value = { formula: 'A11+1', result: 2009 }
  deals.getCell('A13').value = new Date(Date.UTC(2026, 2, 20))
  wb.addWorksheet('Other').addRows([['ID'], [2001], [2002]])
  const path = join(dir, 'wholesale.xlsx')
  await wb.xlsx.writeFile(path)
  return path
}

scenario('workbook: an .xlsx with title rows and several sheets, in English and Russian; .xls refused', async (world) => {
  const { page, dialogs } = world
  const dir = mkdtempSync(join(tmpdir(), 'e2e-xlsx-'))
  const book = await writeBook(dir)
  const before = page.viewportSize()
  await page.setViewportSize(MIN_VIEWPORT)
  try {
    for (const locale of ['en', 'ru'] as const) {
      await setLook(page, { locale, theme: 'light' })
      await newBatchForm(page)
      if (await page.getByTestId('source-change').isVisible()) await page.getByTestId('source-change').click()
      await page.getByTestId('batch-kind-app').click()
      await choose(page, page.getByTestId('batch-code-select'), 'deal_won')
      dialogs.openCsv.push(book)
      await page.getByTestId('csv-open').click()
      const picker = page.getByTestId('workbook-picker')
      await picker.waitFor({ timeout: TIMEOUT })
      assert.match((await page.getByTestId('workbook-sheet').textContent()) ?? '', /Deals/)
      assert.equal(await page.getByTestId('workbook-header-row').inputValue(), '3')
      const summary = page.getByTestId('validation-summary')
      // No CRM type column: the default type (Deal) applies; 8 of 10 rows run (a formula and a date do not).
      await waitForAttribute(summary, 'data-valid', '8')
      assert.equal(await summary.getAttribute('data-total'), '10')
      await picker.scrollIntoViewIfNeeded()
      await world.screenshot(`workbook-setup-${locale}`)

      // Another sheet: its own header row is found, its rows read.
      await choose(page, page.getByTestId('workbook-sheet'), 'Other')
      await waitForAttribute(summary, 'data-total', '2')
      assert.equal(await page.getByTestId('workbook-header-row').inputValue(), '1')
      // A header row the sheet cannot have is refused with the reason, not rounded or clamped:
      // nothing is read again and the rows stay those of row 1's header.
      const headerRow = page.getByTestId('workbook-header-row')
      const reads = world.main().calls('csv.inspect')
      for (const [typed, reason] of [['2.5', /whole number|целое число/], ['-1', /At least 0|Не меньше 0/]] as const) {
        await headerRow.fill(typed)
        await headerRow.press('Enter')
        await page.locator('.header-row .n-form-item-feedback-wrapper').filter({ hasText: reason }).waitFor({ timeout: TIMEOUT })
        assert.equal(await headerRow.inputValue(), typed, `"${typed}" stays as typed`)
        assert.equal(await page.getByTestId('batch-start').isDisabled(), true, `Start waits while "${typed}" is refused`)
        if (typed === '2.5') await world.screenshot(`workbook-header-refused-${locale}`, picker)
      }
      assert.equal(world.main().calls('csv.inspect'), reads, 'a refused header row reads nothing again')
      assert.equal(await summary.getAttribute('data-total'), '2')
      // Header row 0: the header cell itself becomes a (skipped) row. Enter and then leaving the
      // field ask for that once.
      await headerRow.fill('0')
      await headerRow.press('Enter')
      await headerRow.blur()
      await waitForAttribute(summary, 'data-total', '3')
      assert.equal(world.main().calls('csv.inspect'), reads + 1, 'header row 0 is read once')
      await until('Start enabled for header row 0', async () => !(await page.getByTestId('batch-start').isDisabled()))
      await world.screenshot(`workbook-other-sheet-${locale}`)
    }

    // An old binary workbook: refused, with the way out.
    const xls = join(dir, 'old.xls')
    writeFileSync(xls, Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(504)]))
    await page.getByTestId('source-change').click()
    dialogs.openCsv.push(xls)
    await page.getByTestId('csv-open').click()
    await page.getByText(/Книга Excel \(\.xlsx\)/).first().waitFor({ timeout: TIMEOUT })
    await world.screenshot('workbook-xls-refused-ru')
  } finally {
    await setLook(page, { locale: 'en', theme: 'light' })
    if (before) await page.setViewportSize(before)
  }
})
