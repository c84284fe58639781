// Connecting portals: an incoming webhook, a local app by pasted token pair, and a local app
// through the sign-in flow (the portal's /oauth/authorize/ redirect and the code exchange).
import assert from 'node:assert/strict'
import type { Page } from 'playwright-core'
import type { Profile } from '../../../electron/shared/domain'
import { scenario, type World } from '../lib/harness'
import { TIMEOUT, goto, waitForAttribute } from '../lib/ui'

export const WEBHOOK_PORTAL = 'Sandbox webhook'
export const TOKENS_PORTAL = 'Sandbox app (tokens)'
export const SIGN_IN_PORTAL = 'Sandbox app'

async function openAddDialog(page: Page, tab: 'webhook' | 'sign-in' | 'tokens'): Promise<void> {
  await goto(page, 'portals')
  const empty = page.getByTestId('portal-add-empty')
  await ((await empty.isVisible()) ? empty : page.getByTestId('portal-add')).click()
  const dialog = page.getByTestId('portal-add-dialog')
  await dialog.waitFor({ timeout: TIMEOUT })
  await dialog.getByTestId(`way-${tab === 'sign-in' ? 'app' : tab}`).click()
}

/** No field of the page holds the secret any more (typed values live in the input's `value`
 * property, which page.content() does not show, so both are read). */
async function assertSecretGone(page: Page, secret: string, what: string): Promise<void> {
  const values = await page.locator('input, textarea').evaluateAll((fields) => fields.map((f) => (f as unknown as { value: string }).value))
  assert.ok(!values.some((v) => v.includes(secret)), `no input holds the ${what}`)
  assert.ok(!(await page.content()).includes(secret), `the page's markup does not hold the ${what}`)
}

/** The card of a portal, once its connection test has answered; returns its profile id. */
async function cardOf(world: World, name: string, ok: boolean): Promise<string> {
  const card = world.page.locator(`[data-testid^="portal-card-"][data-profile-name="${name}"]`)
  await card.waitFor({ timeout: TIMEOUT })
  await waitForAttribute(card.getByTestId('connection-report'), 'data-ok', String(ok))
  const testid = await card.getAttribute('data-testid')
  return testid!.replace('portal-card-', '')
}

async function profile(world: World, id: string): Promise<Profile> {
  const found = (await world.invoke<Profile[]>('profiles.list')).find((p) => p.id === id)
  assert.ok(found, `profile ${id} is listed`)
  return found
}

scenario('portals: add a webhook portal', async (world) => {
  const { page, sandbox } = world
  await openAddDialog(page, 'webhook')
  await page.getByTestId('webhook-url').fill(sandbox.adminWebhookUrl)
  await page.getByTestId('webhook-name').fill(WEBHOOK_PORTAL)
  const url = page.getByTestId('webhook-url')
  assert.equal(await url.getAttribute('type'), 'password', 'the webhook URL is masked')
  assert.equal(await url.getAttribute('autocomplete'), 'off')
  await page.getByTestId('webhook-add-submit').click()
  const id = await cardOf(world, WEBHOOK_PORTAL, true)
  world.shared.set('webhookProfile', id)
  await assertSecretGone(page, new URL(sandbox.adminWebhookUrl).pathname.split('/')[3]!, 'webhook secret')

  const card = page.getByTestId(`portal-card-${id}`)
  // A webhook reaches the CRM but has no app context: webhook triggers only.
  assert.match(await card.getByTestId('can-run-webhook').innerText(), /^✓/)
  assert.match(await card.getByTestId('can-run-app').innerText(), /^✕/)
  assert.equal((await profile(world, id)).hasSecret, true)
  const secret = new URL(sandbox.adminWebhookUrl).pathname.split('/')[3]!
  assert.ok(!(await page.locator('body').innerText()).includes(secret), 'the webhook secret is not shown')
  assert.ok(!JSON.stringify(await world.invoke('profiles.list')).includes(secret), 'main never sends it back')
})

scenario('portals: add an app portal by token pair', async (world) => {
  const { page, sandbox } = world
  const tokens = sandbox.issueTokens()
  await openAddDialog(page, 'tokens')
  await page.getByTestId('tokens-portal-url').fill(sandbox.url)
  await page.getByTestId('tokens-client-id').fill(sandbox.app.clientId)
  await page.getByTestId('tokens-client-secret').fill(sandbox.app.clientSecret)
  await page.getByTestId('tokens-access-token').fill(tokens.access_token)
  await page.getByTestId('tokens-refresh-token').fill(tokens.refresh_token)
  await page.getByTestId('tokens-name').fill(TOKENS_PORTAL)
  await page.getByTestId('tokens-add-submit').click()
  const id = await cardOf(world, TOKENS_PORTAL, true)
  world.shared.set('tokensProfile', id)
  for (const [what, secret] of [['client secret', sandbox.app.clientSecret], ['access token', tokens.access_token], ['refresh token', tokens.refresh_token]] as const)
    await assertSecretGone(page, secret, what)
  assert.match(await page.getByTestId(`portal-card-${id}`).getByTestId('can-run-app').innerText(), /^✓/)
})

scenario('portals: a closed add dialog keeps no secret', async (world) => {
  const { page } = world
  const typed = 'e2e-typed-then-abandoned-secret'
  await openAddDialog(page, 'sign-in')
  await page.getByTestId('sign-in-client-secret').fill(typed)
  // Another way and back: the form kept alive while hidden forgot the secret, not the rest.
  await page.getByTestId('sign-in-client-id').fill('local.kept')
  await page.getByTestId('portal-add-dialog').getByTestId('way-webhook').click()
  await page.getByTestId('portal-add-dialog').getByTestId('way-app').click()
  assert.equal(await page.getByTestId('sign-in-client-secret').inputValue(), '')
  assert.equal(await page.getByTestId('sign-in-client-id').inputValue(), 'local.kept')
  await page.getByTestId('sign-in-client-secret').fill(typed)
  await page.keyboard.press('Escape')
  await page.getByTestId('portal-add-dialog').waitFor({ state: 'detached', timeout: TIMEOUT })
  await assertSecretGone(page, typed, 'secret typed into a closed dialog')
})

scenario('portals: add an app portal through the sign-in flow', async (world) => {
  const { page, sandbox } = world
  await openAddDialog(page, 'sign-in')
  await page.getByTestId('sign-in-portal-url').fill(sandbox.url)
  await page.getByTestId('sign-in-client-id').fill(sandbox.app.clientId)
  await page.getByTestId('sign-in-client-secret').fill(sandbox.app.clientSecret)
  await page.getByTestId('sign-in-name').fill(SIGN_IN_PORTAL)
  await page.getByTestId('sign-in-add-submit').click()
  const id = await cardOf(world, SIGN_IN_PORTAL, true)
  world.shared.set('appProfile', id)
  const card = page.getByTestId(`portal-card-${id}`)
  assert.match(await card.getByTestId('can-run-app').innerText(), /^✓/)
  const saved = await profile(world, id)
  assert.equal(saved.kind, 'oauth')
  assert.equal(saved.needsSignIn, undefined, 'the code was exchanged for tokens')
  assert.equal(saved.userId, 1, 'signed in as the sandbox admin')
})
