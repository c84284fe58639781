// Sign in, edit, retry (issue 11, item 4): "Try signing in again" uses what the admin corrected,
// and a webhook the portal refuses is not saved as "Portal added".
import assert from 'node:assert/strict'
import type { Profile } from '../../../electron/shared/domain'
import { scenario } from '../lib/harness'
import { TIMEOUT, goto, portalSaid } from '../lib/ui'

const CORRECTED = 'Sandbox app (corrected)'

async function openAdd(page: import('playwright-core').Page, way: 'app' | 'webhook'): Promise<void> {
  await goto(page, 'portals')
  const empty = page.getByTestId('portal-add-empty')
  await ((await empty.isVisible()) ? empty : page.getByTestId('portal-add')).click()
  await page.getByTestId('portal-add-dialog').waitFor({ timeout: TIMEOUT })
  await page.getByTestId('portal-add-dialog').getByTestId(`way-${way}`).click()
}

scenario('sign-in retry: a failed sign-in is retried with the corrected client ID and name', async (world) => {
  const { page, sandbox } = world
  await openAdd(page, 'app')
  await page.getByTestId('sign-in-portal-url').fill(sandbox.url)
  await page.getByTestId('sign-in-client-id').fill('local.typo')
  await page.getByTestId('sign-in-client-secret').fill(sandbox.app.clientSecret)
  await page.getByTestId('sign-in-name').fill('Sandbox app (typo)')
  await page.getByTestId('sign-in-add-submit').click()
  const dialog = page.getByTestId('portal-add-dialog')
  await dialog.getByTestId('error-notice').waitFor({ timeout: TIMEOUT })
  const saved = (await world.invoke<Profile[]>('profiles.list')).find((p) => p.name === 'Sandbox app (typo)')
  assert.ok(saved, 'the first attempt saved the profile, waiting for a sign-in')

  // The admin fixes the client ID and the name; the secret stays in the keychain.
  await page.getByTestId('sign-in-client-id').fill(sandbox.app.clientId)
  await page.getByTestId('sign-in-name').fill(CORRECTED)
  await page.getByTestId('sign-in-add-submit').click()
  await dialog.waitFor({ state: 'detached', timeout: TIMEOUT })
  const after = (await world.invoke<Profile[]>('profiles.list')).find((p) => p.id === saved.id)
  assert.ok(after)
  assert.equal(after.name, CORRECTED, 'the corrected name was saved')
  assert.equal(after.clientId, sandbox.app.clientId, 'the corrected client ID was used')
  assert.equal(after.needsSignIn, undefined, 'signed in with the corrected values')
  await world.invoke('profiles.remove', saved.id)
})

scenario('sign-in retry: a webhook with a wrong secret is refused with the reason, and not saved', async (world) => {
  const { page, sandbox } = world
  const before = (await world.invoke<Profile[]>('profiles.list')).length
  const good = new URL(sandbox.adminWebhookUrl)
  const parts = good.pathname.split('/')
  parts[3] = `${parts[3]!.slice(0, -1)}${parts[3]!.endsWith('x') ? 'y' : 'x'}`
  good.pathname = parts.join('/')
  await openAdd(page, 'webhook')
  await page.getByTestId('webhook-url').fill(good.toString())
  await page.getByTestId('webhook-name').fill('Wrong secret')
  await page.getByTestId('webhook-add-submit').click()
  const dialog = page.getByTestId('portal-add-dialog')
  const notice = dialog.getByTestId('error-notice')
  await notice.waitFor({ timeout: TIMEOUT })
  // What is wrong, in words: the portal refused these credentials.
  assert.match(await notice.innerText(), /rejected the credentials/i)
  assert.ok((await portalSaid(dialog)).length > 0, 'the portal\'s own words are one click away')
  assert.equal((await world.invoke<Profile[]>('profiles.list')).length, before, 'nothing was saved')
  assert.equal(await page.locator('.n-message').filter({ hasText: /Wrong secret/ }).count(), 0, 'no "Portal added" message')
  await dialog.locator('.n-base-close').first().click()
  await dialog.waitFor({ state: 'detached', timeout: TIMEOUT })
})
