// A run that pauses because the portal wants a new sign-in offers the Sign in button in the pause
// message itself (issue 11, item 4). Runs last: it revokes every refresh token of the sandbox.
import assert from 'node:assert/strict'
import { scenario } from '../lib/harness'
import { TIMEOUT, choose, waitForAttribute } from '../lib/ui'
import { newBatchForm, pasteRows } from './batch'
import { SIGN_IN_PORTAL } from './portals'

scenario('pause sign-in: a run paused on a dead refresh token is signed in from the pause message and finishes', async (world) => {
  const { page, sandbox } = world
  sandbox.generateItems(2, 7001, 5, 'NEW')
  await newBatchForm(page, SIGN_IN_PORTAL)
  await page.getByTestId('batch-kind-app').click()
  await choose(page, page.getByTestId('batch-code-select'), 'deal_won')
  await pasteRows(page, ['7001', '7002', '7003', '7004', '7005'])
  // The app's tokens die: the next call needs a refresh, which the portal refuses.
  sandbox.expireAccessTokens()
  sandbox.revokeRefreshTokens()
  await page.getByTestId('batch-start').click()
  const monitor = page.getByTestId('run-monitor')
  await waitForAttribute(monitor.getByTestId('run-progress'), 'data-status', 'paused', 30_000)
  const button = monitor.getByTestId('pause-sign-in-button')
  await button.waitFor({ timeout: TIMEOUT })
  assert.match(await button.innerText(), new RegExp(SIGN_IN_PORTAL.replace(/[()]/g, '\\$&')))
  await button.click()
  await monitor.getByTestId('pause-signed-in').waitFor({ timeout: TIMEOUT })
  await monitor.getByTestId('run-resume').click()
  await waitForAttribute(monitor.getByTestId('run-progress'), 'data-status', 'finished', 30_000)
  assert.equal(await monitor.getByTestId('count-succeeded').getAttribute('data-count'), '5')
})
