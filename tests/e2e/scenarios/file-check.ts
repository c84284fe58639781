// The pre-flight check helps fix the file (issue 11, item 8): blank lines are not skips, a pasted
// column's header is recognised, skipped rows are grouped by reason with every line listed, and
// line numbers are the spreadsheet's row numbers.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { scenario } from '../lib/harness'
import { TIMEOUT, choose, dismissMessages, waitForAttribute } from '../lib/ui'
import { newBatchForm, pasteRows } from './batch'

scenario('file check: a pasted column with its header, gaps and 25 bad cells, every bad line listed', async (world) => {
  const { page } = world
  await newBatchForm(page)
  await page.getByTestId('batch-kind-app').click()
  await choose(page, page.getByTestId('batch-code-select'), 'deal_won')
  // Spreadsheet rows: 1 header, 2–3 IDs, 4 empty cell, 5–29 bad cells, 30 an ID.
  const bad = Array.from({ length: 25 }, (_, i) => `n/a${i}`)
  // The form may still hold the rows of an earlier scenario.
  const change = page.getByTestId('source-change')
  if (await change.isVisible()) await change.click()
  await pasteRows(page, ['Deal ID', '1001', '1002', '', ...bad, '1003'])
  const summary = page.getByTestId('validation-summary')
  await waitForAttribute(summary, 'data-total', '28')
  assert.equal(await summary.getAttribute('data-valid'), '3')
  assert.match(await page.getByTestId('validation-header').innerText(), /“Deal ID”/)
  assert.match(await page.getByTestId('validation-blank').innerText(), /1 blank line/)
  const group = page.getByTestId('validation-groups').locator('[data-reason="not-integer"]').first()
  assert.equal(await group.getAttribute('data-count'), '25')
  // Every line of the reason, as the spreadsheet numbers them — not only 20 examples.
  assert.equal(await page.getByTestId('validation-lines-not-integer').locator('.lines-text').innerText(), '5–29')
  const examples = page.getByTestId('validation-examples').locator('tbody tr')
  assert.equal(await examples.first().locator('td').first().innerText(), '5')
  assert.equal(await page.getByTestId('validation-groups').locator('[data-reason="empty"]').count(), 0, 'the blank cell is not an "empty ID" skip')
  await dismissMessages(page)
  await world.screenshot('batch-check-pasted-en', summary)
})

scenario('file check: a CSV with blank lines and a multi-reason file groups reasons with counts', async (world) => {
  const { page, dialogs, dataDir } = world
  const file = join(dataDir, 'gaps.csv')
  // Line 3 blank, line 5 only separators, two trailing blank lines: none of them is a row.
  writeFileSync(file, ['ID;Type', '1001;DEAL', '', '-4;DEAL', ';;', '1002;SHIP', 'abc;DEAL', '1003;DEAL', '', ''].join('\n'))
  await newBatchForm(page)
  await page.getByTestId('batch-kind-app').click()
  await choose(page, page.getByTestId('batch-code-select'), 'deal_won')
  // The form still holds the pasted list of the scenario before.
  const change = page.getByTestId('source-change')
  if (await change.isVisible()) await change.click()
  await page.getByTestId('source-way-file').click().catch(() => undefined)
  dialogs.openCsv.push(file)
  await page.getByTestId('csv-open').click()
  const summary = page.getByTestId('validation-summary')
  await summary.waitFor({ timeout: TIMEOUT })
  await waitForAttribute(summary, 'data-total', '5')
  assert.equal(await summary.getAttribute('data-valid'), '2')
  const groups = page.getByTestId('validation-groups')
  const reasons = await groups.locator('.n-collapse-item[data-reason]').evaluateAll((items) => items.map((i) => `${i.getAttribute('data-reason')}:${i.getAttribute('data-count')}`))
  assert.deepEqual(reasons.sort(), ['not-integer:1', 'not-positive:1', 'unknown-owner-type:1'])
  assert.equal(await groups.locator('[data-reason="empty"]').count(), 0)
  // Opening a reason shows its lines.
  await groups.locator('[data-reason="unknown-owner-type"] .n-collapse-item__header').click()
  await page.getByTestId('validation-lines-unknown-owner-type').waitFor({ timeout: TIMEOUT })
  assert.match(await page.getByTestId('validation-lines-unknown-owner-type').innerText(), /\b6\b/)
})
