// Every main screen in English and Russian, and a few in the dark theme, saved to
// tests/e2e/artifacts/screenshots/ (kept in git; the README shows one). Each shot also checks
// that the screen shows what it should, in the language it should.
import assert from 'node:assert/strict'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { FIXTURE_DIR, scenario, type World } from '../lib/harness'
import { TIMEOUT, choose, dismissMessages, goto, pickProfile, setLook } from '../lib/ui'
import { SIGN_IN_PORTAL } from './portals'

type Locale = 'en' | 'ru'

/** A word each screen shows in each language: proof the page really switched. */
const TITLES: Record<Locale, Record<string, RegExp>> = {
  en: { portals: /Portals/, triggers: /Triggers/, 'run-one': /Run one/, batch: /Batch run/, history: /History/ },
  ru: { portals: /Порталы/, triggers: /Триггеры/, 'run-one': /Один запуск/, batch: /Массовый запуск/, history: /История/ }
}

async function titled(page: Page, locale: Locale, view: keyof (typeof TITLES)['en']): Promise<void> {
  const section = await goto(page, view as Parameters<typeof goto>[1])
  assert.match(await section.locator('h1').first().innerText(), TITLES[locale][view]!, `${view} in ${locale}`)
}

async function shootAll(world: World, locale: Locale, suffix = locale): Promise<void> {
  const { page, dialogs } = world
  await titled(page, locale, 'portals')
  await world.screenshot(`portals-${suffix}`)

  await titled(page, locale, 'triggers')
  await pickProfile(page, SIGN_IN_PORTAL)
  await page.getByTestId('trigger-table').getByText('deal_won', { exact: true }).waitFor({ timeout: TIMEOUT })
  await world.screenshot(`triggers-${suffix}`)

  await titled(page, locale, 'run-one')
  await page.getByTestId('trigger-kind-app').click()
  await choose(page, page.getByTestId('run-one-code-select'), 'lead_hot')
  await choose(page, page.getByTestId('owner-type-select'), /\(1\)/)
  await page.getByTestId('run-one-owner-id').fill(locale === 'en' ? '4' : '5')
  await page.getByTestId('run-one-submit').click()
  await page.locator('[data-testid="run-one-result"][data-outcome="succeeded"]').waitFor({ timeout: TIMEOUT })
  await dismissMessages(page)
  await world.screenshot(`run-one-${suffix}`)

  await titled(page, locale, 'batch')
  const again = page.getByTestId('batch-new')
  if (await again.isVisible()) await again.click()
  await pickProfile(page, SIGN_IN_PORTAL)
  await page.getByTestId('batch-kind-app').click()
  await choose(page, page.getByTestId('batch-code-select'), 'deal_won')
  await choose(page, page.getByTestId('owner-type-select'), /\(2\)/)
  dialogs.openCsv.push(join(FIXTURE_DIR, 'deals.csv'))
  await page.getByTestId('csv-open').click()
  await page.getByTestId('validation-summary').waitFor({ timeout: TIMEOUT })
  await world.screenshot(`batch-${suffix}`)

  await titled(page, locale, 'history')
  await page.getByTestId('history-table').getByText('deals.csv').first().waitFor({ timeout: TIMEOUT })
  await world.screenshot(`history-${suffix}`)
  await page.getByTestId(`history-open-${world.shared.get('batchRun')}`).click()
  await page.getByTestId('run-monitor').waitFor({ timeout: TIMEOUT })
  await page.getByTestId('results-table').getByText('#1001').first().waitFor({ timeout: TIMEOUT })
  await world.screenshot(`run-${suffix}`)
}

scenario('screenshots: every main screen in English, Russian and the dark theme', async (world) => {
  const { page } = world
  await setLook(page, { locale: 'en', theme: 'light' })
  await shootAll(world, 'en')
  await setLook(page, { locale: 'ru', theme: 'light' })
  await shootAll(world, 'ru')

  await setLook(page, { locale: 'en', theme: 'dark' })
  await goto(page, 'portals')
  await world.screenshot('portals-dark-en')
  await goto(page, 'history')
  await page.getByTestId(`history-open-${world.shared.get('batchRun')}`).click()
  await page.getByTestId('results-table').getByText('#1001').first().waitFor({ timeout: TIMEOUT })
  await world.screenshot('run-dark-en')
  await setLook(page, { locale: 'en', theme: 'light' })
})
