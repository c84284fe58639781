// Finishing what was stopped, and re-runs that respect verification (issue 11, items 2 and 3):
// a cancelled run shows how far it really got and offers "Run the rows not sent"; starting on
// rows a recent run already sent asks first and can skip them; "re-run uncertain" leaves out the
// rows the stage check saw move (and says how many); "re-run unchanged" takes the rows that
// succeeded without moving.
import assert from 'node:assert/strict'
import type { Page } from 'playwright-core'
import type { RowsPage, RunProgressEvent, RunSummaryView } from '../../../electron/shared/ipc'
import { scenario, type World } from '../lib/harness'
import { TIMEOUT, choose, dismissMessages, goto, setLook, until, waitForAttribute } from '../lib/ui'
import { newBatchForm, pasteRows } from './batch'
import { SIGN_IN_PORTAL } from './portals'

function lastProgress(world: World, runId: string): RunProgressEvent | undefined {
  return world
    .main()
    .events.filter((e) => e.event === 'runs.progress' && (e.payload as RunProgressEvent).runId === runId)
    .map((e) => e.payload as RunProgressEvent)
    .pop()
}

function firedOnce(world: World, from: number, to: number): Map<number, number> {
  const counts = new Map<number, number>()
  for (const e of world.sandbox.ledger()) if (e.ownerId >= from && e.ownerId <= to) counts.set(e.ownerId, (counts.get(e.ownerId) ?? 0) + 1)
  return counts
}

async function startBatch(page: Page, ids: string[], slow: boolean): Promise<void> {
  await newBatchForm(page, SIGN_IN_PORTAL)
  await page.getByTestId('batch-kind-app').click()
  await choose(page, page.getByTestId('batch-code-select'), 'deal_won')
  await pasteRows(page, ids)
  await waitForAttribute(page.getByTestId('validation-summary'), 'data-valid', String(ids.length))
  if (slow) {
    await choose(page, page.getByTestId('run-options').getByTestId('plan-select'), /Custom limits|Свои лимиты/)
    await page.getByTestId('custom-limits').waitFor({ timeout: TIMEOUT })
    await page.getByTestId('limit-burst').fill('1')
    await page.getByTestId('limit-drain').fill('0.3')
    await page.getByTestId('limit-drain').blur()
  }
  await page.getByTestId('batch-start').click()
}

async function monitorRunId(page: Page, not?: string): Promise<string> {
  const monitor = page.getByTestId('run-monitor')
  await monitor.waitFor({ timeout: TIMEOUT })
  return until('a run monitor', async () => {
    const id = await monitor.getAttribute('data-run-id')
    return id && id !== not ? id : undefined
  })
}

async function openRun(page: Page, runId: string): Promise<void> {
  await goto(page, 'history')
  await page.getByTestId(`history-open-${runId}`).click()
  await page.locator(`[data-testid="run-monitor"][data-run-id="${runId}"]`).waitFor({ timeout: TIMEOUT })
}

const FROM = 7001
const N = 120

scenario('finish: a cancelled run shows where it stopped and runs the rows not sent', async (world) => {
  const { page, sandbox } = world
  await setLook(page, { locale: 'en', theme: 'light' })
  sandbox.generateItems(2, FROM, N, 'NEW')
  const ids = Array.from({ length: N }, (_, i) => String(FROM + i))
  await startBatch(page, ids, true)
  const runId = await monitorRunId(page)
  await until('the first rows to succeed', () => (lastProgress(world, runId)?.counts.succeeded ?? 0) > 0, 30_000)
  await page.getByTestId('run-cancel').click()
  await page.getByTestId('confirm-cancel-run').click()
  const progress = page.getByTestId('run-progress')
  await waitForAttribute(progress, 'data-status', 'cancelled', 30_000)
  const cancelled = await world.invoke<RunSummaryView>('runs.get', runId)
  const notRun = cancelled.counts['not-run']
  assert.ok(notRun > 0, JSON.stringify(cancelled.counts))
  // What really happened: the rows sent, not 100%.
  const doneText = await page.getByTestId('run-done').innerText()
  assert.ok(!doneText.includes('100%'), doneText)
  assert.match(doneText, new RegExp(`^${cancelled.counts.succeeded} of ${N} rows`))
  await waitForAttribute(page.getByTestId('run-not-sent'), 'data-count', String(notRun))
  const offer = page.getByTestId('rerun-not-run')
  assert.match(await offer.innerText(), new RegExp(`Run the rows not sent \\(${notRun}\\)`))
  await dismissMessages(page)
  await world.screenshot('run-cancelled-en')
  // The same run from History, in Russian.
  await setLook(page, { locale: 'ru', theme: 'light' })
  await openRun(page, runId)
  await page.getByTestId('rerun-not-run').waitFor({ timeout: TIMEOUT })
  assert.match(await page.getByTestId('rerun-not-run').innerText(), /Отправить неотправленные/)
  await dismissMessages(page)
  await world.screenshot('run-cancelled-ru')
  // At the smallest window the app allows (860 x 560), the actions still fit their card.
  await page.setViewportSize({ width: 860, height: 560 })
  const offerBox = await page.getByTestId('rerun-not-run').boundingBox()
  assert.ok(offerBox && offerBox.x + offerBox.width <= 860, `the button is on screen: ${JSON.stringify(offerBox)}`)
  await world.screenshot('run-cancelled-ru-min')
  await page.setViewportSize({ width: 1280, height: 820 })
  await setLook(page, { locale: 'en', theme: 'light' })
  await openRun(page, runId)

  await page.getByTestId('rerun-not-run').click()
  await page.getByTestId('confirm-rerun-not-run').click()
  const childId = await monitorRunId(page, runId)
  await waitForAttribute(page.getByTestId('run-progress'), 'data-status', 'finished', 90_000)
  const child = await world.invoke<RunSummaryView>('runs.get', childId)
  assert.equal(child.parentRunId, runId)
  assert.equal(child.counts.succeeded, notRun)
  const fired = firedOnce(world, FROM, FROM + N - 1)
  assert.equal(fired.size, N, 'every row sent')
  assert.ok([...fired.values()].every((n) => n === 1), 'and none twice')
})

scenario('finish: rows a recent run sent are not sent again unless the admin says so', async (world) => {
  const { page, sandbox } = world
  sandbox.generateItems(2, FROM + N, 5, 'NEW')
  // The same 120 IDs again, plus 5 new ones: the prompt names the run and counts.
  const ids = Array.from({ length: N + 5 }, (_, i) => String(FROM + i))
  await startBatch(page, ids, false)
  const prompt = page.getByTestId('overlap-prompt')
  await prompt.waitFor({ timeout: TIMEOUT })
  assert.equal(await prompt.getAttribute('data-rows'), String(N))
  assert.match(await page.getByTestId('overlap-skip').innerText(), /send the other 5/)
  await world.screenshot('overlap-prompt-en')
  // "Don't start": nothing is sent and the run waits, ready.
  const before = sandbox.ledger().length
  await page.getByTestId('overlap-abort').click()
  await prompt.waitFor({ state: 'detached', timeout: TIMEOUT })
  const runId = await monitorRunId(page)
  assert.equal((await world.invoke<RunSummaryView>('runs.get', runId)).status, 'ready')
  assert.equal(sandbox.ledger().length, before)
  // Its Start button asks the same, here in Russian.
  await setLook(page, { locale: 'ru', theme: 'light' })
  await openRun(page, runId)
  await page.getByTestId('run-start').click()
  await prompt.waitFor({ timeout: TIMEOUT })
  assert.match(await page.locator('.n-dialog').innerText(), /Часть строк уже отправлялась/)
  await world.screenshot('overlap-prompt-ru')
  await page.setViewportSize({ width: 860, height: 560 })
  const skipBox = await page.getByTestId('overlap-skip').boundingBox()
  assert.ok(skipBox && skipBox.x + skipBox.width <= 860 && skipBox.y + skipBox.height <= 560, `the choice is on screen: ${JSON.stringify(skipBox)}`)
  await world.screenshot('overlap-prompt-ru-min')
  await page.setViewportSize({ width: 1280, height: 820 })
  await page.getByTestId('overlap-skip').click()
  await waitForAttribute(page.getByTestId('run-progress'), 'data-status', 'finished', 60_000)
  const run = await world.invoke<RunSummaryView>('runs.get', runId)
  assert.equal(run.counts.succeeded, 5)
  assert.equal(run.counts.skipped, N)
  const fired = firedOnce(world, FROM, FROM + N + 4)
  assert.equal(fired.size, N + 5)
  assert.ok([...fired.values()].every((n) => n === 1), 'nothing fired twice')
  const skipped = await world.invoke<RowsPage>('runs.rows', { runId, offset: 0, limit: 1, outcome: 'skipped' })
  assert.equal(skipped.rows[0]?.errorCode, 'ALREADY_DONE')

  // Every row sent already: said so, and skipping is offered as sending nothing (in Russian
  // here), never as "send the other 0".
  const sent = sandbox.ledger().length
  await startBatch(page, ids, false)
  await prompt.waitFor({ timeout: TIMEOUT })
  await page.getByTestId('overlap-nothing-new').waitFor({ timeout: TIMEOUT })
  assert.match(await page.locator('.n-dialog').innerText(), /Все эти строки уже отправлялись/)
  assert.match(await page.getByTestId('overlap-skip').innerText(), /ничего не отправлять/)
  await world.screenshot('overlap-prompt-nothing-new-ru')
  await page.getByTestId('overlap-skip').click()
  const allSkipped = await monitorRunId(page, runId)
  await waitForAttribute(page.locator(`[data-testid="run-monitor"][data-run-id="${allSkipped}"]`).getByTestId('run-progress'), 'data-status', 'finished', 60_000)
  assert.equal((await world.invoke<RunSummaryView>('runs.get', allSkipped)).counts.skipped, N + 5)
  assert.equal(sandbox.ledger().length, sent, 'nothing sent')
})

scenario('finish: re-run uncertain leaves out rows seen to move; re-run unchanged', async (world) => {
  const { page, sandbox } = world
  await setLook(page, { locale: 'en', theme: 'light' })
  const base = 7301
  sandbox.generateItems(2, base, 1, 'WON')
  sandbox.generateItems(2, base + 1, 6, 'NEW')
  sandbox.generateItems(2, base + 7, 3, 'WON')
  // A WON deal first (the probe: uncertain, unchanged), then deals at NEW (uncertain, moved):
  // request 0 reads the stages, the next two trigger batches run and answer a bare 500.
  sandbox.addFaults([{ method: 'batch', fault: 'error500-after', after: 1, times: 2 }])
  await startBatch(page, Array.from({ length: 10 }, (_, i) => String(base + i)), false)
  const runId = await monitorRunId(page)
  await waitForAttribute(page.getByTestId('run-progress'), 'data-status', 'finished', 60_000)
  sandbox.clearFaults()
  const rows = await world.invoke<RowsPage>('runs.rows', { runId, offset: 0, limit: 100, outcome: 'uncertain' })
  const moved = rows.rows.filter((r) => r.verification?.state === 'moved').length
  assert.ok(moved > 0 && moved < rows.total, `uncertain ${rows.total}, moved ${moved}`)

  await page.getByTestId('rerun-uncertain').click()
  const body = page.getByTestId('rerun-uncertain-body')
  await body.waitFor({ timeout: TIMEOUT })
  assert.equal(await body.getAttribute('data-moved'), String(moved))
  assert.equal(await body.getAttribute('data-rows'), String(rows.total - moved))
  assert.match(await page.getByTestId('rerun-moved-note').innerText(), new RegExp(`saw ${moved} of the uncertain rows move`))
  await world.screenshot('rerun-uncertain-en')
  // The same confirmation in Russian (from History), then back to English.
  await page.keyboard.press('Escape')
  await body.waitFor({ state: 'detached', timeout: TIMEOUT })
  await setLook(page, { locale: 'ru', theme: 'light' })
  await openRun(page, runId)
  await page.getByTestId('rerun-uncertain').click()
  await body.waitFor({ timeout: TIMEOUT })
  assert.match(await page.getByTestId('rerun-moved-note').innerText(), new RegExp(`элементы ${moved} строк`))
  await world.screenshot('rerun-uncertain-ru')
  await page.keyboard.press('Escape')
  await body.waitFor({ state: 'detached', timeout: TIMEOUT })
  await setLook(page, { locale: 'en', theme: 'light' })
  await openRun(page, runId)
  await page.getByTestId('rerun-uncertain').click()
  await body.waitFor({ timeout: TIMEOUT })
  await page.getByTestId('rerun-include-moved').click()
  await waitForAttribute(body, 'data-rows', String(rows.total))
  assert.match(await page.getByTestId('rerun-moved-note').innerText(), new RegExp(`${moved} of the selected rows were seen to move`))
  await page.getByTestId('rerun-include-moved').click()
  await waitForAttribute(body, 'data-rows', String(rows.total - moved))
  await page.getByTestId('confirm-rerun-uncertain').click()
  const childId = await monitorRunId(page, runId)
  await waitForAttribute(page.getByTestId('run-progress'), 'data-status', 'finished', 60_000)
  const child = await world.invoke<RunSummaryView>('runs.get', childId)
  assert.equal(child.counts.total, rows.total - moved)

  // The re-run's rows are deals already at WON: they succeed without moving, and the re-run
  // offers to run them again ("re-run unchanged").
  const childRows = await world.invoke<RowsPage>('runs.rows', { runId: childId, offset: 0, limit: 100 })
  const unchanged = childRows.rows.filter((r) => r.outcome === 'succeeded' && r.verification?.state === 'unchanged').length
  assert.equal(unchanged, child.counts.total)
  const detail = page.locator(`[data-testid="run-monitor"][data-run-id="${childId}"]`)
  const button = detail.getByTestId('rerun-unchanged')
  await button.waitFor({ timeout: TIMEOUT })
  assert.match(await button.innerText(), new RegExp(`Re-run unchanged \\(${unchanged}\\)`))
  await page.mouse.move(0, 0)
  await world.screenshot('rerun-unchanged-en')
})

scenario('finish: resuming a paused run asks first when a later run sent its rows', async (world) => {
  const { page, sandbox } = world
  await setLook(page, { locale: 'en', theme: 'light' })
  const base = 7401
  // More than one batch (50 at most), so the pause comes before the last of them.
  const count = 120
  sandbox.generateItems(2, base, count, 'NEW')
  const ids = Array.from({ length: count }, (_, i) => String(base + i))
  // A slow run, paused once a few rows went out.
  await startBatch(page, ids, true)
  const pausedId = await monitorRunId(page)
  await until('the first rows to succeed', () => (lastProgress(world, pausedId)?.counts.succeeded ?? 0) > 0, 30_000)
  await page.getByTestId('run-pause').click()
  await waitForAttribute(page.getByTestId('run-progress'), 'data-status', 'paused', 60_000)
  const paused = await world.invoke<RunSummaryView>('runs.get', pausedId)
  assert.ok(paused.counts.pending > 0, JSON.stringify(paused.counts))

  // The admin opens the same IDs again and sends the rest from a new run (skipping the done ones).
  await startBatch(page, ids, false)
  await page.getByTestId('overlap-prompt').waitFor({ timeout: TIMEOUT })
  await page.getByTestId('overlap-skip').click()
  const laterId = await monitorRunId(page, pausedId)
  await waitForAttribute(page.getByTestId('run-progress'), 'data-status', 'finished', 60_000)
  assert.ok([...firedOnce(world, base, base + count - 1).values()].every((n) => n === 1))

  // Resuming the paused run would fire those rows a second time: it asks, and skipping them
  // sends nothing again.
  await openRun(page, pausedId)
  const before = sandbox.ledger().length
  await page.getByTestId('run-resume').click()
  const prompt = page.getByTestId('overlap-prompt')
  await prompt.waitFor({ timeout: TIMEOUT })
  assert.equal(await prompt.getAttribute('data-rows'), String(paused.counts.pending))
  assert.equal(sandbox.ledger().length, before, 'nothing sent while the prompt is open')
  await page.getByTestId('overlap-skip').click()
  await waitForAttribute(page.locator(`[data-testid="run-monitor"][data-run-id="${pausedId}"]`).getByTestId('run-progress'), 'data-status', 'finished', 60_000)
  const resumed = await world.invoke<RunSummaryView>('runs.get', pausedId)
  assert.equal(resumed.counts.skipped, paused.counts.pending)
  const fired = firedOnce(world, base, base + count - 1)
  assert.equal(fired.size, count, 'every row sent')
  assert.ok([...fired.values()].every((n) => n === 1), 'and none twice')
  assert.notEqual(laterId, pausedId)
})
