// A batch from a CSV file with invalid and duplicate rows: the pre-flight check, a paced run
// paused and resumed, stage verification, and the export read back from disk.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import type { RowsPage, RunProgressEvent, RunSummaryView } from '../../../electron/shared/ipc'
import { FIXTURE_DIR, scenario, type World } from '../lib/harness'
import { TIMEOUT, choose, dismissMessages, goto, pickProfile, portalSaid, setLook, until, waitForAttribute } from '../lib/ui'
import { SIGN_IN_PORTAL } from './portals'

const CSV = join(FIXTURE_DIR, 'deals.csv')
/** deals.csv: 27 rows, 22 valid; skipped: "abc", "-5", an empty ID, and two duplicates. */
const VALID = 22
const SKIPPED = 5

/** The latest progress main pushed for a run. */
function lastProgress(world: World, runId: string): RunProgressEvent | undefined {
  return world
    .main()
    .events.filter((e) => e.event === 'runs.progress' && (e.payload as RunProgressEvent).runId === runId)
    .map((e) => e.payload as RunProgressEvent)
    .pop()
}

async function chooseTrigger(page: Page, code: string): Promise<void> {
  await page.getByTestId('batch-kind-app').click()
  await choose(page, page.getByTestId('batch-code-select'), code)
}

/** Opens a fresh Batch run form on an app portal. */
export async function newBatchForm(page: Page, portal = SIGN_IN_PORTAL): Promise<void> {
  await goto(page, 'batch')
  const again = page.getByTestId('batch-new')
  if (await again.isVisible()) await again.click()
  await pickProfile(page, portal)
}

/** Uses pasted IDs as the rows and waits for the pre-flight check. */
export async function pasteRows(page: Page, lines: string[]): Promise<void> {
  await page.getByTestId('source-way-paste').click()
  await page.getByTestId('paste-ids').fill(lines.join('\n'))
  await page.getByTestId('paste-use').click()
  await page.getByTestId('validation-summary').waitFor({ timeout: TIMEOUT })
}

/** Paces the run to one request every few seconds, so that it can be paused between batches. */
async function slowPlan(page: Page): Promise<void> {
  await choose(page, page.getByTestId('run-options').getByTestId('plan-select'), /Custom limits|Свои лимиты/)
  await page.getByTestId('custom-limits').waitFor({ timeout: TIMEOUT })
  await page.getByTestId('limit-burst').fill('1')
  await page.getByTestId('limit-drain').fill('0.3')
  await page.getByTestId('limit-drain').blur()
}

scenario('batch: a CSV with invalid and duplicate rows, paused, resumed, verified and exported', async (world) => {
  const { page, sandbox, dialogs } = world
  sandbox.generateItems(2, 1001, 20, 'NEW')
  const ledgerBefore = sandbox.ledger().length

  await goto(page, 'batch')
  await pickProfile(page, SIGN_IN_PORTAL)
  await chooseTrigger(page, 'deal_won')

  dialogs.openCsv.push(CSV)
  await page.getByTestId('csv-open').click()
  await page.getByTestId('csv-mapping').waitFor({ timeout: TIMEOUT })
  await waitForAttribute(page.getByTestId('csv-has-header'), 'aria-checked', 'true')
  const summary = page.getByTestId('validation-summary')
  await waitForAttribute(summary, 'data-valid', String(VALID))
  assert.equal(await summary.getAttribute('data-total'), String(VALID + SKIPPED))
  await page.getByTestId('validation-examples').waitFor({ timeout: TIMEOUT })
  await slowPlan(page)
  await world.screenshot('batch-setup-en')

  await page.getByTestId('batch-start').click()
  const monitor = page.getByTestId('run-monitor')
  await monitor.waitFor({ timeout: TIMEOUT })
  const runId = (await monitor.getAttribute('data-run-id'))!

  // Pause as soon as the first rows are done, while the next batch waits for the rate limit.
  await until('the first rows to succeed', () => (lastProgress(world, runId)?.counts.succeeded ?? 0) > 0, 30_000)
  await page.getByTestId('run-pause').click()
  await waitForAttribute(page.getByTestId('run-progress'), 'data-status', 'paused', 30_000)
  const paused = await world.invoke<RunSummaryView>('runs.get', runId)
  assert.equal(paused.status, 'paused')
  assert.ok(paused.counts.pending > 0, `rows are left for the resume (${JSON.stringify(paused.counts)})`)
  const sentWhilePaused = sandbox.ledger().length
  await new Promise((r) => setTimeout(r, 1500))
  assert.equal(sandbox.ledger().length, sentWhilePaused, 'nothing is sent while paused')
  await world.screenshot('batch-paused-en')

  await page.getByTestId('run-resume').click()
  await waitForAttribute(page.getByTestId('run-progress'), 'data-status', 'finished', 90_000)
  const done = await world.invoke<RunSummaryView>('runs.get', runId)
  assert.deepEqual(
    { succeeded: done.counts.succeeded, skipped: done.counts.skipped, failed: done.counts.failed, uncertain: done.counts.uncertain, pending: done.counts.pending },
    { succeeded: VALID, skipped: SKIPPED, failed: 0, uncertain: 0, pending: 0 }
  )
  // Every valid row was executed exactly once, pause and resume notwithstanding.
  const fired = sandbox.ledger().slice(ledgerBefore).map((e) => e.ownerId)
  assert.equal(fired.length, VALID)
  assert.equal(new Set(fired).size, VALID)

  // Verification: moved, unchanged (already at WON), not found.
  const rows = await world.invoke<RowsPage>('runs.rows', { runId, offset: 0, limit: 100 })
  const byId = new Map(rows.rows.map((r) => [r.ownerId, r]))
  assert.deepEqual(byId.get(1001)?.verification, { state: 'moved', from: 'NEW', to: 'WON' })
  assert.deepEqual(byId.get(9)?.verification, { state: 'unchanged', stage: 'WON' })
  assert.deepEqual(byId.get(5000)?.verification, { state: 'not-found' })
  assert.equal(sandbox.getItem(2, 1020)?.stageId, 'WON')
  await page.getByTestId('results-table').getByText('#1001', { exact: true }).first().waitFor({ timeout: TIMEOUT })
  await dismissMessages(page)
  await world.screenshot('batch-finished-en')

  // Export as CSV, then read the file the "save dialog" chose.
  await page.getByTestId('export').click()
  await page.getByTestId('export-csv').click()
  const file = await until('the export file', () => dialogs.saved.find((p) => p.endsWith('.csv') && p.includes(runId)))
  await until('the export to be written', () => {
    try {
      return readFileSync(file, 'utf8').length > 0
    } catch {
      return false
    }
  })
  const text = readFileSync(file, 'utf8')
  assert.ok(text.startsWith('\uFEFF'), 'UTF-8 with a byte-order mark, for Excel')
  const lines = text.slice(1).split('\r\n').filter(Boolean)
  assert.equal(lines.length, 1 + VALID + SKIPPED, 'a header and one line per input row')
  const header = lines[0]!.split(';')
  for (const column of ['Deal ID', 'Title', 'outcome', 'error_code', 'verification']) assert.ok(header.includes(column), `export has ${column}`)
  const cell = (line: string, column: string): string => line.split(';')[header.indexOf(column)] ?? ''
  const formula = lines.find((l) => l.startsWith('1003;'))!
  assert.match(formula, /'=HYPERLINK/, 'a formula from the source file is neutralised')
  const abc = lines.find((l) => l.startsWith('abc;'))!
  assert.equal(cell(abc, 'outcome'), 'skipped')
  assert.equal(cell(abc, 'error_code'), 'not-integer')
  const dupes = lines.filter((l) => cell(l, 'error_code') === 'duplicate')
  assert.equal(dupes.length, 2)
  assert.equal(cell(lines.find((l) => l.startsWith('1001;'))!, 'verification'), 'moved NEW -> WON')
  world.shared.set('batchRun', runId)
})

scenario('batch: a trigger the app never registered pauses the run, explained in the admin\'s language', async (world) => {
  const { page, sandbox } = world
  const executes = sandbox.ledger().length
  await newBatchForm(page)
  await page.getByTestId('batch-kind-app').click()
  // A typed code, not one from the list.
  await page.getByTestId('batch-code-select').click()
  await page.getByTestId('batch-code').fill('not_registered_here')
  await page.keyboard.press('Enter')
  await pasteRows(page, ['1', '2', '3'])
  await waitForAttribute(page.getByTestId('validation-summary'), 'data-valid', '3')
  await page.getByTestId('batch-start').click()
  const monitor = page.getByTestId('run-monitor')
  await monitor.waitFor({ timeout: TIMEOUT })
  const runId = (await monitor.getAttribute('data-run-id'))!
  await waitForAttribute(monitor.getByTestId('run-progress'), 'data-status', 'paused', 30_000)

  // One clear message for the whole run: in words, with the portal's own text one click away.
  const reason = monitor.getByTestId('pause-reason')
  assert.match(await reason.innerText(), /no trigger with this code/)
  assert.match(await portalSaid(reason), /not_registered_here is not registered/)
  assert.equal(sandbox.ledger().length, executes, 'nothing was executed')
  // The rows that met the error say the same, readable in the table, the portal's words folded.
  const failed = monitor.getByTestId('results-table').locator('tr', { has: page.locator('[data-outcome="failed"]') }).first()
  await failed.waitFor({ timeout: TIMEOUT })
  const error = failed.locator('.row-error')
  assert.match(await error.locator('summary').innerText(), /no trigger with this code/)
  assert.equal(await error.locator('.portal-said').isVisible(), false)
  await error.locator('summary').focus()
  await page.keyboard.press('Enter')
  assert.match(await error.locator('.portal-said').innerText(), /not_registered_here is not registered/)
  await dismissMessages(page)
  await world.screenshot('batch-paused-error-en')

  // The same run from History, in Russian: the explanation follows the admin's language.
  await setLook(page, { locale: 'ru', theme: 'light' })
  await goto(page, 'history')
  await page.getByTestId(`history-open-${runId}`).click()
  const detail = page.locator(`[data-testid="run-monitor"][data-run-id="${runId}"]`)
  await waitForAttribute(detail.getByTestId('run-progress'), 'data-status', 'paused')
  assert.match(await detail.getByTestId('pause-reason').innerText(), /нет триггера с таким кодом/)
  await world.screenshot('run-paused-error-ru')
  await setLook(page, { locale: 'en', theme: 'light' })

  // Stopped, so that no later screen offers to resume it.
  await goto(page, 'history')
  await page.getByTestId(`history-open-${runId}`).click()
  await page.locator(`[data-testid="run-monitor"][data-run-id="${runId}"]`).getByTestId('run-cancel').click()
  await page.getByTestId('confirm-cancel-run').click()
  await until('the run to be cancelled', async () => (await world.invoke<RunSummaryView>('runs.get', runId)).status === 'cancelled')
  // Leave on a screen that shows the startup notice of unfinished runs (History and run pages do not).
  await goto(page, 'batch')
})
