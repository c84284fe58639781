// Items in the CRM as the rows of a batch: type, pipeline and stage chosen by name, the count and
// sample, the preview (shown by itself above 300 items) with the stage distribution and the
// estimate, then Start freezes and fires exactly the matching items. English and Russian, at the
// window's minimum size.
import assert from 'node:assert/strict'
import type { RunSummaryView } from '../../../electron/shared/ipc'
import { scenario } from '../lib/harness'
import { TIMEOUT, choose, setLook, until, waitForAttribute } from '../lib/ui'
import { newBatchForm } from './batch'

const MIN_VIEWPORT = { width: 860, height: 560 }
const FROM = 60_000
/** 700 wholesale deals alternating New order / Negotiation: 350 at "New order". */
const AT_NEW = 350

scenario('crm source: choose deals by pipeline and stage, count, preview, start (English and Russian)', async (world) => {
  const { page, sandbox } = world
  sandbox.seedCrm({ entityTypeId: 2, fromId: FROM, count: 700, categoryId: 3, stageIds: ['C3:NEW', 'C3:PREPARATION'], createdFrom: '2026-03-01T09:00:00+00:00' })
  const before = page.viewportSize()
  await page.setViewportSize(MIN_VIEWPORT)
  try {
    for (const locale of ['ru', 'en'] as const) {
      await setLook(page, { locale, theme: 'light' })
      await newBatchForm(page)
      if (await page.getByTestId('source-change').isVisible()) await page.getByTestId('source-change').click()
      await page.getByTestId('batch-kind-app').click()
      await choose(page, page.getByTestId('batch-code-select'), 'deal_won')
      await page.getByTestId('source-way-crm').click()
      const panel = page.getByTestId('crm-source')
      await panel.waitFor({ timeout: TIMEOUT })
      await choose(page, page.getByTestId('crm-pipeline'), 'Wholesale')
      await choose(page, page.getByTestId('crm-stages'), 'New order')
      await page.getByTestId('crm-createdFrom').fill('2026-03-01')
      await page.getByTestId('crm-count').click()
      await waitForAttribute(page.getByTestId('crm-count-result'), 'data-count', String(AT_NEW))
      await page.getByTestId('crm-sample').waitFor({ timeout: TIMEOUT })
      await page.getByTestId('crm-count').scrollIntoViewIfNeeded()
      await world.screenshot(`crm-source-${locale}`)

      await page.getByTestId('crm-use').click()
      await waitForAttribute(page.getByTestId('crm-chosen'), 'data-count', String(AT_NEW))
      // Over 300 items: the preview reads every stage by itself.
      const preview = page.getByTestId('run-preview')
      await waitForAttribute(preview, 'data-items', String(AT_NEW))
      assert.equal(await preview.getAttribute('data-not-found'), '0')
      assert.match((await page.getByTestId('preview-stages').textContent()) ?? '', /C3:NEW/)
      await preview.scrollIntoViewIfNeeded()
      await world.screenshot(`crm-preview-${locale}`)
    }

    // Start (in English): the IDs are frozen into the run, then exactly those items are fired.
    const executesBefore = sandbox.stats().executes
    await page.getByTestId('crm-start').click()
    const monitor = page.getByTestId('run-monitor')
    await monitor.waitFor({ timeout: TIMEOUT })
    const runId = (await monitor.getAttribute('data-run-id'))!
    const finished = await until('the CRM run to finish', async () => {
      const run = await world.invoke<RunSummaryView>('runs.get', runId)
      return run.status === 'finished' ? run : undefined
    }, 60_000)
    assert.equal(finished.counts.total, AT_NEW)
    assert.equal(finished.counts.succeeded, AT_NEW)
    assert.equal(sandbox.stats().executes - executesBefore, AT_NEW)
    const fired = sandbox.ledger().slice(-AT_NEW).map((e) => e.ownerId)
    assert.ok(fired.every((id) => id >= FROM && id < FROM + 700 && (id - FROM) % 2 === 0))
    await world.screenshot('crm-run-finished-en')
  } finally {
    await setLook(page, { locale: 'en', theme: 'light' })
    if (before) await page.setViewportSize(before)
  }
})
