// "Copy as curl": the credential never appears, and with it filled back in the command works.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ACCESS_TOKEN_PLACEHOLDER, toCurl, WEBHOOK_SECRET_PLACEHOLDER } from '../../../electron/core/triggers/curl'
import { SEED_TRIGGERS, startSandbox, type Sandbox } from '../../../sandbox/index'

const run = promisify(execFile)
let sandbox: Sandbox

beforeAll(async () => {
  sandbox = await startSandbox({ rate: false, operating: false, triggerCostMs: 0 })
})
afterAll(async () => {
  await sandbox.close()
})

/** Runs the command as a shell would, after putting the real credential back. */
async function runCurl(command: string, placeholder: string, secret: string): Promise<unknown> {
  const { stdout } = await run('sh', ['-c', command.split(placeholder).join(secret)])
  return JSON.parse(stdout)
}

describe('toCurl', () => {
  it('hides the webhook secret, even when given the full webhook URL', async () => {
    const secret = /\/rest\/1\/([^/]+)\//.exec(sandbox.adminWebhookUrl)?.[1] as string
    const params = { target: 'DEAL_3', code: SEED_TRIGGERS.webhookPrep }
    const command = toCurl('webhook', sandbox.adminWebhookUrl, 'crm.automation.trigger', params)
    expect(command).not.toContain(secret)
    expect(command).toContain(`/rest/1/${WEBHOOK_SECRET_PLACEHOLDER}/crm.automation.trigger'`)
    expect(await runCurl(command, WEBHOOK_SECRET_PLACEHOLDER, secret)).toMatchObject({ result: true })
  })

  it('puts an access-token placeholder in the body of an OAuth call', async () => {
    const pair = sandbox.issueTokens()
    const params = { CODE: SEED_TRIGGERS.dealWon, OWNER_TYPE_ID: 2, OWNER_ID: 7 }
    const command = toCurl('oauth', sandbox.url, 'crm.automation.trigger.execute', params)
    expect(command).not.toContain(pair.access_token)
    expect(command).toContain(`"auth":"${ACCESS_TOKEN_PLACEHOLDER}"`)
    expect(await runCurl(command, ACCESS_TOKEN_PLACEHOLDER, pair.access_token)).toMatchObject({ result: true })
    expect(sandbox.getItem(2, 7)?.stageId).toBe('WON')
  })

  it('quotes shell metacharacters in parameters', async () => {
    const command = toCurl('webhook', 'https://portal.example', 'crm.automation.trigger', { code: "it's $(rm -rf /)" }, { userId: 9 })
    expect(command).toContain(`'{"code":"it'\\''s $(rm -rf /)"}'`)
    expect(command).toContain("'https://portal.example/rest/9/<webhook-secret>/crm.automation.trigger'")
    const { stdout } = await run('sh', ['-c', `printf %s ${command.split('\\\n').find((l) => l.includes('-d'))?.trim().slice(3)}`])
    expect(JSON.parse(stdout)).toEqual({ code: "it's $(rm -rf /)" })
  })
})
