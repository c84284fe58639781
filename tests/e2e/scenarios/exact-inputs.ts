// Numbers the admin types are used exactly as typed or refused with a reason, never rewritten:
// Run one's Item ID (the CSV check's rule and reason names) and a batch's custom limits.
import assert from 'node:assert/strict'
import type { Locator, Page } from 'playwright-core'
import { scenario } from '../lib/harness'
import { TIMEOUT, choose, goto, pickProfile, until } from '../lib/ui'
import { newBatchForm, pasteRows } from './batch'
import { SIGN_IN_PORTAL } from './portals'

/** The feedback line under a form field, found from its input. */
function feedbackOf(page: Page, inputId: string): Locator {
  return page.locator('.n-form-item').filter({ has: page.getByTestId(inputId) }).locator('.n-form-item-feedback-wrapper')
}

/**
 * The feedback line once it shows `expected` ('' for none). naive-ui fades a replaced feedback
 * line out, so for a moment the old reason is still in the DOM beside the new one: reading it
 * at once raced that fade (a CI run saw a cleared reason still there). A line that never
 * settles on `expected` still fails, naming what it showed.
 */
async function feedbackSettlesOn(page: Page, inputId: string, expected: RegExp | '', what: string): Promise<void> {
  const feedback = feedbackOf(page, inputId)
  let shown = ''
  await until(
    () => `${what}: feedback shows ${JSON.stringify(shown)}, expected ${expected === '' ? 'none' : String(expected)}`,
    async () => {
      shown = (await feedback.innerText()).trim()
      return expected === '' ? shown === '' : expected.test(shown)
    },
    3000
  )
}

scenario('exact inputs: Run one refuses an item ID it would have to rewrite', async (world) => {
  const { page, sandbox } = world
  await goto(page, 'run-one')
  await pickProfile(page, SIGN_IN_PORTAL)
  await page.getByTestId('trigger-kind-app').click()
  await choose(page, page.getByTestId('run-one-code-select'), 'deal_won')
  const executes = sandbox.ledger().length
  const field = page.getByTestId('run-one-owner-id')
  // The reasons are the CSV check's own (skipReason.*), word for word.
  const cases: [string, RegExp][] = [
    ['0', /ID is not above 0/],
    ['-7', /ID is not above 0/],
    ['6.6', /ID is not a whole number/],
    ['1e3', /ID is not a whole number/],
    ['2147483648', /ID is too large/],
    ['', /Empty ID/]
  ]
  for (const [typed, reason] of cases) {
    await field.fill(typed)
    await field.blur()
    await page.getByTestId('run-one-submit').click()
    await feedbackSettlesOn(page, 'run-one-owner-id', reason, `"${typed}" is refused with its reason`)
    assert.equal(await field.inputValue(), typed, `"${typed}" stays as typed`)
  }
  assert.equal(sandbox.ledger().length, executes, 'no trigger fired on an item the admin never typed')
  // A valid ID runs on exactly that item.
  sandbox.generateItems(2, 6, 1, 'NEW')
  await field.fill('6')
  await page.getByTestId('run-one-submit').click()
  await page.getByTestId('run-one-result').waitFor({ timeout: TIMEOUT })
  const fired = sandbox.ledger().slice(executes)
  assert.deepEqual(
    fired.map((e) => e.ownerId),
    [6]
  )
})

scenario('exact inputs: custom limits out of range are refused, not clamped, and hold Start', async (world) => {
  const { page } = world
  await newBatchForm(page, SIGN_IN_PORTAL)
  await page.getByTestId('batch-kind-app').click()
  await choose(page, page.getByTestId('batch-code-select'), 'deal_won')
  await pasteRows(page, ['1', '2'])
  await choose(page, page.getByTestId('run-options').getByTestId('plan-select'), /Custom limits|Свои лимиты/)
  await page.getByTestId('custom-limits').waitFor({ timeout: TIMEOUT })
  const start = page.getByTestId('batch-start')
  await until('Start enabled', async () => !(await start.isDisabled()))
  const cases: [string, string, RegExp][] = [
    ['limit-burst', '0', /At least 1/],
    ['limit-burst', '20000', /At most 10,000/],
    ['limit-burst', '2.5', /whole number/],
    ['limit-drain', '0.01', /At least 0\.1/],
    ['limit-operating', '-3', /At least 1/],
    ['limit-window', 'abc', /Not a number/]
  ]
  for (const [id, typed, reason] of cases) {
    const input = page.getByTestId(id)
    const before = await input.inputValue()
    await input.fill(typed)
    await input.blur()
    assert.equal(await input.inputValue(), typed, `${id}: "${typed}" stays as typed`)
    await feedbackSettlesOn(page, id, reason, `${id}: "${typed}" is refused with its reason`)
    assert.equal(await start.isDisabled(), true, `${id}: Start waits for a usable value`)
    await input.fill(before)
    await input.blur()
    await feedbackSettlesOn(page, id, '', `${id}: "${before}" is accepted again`)
  }
  // Decimal comma, as a Russian keyboard types it, is read as written.
  await page.getByTestId('limit-drain').fill('0,5')
  await page.getByTestId('limit-drain').blur()
  await feedbackSettlesOn(page, 'limit-drain', '', 'a decimal comma is accepted')
  assert.equal(await page.getByTestId('limit-drain').inputValue(), '0,5')
  assert.equal(await start.isDisabled(), false)
})
