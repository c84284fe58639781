// App-trigger registrations, and firing one trigger by hand: a verified success and the portal's
// refusals (trigger not registered, access denied to a webhook, an item that does not exist).
import assert from 'node:assert/strict'
import type { Page } from 'playwright-core'
import type { AppTrigger } from '../../../electron/shared/ipc'
import type { Profile } from '../../../electron/shared/domain'
import { scenario, type World } from '../lib/harness'
import { TIMEOUT, choose, dismissMessages, goto, pickProfile, portalSaid, until, waitForAttribute } from '../lib/ui'
import { SIGN_IN_PORTAL, WEBHOOK_PORTAL } from './portals'

export const USER_WEBHOOK_PORTAL = 'Sandbox manager webhook'

async function registered(world: World): Promise<string[]> {
  const list = await world.invoke<AppTrigger[]>('triggers.list', world.shared.get('appProfile'))
  return list.map((t) => t.code)
}

scenario('triggers: list, add and delete an app trigger', async (world) => {
  const { page } = world
  await goto(page, 'triggers')
  await pickProfile(page, SIGN_IN_PORTAL)
  const table = page.getByTestId('trigger-table')
  await table.getByText('deal_won', { exact: true }).waitFor({ timeout: TIMEOUT })

  await page.getByTestId('trigger-code').fill('e2e_added')
  await page.getByTestId('trigger-name').fill('Added by the e2e test')
  await page.getByTestId('trigger-add-submit').click()
  await table.getByText('e2e_added', { exact: true }).waitFor({ timeout: TIMEOUT })
  assert.ok((await registered(world)).includes('e2e_added'), 'the portal has the new trigger')

  await page.getByTestId('trigger-delete-e2e_added').click()
  await page.getByTestId('confirm-delete-trigger').click()
  await table.getByText('e2e_added', { exact: true }).waitFor({ state: 'detached', timeout: TIMEOUT })
  assert.ok(!(await registered(world)).includes('e2e_added'), 'the portal no longer has it')
})

/** Fills Run one and waits for the result card; returns it. */
async function runOne(page: Page, opts: { kind: 'app' | 'webhook'; code: string; ownerId: number; pickCode?: boolean }) {
  await page.getByTestId(`trigger-kind-${opts.kind}`).click()
  if (opts.kind === 'app') {
    const select = page.getByTestId('run-one-code-select')
    if (opts.pickCode) await choose(page, select, opts.code)
    else {
      await select.click()
      await page.getByTestId('run-one-code').fill(opts.code)
      await page.keyboard.press('Enter')
    }
  } else {
    await page.getByTestId('run-one-code').fill(opts.code)
  }
  await page.getByTestId('run-one-owner-id').fill(String(opts.ownerId))
  // Mark the previous result, so the wait below can only end on the new one.
  const previous = page.getByTestId('run-one-result')
  if (await previous.count()) await previous.evaluate((el) => el.setAttribute('data-stale', ''))
  await page.getByTestId('run-one-submit').click()
  const card = page.locator('[data-testid="run-one-result"]:not([data-stale])')
  await card.waitFor({ timeout: TIMEOUT })
  return card
}

scenario('run one: an app trigger moves the item, verified', async (world) => {
  const { page, sandbox } = world
  await goto(page, 'run-one')
  await pickProfile(page, SIGN_IN_PORTAL)
  await waitForAttribute(page.getByTestId('run-one-verify'), 'aria-checked', 'true')
  assert.equal(sandbox.getItem(2, 2)?.stageId, 'NEW')
  const card = await runOne(page, { kind: 'app', code: 'deal_won', ownerId: 2, pickCode: true })
  assert.equal(await card.getAttribute('data-outcome'), 'succeeded')
  const verification = card.getByTestId('run-one-verification').locator('[data-verification]')
  assert.equal(await verification.getAttribute('data-verification'), 'moved')
  assert.match(await verification.innerText(), /NEW\s*→\s*WON/)
  assert.equal(sandbox.getItem(2, 2)?.stageId, 'WON')
  await dismissMessages(page)
  await world.screenshot('run-one-en')
})

scenario('run one: a trigger the app never registered', async (world) => {
  const { page, sandbox } = world
  const executes = sandbox.ledger().length
  const card = await runOne(page, { kind: 'app', code: 'never_registered', ownerId: 3 })
  assert.equal(await card.getAttribute('data-outcome'), 'failed')
  assert.match(await portalSaid(card), /never_registered is not registered/)
  assert.equal(sandbox.ledger().length, executes, 'nothing was executed')
  await dismissMessages(page)
  await world.screenshot('run-one-error-en')
})

scenario('run one: an item that does not exist is reported, though the portal says true', async (world) => {
  const { page } = world
  const card = await runOne(page, { kind: 'app', code: 'deal_won', ownerId: 999_999, pickCode: true })
  assert.equal(await card.getAttribute('data-outcome'), 'succeeded')
  assert.equal(await card.getByTestId('run-one-verification').locator('[data-verification]').getAttribute('data-verification'), 'not-found')
})

scenario('run one: copy as curl goes to the clipboard through main', async (world) => {
  const { page } = world
  const before = world.main().clipboard.length
  await page.getByTestId('run-one-curl').click()
  await page.getByText(/curl command is on the clipboard/).waitFor({ timeout: TIMEOUT })
  const copied = world.main().clipboard.slice(before)
  assert.equal(copied.length, 1)
  assert.match(copied[0]!, /^curl /)
  assert.match(copied[0]!, /crm\.automation\.trigger\.execute/)
  await dismissMessages(page)
})

scenario('run one: webhook triggers, and access denied to a webhook', async (world) => {
  const { page, sandbox } = world
  // A webhook profile cannot even choose app triggers: they need an app's context.
  await pickProfile(page, WEBHOOK_PORTAL)
  assert.equal(await page.getByTestId('trigger-kind-app').locator('input').isDisabled(), true)
  const moved = await runOne(page, { kind: 'webhook', code: 'wh_prep', ownerId: 1 })
  assert.equal(await moved.getAttribute('data-outcome'), 'succeeded')
  assert.equal(sandbox.getItem(2, 1)?.stageId, 'PREPARATION')

  // A manager's webhook may not change someone else's deal.
  const manager = await world.invoke<Profile>('profiles.addWebhook', { name: USER_WEBHOOK_PORTAL, webhookUrl: sandbox.userWebhookUrl, plan: 'standard' })
  world.shared.set('userWebhookProfile', manager.id)
  await page.reload()
  await goto(page, 'run-one')
  await pickProfile(page, USER_WEBHOOK_PORTAL)
  const denied = await runOne(page, { kind: 'webhook', code: 'wh_prep', ownerId: 3 })
  assert.equal(await denied.getAttribute('data-outcome'), 'failed')
  assert.match(await portalSaid(denied), /no permissions to update/i)
  assert.equal(sandbox.getItem(2, 3)?.stageId, 'NEW')
  await until('the ledger to stay unchanged for deal 3', () => !sandbox.ledger().some((e) => e.ownerId === 3 && e.via === 'webhook'))
})
