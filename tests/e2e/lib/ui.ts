// Small steps the scenarios repeat, written against the renderer's data-testid attributes.
import assert from 'node:assert/strict'
import type { Locator, Page } from 'playwright-core'

export const TIMEOUT = 15_000

export type ViewName = 'portals' | 'triggers' | 'run-one' | 'batch' | 'history'

/** A menu entry. */
export function navItem(page: Page, view: ViewName): Locator {
  return page.getByTestId(`nav-${view}`)
}

export async function goto(page: Page, view: ViewName): Promise<Locator> {
  await navItem(page, view).click()
  const section = page.getByTestId(`view-${view}`)
  await section.waitFor({ state: 'visible', timeout: TIMEOUT })
  return section
}

/** Language and theme as the settings bar stores them; reloads so everything renders anew. */
export async function setLook(page: Page, look: { locale: 'en' | 'ru'; theme: 'light' | 'dark' }): Promise<void> {
  await page.evaluate(`localStorage.setItem('trigger-runner.settings', ${JSON.stringify(JSON.stringify(look))})`)
  await page.reload()
  await navItem(page, 'portals').waitFor({ timeout: TIMEOUT })
}

/** Picks an option of a naive-ui select by its visible text. */
export async function choose(page: Page, select: Locator, optionText: string | RegExp): Promise<void> {
  await select.click()
  // Menus of other selects stay in the DOM, hidden: only the open one counts.
  const option = page.locator('.n-base-select-option:visible').filter({ hasText: optionText }).first()
  await option.waitFor({ state: 'visible', timeout: TIMEOUT })
  await option.click()
}

/** Waits until a locator's attribute has the wanted value. */
export async function waitForAttribute(locator: Locator, name: string, wanted: string | RegExp, timeout = TIMEOUT): Promise<string> {
  const deadline = Date.now() + timeout
  let last: string | null = null
  while (Date.now() < deadline) {
    last = await locator.getAttribute(name, { timeout }).catch(() => null)
    if (last !== null && (typeof wanted === 'string' ? last === wanted : wanted.test(last))) return last
    await new Promise((r) => setTimeout(r, 100))
  }
  assert.fail(`${name} stayed ${JSON.stringify(last)}, wanted ${String(wanted)}`)
}

/** Polls a condition of the main process or the sandbox. */
export async function until<T>(what: string | (() => string), probe: () => T | Promise<T>, timeout = TIMEOUT): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeout
  for (;;) {
    const value = await probe()
    if (value) return value as NonNullable<T>
    // A function describes what was last seen, so a failure says more than "timed out".
    if (Date.now() > deadline) assert.fail(typeof what === 'function' ? what() : `timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** Closes the toasts naive-ui stacks in the corner, so screenshots show the screen itself. */
export async function dismissMessages(page: Page): Promise<void> {
  await page.locator('.n-message-container .n-message').first().waitFor({ state: 'detached', timeout: 6000 }).catch(() => undefined)
}

/** The portal's own words inside an error notice, one click away behind "Portal said". */
export async function portalSaid(scope: Locator): Promise<string> {
  const notice = scope.getByTestId('error-notice')
  await notice.waitFor({ timeout: TIMEOUT })
  const text = notice.getByTestId('error-portal-text')
  if (!(await text.isVisible())) await notice.getByTestId('error-portal-toggle').click()
  await text.waitFor({ timeout: TIMEOUT })
  return text.innerText()
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Picks a portal in the shared portal picker by its exact name. */
export async function pickProfile(page: Page, name: string): Promise<void> {
  const select = page.getByTestId('profile-select')
  await select.click()
  const option = page
    .locator('.n-base-select-option:visible')
    .filter({ has: page.locator('.profile-option-name', { hasText: new RegExp(`^${escapeRegExp(name)}$`) }) })
  await option.waitFor({ timeout: TIMEOUT })
  await option.click()
}
