// Accessibility (issue 11, item 10): axe-core on every screen, in the light and the dark theme
// (and in Russian), with menus and dialogs open. Any critical or serious violation fails the run;
// the per-screen counts are printed, so the figure can be quoted.
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import type { RunSummaryView } from '../../../electron/shared/ipc'
import { axeViolations, describeFindings } from '../lib/axe'
import { FAILURE_DIR, scenario, type World } from '../lib/harness'
import { TIMEOUT, choose, goto, pickProfile, setLook } from '../lib/ui'
import { newBatchForm, pasteRows } from './batch'
import { SIGN_IN_PORTAL } from './portals'

type Look = { locale: 'en' | 'ru'; theme: 'light' | 'dark' }

interface Tally {
  screens: number
  critical: number
  serious: number
  lines: string[]
}

async function check(page: Page, tally: Tally, screen: string): Promise<void> {
  // Transitions (dialogs fading in, menus opening) change colours mid-way: let them finish.
  await page.waitForTimeout(350)
  const found = await axeViolations(page)
  tally.screens++
  for (const f of found) {
    if (f.impact === 'critical') tally.critical += f.nodes.length
    else tally.serious += f.nodes.length
  }
  tally.lines.push(...describeFindings(screen, found))
  console.log(`      axe ${screen}: ${found.filter((f) => f.impact === 'critical').reduce((n, f) => n + f.nodes.length, 0)} critical, ${found.filter((f) => f.impact === 'serious').reduce((n, f) => n + f.nodes.length, 0)} serious`)
}

async function everyScreen(world: World, look: Look, tally: Tally): Promise<void> {
  const { page } = world
  const tag = `${look.locale}-${look.theme}`
  await setLook(page, look)

  await goto(page, 'portals')
  await page.locator('[data-testid^="portal-card-"]').first().waitFor({ timeout: TIMEOUT }).catch(() => undefined)
  await check(page, tally, `${tag} portals`)
  await page.getByTestId('portal-add').click()
  await page.getByTestId('portal-add-dialog').waitFor({ timeout: TIMEOUT })
  await check(page, tally, `${tag} portals/add webhook`)
  await page.getByTestId('portal-add-dialog').getByTestId('way-app').click()
  await check(page, tally, `${tag} portals/add app`)
  await page.keyboard.press('Escape')
  await page.getByTestId('portal-add-dialog').waitFor({ state: 'detached', timeout: TIMEOUT })

  await goto(page, 'triggers')
  await pickProfile(page, SIGN_IN_PORTAL)
  await page.getByTestId('trigger-table').getByText('deal_won', { exact: true }).waitFor({ timeout: TIMEOUT })
  await check(page, tally, `${tag} triggers`)
  // An open select menu (the portal picker) is a screen of its own for a screen reader.
  await page.getByTestId('profile-select').click()
  await page.locator('.n-base-select-option:visible').first().waitFor({ timeout: TIMEOUT })
  await check(page, tally, `${tag} triggers/portal menu open`)
  await page.keyboard.press('Escape')

  await goto(page, 'run-one')
  await page.getByTestId('trigger-kind-app').click()
  await check(page, tally, `${tag} run one`)
  await choose(page, page.getByTestId('run-one-code-select'), 'deal_won')
  await page.getByTestId('run-one-owner-id').fill('3')
  await page.getByTestId('run-one-submit').click()
  await page.getByTestId('run-one-result').waitFor({ timeout: TIMEOUT })
  await check(page, tally, `${tag} run one/result`)

  await newBatchForm(page, SIGN_IN_PORTAL)
  await check(page, tally, `${tag} batch`)
  await page.getByTestId('batch-kind-app').click()
  await choose(page, page.getByTestId('batch-code-select'), 'deal_won')
  await pasteRows(page, ['1', '2', 'x', '-4', '2'])
  await choose(page, page.getByTestId('run-options').getByTestId('plan-select'), /Custom limits|Свои лимиты/)
  await check(page, tally, `${tag} batch/checked`)

  await goto(page, 'history')
  await page.getByTestId('history-table').waitFor({ timeout: TIMEOUT })
  await check(page, tally, `${tag} history`)
  const runId = world.shared.get('batchRun')
  if (runId) {
    await page.getByTestId(`history-open-${runId}`).click()
    await page.getByTestId('results-table').getByText('#1001').first().waitFor({ timeout: TIMEOUT })
    await check(page, tally, `${tag} run detail`)
  }
}

scenario('accessibility: error rows of the results table are one Tab stop, reached with the arrow keys', async (world) => {
  const { page } = world
  await setLook(page, { locale: 'en', theme: 'light' })
  const list = await world.invoke<RunSummaryView[]>('runs.list')
  const errorsOf = (r: RunSummaryView): number => r.counts.uncertain + r.counts.failed
  const run = [...list].sort((a, b) => errorsOf(b) - errorsOf(a))[0]
  assert.ok(run && errorsOf(run) > 0, `a run with error rows (the README batch has uncertain ones): ${JSON.stringify(list.map((r) => [r.sourceName, r.counts]))}`)
  await goto(page, 'history')
  await page.getByTestId(`history-open-${run.id}`).click()
  const table = page.getByTestId('results-table')
  // Only the rows with errors, so that several are on screen at once.
  await page.getByTestId(run.counts.uncertain >= run.counts.failed ? 'count-uncertain' : 'count-failed').click()
  await table.locator('.row-error > summary').first().waitFor({ timeout: TIMEOUT })
  const errors = await table.locator('.row-error > summary').count()
  assert.ok(errors >= 1, `error rows on the page (${errors})`)
  // Focusable by Tab: anything with tabIndex >= 0 that is not disabled.
  const tabStops = Number(
    await page.evaluate(
      `[...document.querySelectorAll('[data-testid="results-table"] .n-data-table-base-table-body, [data-testid="results-table"] .n-data-table-base-table-body :is(a[href], button, input, select, textarea, summary, [tabindex])')].filter((n) => n.tabIndex >= 0 && !n.hasAttribute('disabled')).length`
    )
  )
  assert.equal(tabStops, 1, 'the rows are one Tab stop (the table body), not one per error row')
  const region = table.locator('[data-keyboard-region]')
  await region.focus()
  await page.keyboard.press('ArrowDown')
  assert.equal(await page.evaluate(`document.activeElement?.matches('.row-error > summary')`), true, '↓ reaches the first error')
  if (errors >= 2) {
    await page.keyboard.press('ArrowDown')
    const second = await page.evaluate(`[...document.querySelectorAll('[data-testid="results-table"] .row-error > summary')].indexOf(document.activeElement)`)
    assert.equal(second, 1, '↓ again moves to the next error')
  }
  await page.keyboard.press('Enter')
  assert.equal(await page.evaluate(`document.activeElement?.parentElement?.open`), true, 'Enter opens what the portal said')
  await page.keyboard.press('Escape')
  assert.equal(await page.evaluate(`document.activeElement?.hasAttribute('data-keyboard-region')`), true, 'Escape returns to the table')
})

scenario('accessibility: axe finds no critical or serious violation on any screen, light and dark', async (world) => {
  const tally: Tally = { screens: 0, critical: 0, serious: 0, lines: [] }
  for (const look of [
    { locale: 'en', theme: 'light' },
    { locale: 'en', theme: 'dark' },
    { locale: 'ru', theme: 'light' },
    { locale: 'ru', theme: 'dark' }
  ] as Look[]) {
    await everyScreen(world, look, tally)
  }
  await setLook(world.page, { locale: 'en', theme: 'light' })
  writeFileSync(join(FAILURE_DIR, 'axe-findings.txt'), tally.lines.join('\n'))
  console.log(`      axe total: ${tally.screens} screens, ${tally.critical} critical, ${tally.serious} serious`)
  assert.equal(tally.critical + tally.serious, 0, `axe violations:\n${tally.lines.slice(0, 60).join('\n')}`)
})
