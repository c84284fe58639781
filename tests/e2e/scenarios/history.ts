// History (issue 11, item 9): searchable, shows which run a re-run came from, names pasted runs
// by trigger and date.
import assert from 'node:assert/strict'
import type { RunSummaryView } from '../../../electron/shared/ipc'
import { scenario } from '../lib/harness'
import { TIMEOUT, goto } from '../lib/ui'

scenario('history: search, the run a re-run came from, pasted runs named by trigger and date', async (world) => {
  const { page } = world
  const list = await world.invoke<RunSummaryView[]>('runs.list')
  const pasted = list.find((r) => r.pasted && r.counts.uncertain + r.counts.failed > 0)
  assert.ok(pasted, 'a pasted run with rows to re-run (the README batch)')
  const rerun = await world.invoke<RunSummaryView>('runs.rerun', pasted.id, 'failed+uncertain')
  await goto(page, 'history')
  await page.getByTestId('history-refresh').click()
  const table = page.getByTestId('history-table')
  const parentLine = table.getByTestId(`history-parent-${rerun.id}`)
  await parentLine.waitFor({ timeout: TIMEOUT })
  assert.equal(await parentLine.getAttribute('data-parent-id'), pasted.id)
  assert.match(await parentLine.innerText(), /Re-run of Pasted IDs: deal_won, .*\(failed and uncertain rows\)/)
  // The pasted run is named by its trigger and date, not "Pasted IDs" like every other one.
  const pastedRow = table.locator(`[data-run-id="${pasted.id}"]`)
  assert.match(await pastedRow.locator('.run-name').innerText(), /^Pasted IDs: deal_won, \S/)

  const search = page.getByTestId('history-search')
  await search.fill('deals.csv')
  await page.waitForTimeout(100)
  const names = await table.locator('.run-name').allInnerTexts()
  assert.ok(names.length > 0 && names.every((n) => n === 'deals.csv'), `only deals.csv runs: ${names.join(', ')}`)
  // Words in any order, any column: the portal's name and the trigger.
  await search.fill('tokens deal_won')
  await page.waitForTimeout(100)
  assert.ok((await table.locator(`[data-run-id="${pasted.id}"]`).count()) === 1, 'found by portal and trigger')
  await search.fill('no-such-run-anywhere')
  await table.getByText('No run matches the search.').waitFor({ timeout: TIMEOUT })
  assert.match(await page.getByTestId('history-found').innerText(), /No runs found/)
  await search.fill('')
  await world.invoke('runs.cancel', rerun.id).catch(() => undefined)
})
