// `profiles add|list|test|remove` against the sandbox and the real keychain. Secrets go in on
// stdin only, and must never come back out on stdout or stderr.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { jsonLines } from './cli-process'
import { cliFixture, type CliFixture } from './fixtures'

let f: CliFixture

beforeAll(async () => {
  f = await cliFixture()
})
afterAll(async () => {
  await f.teardown()
})

function webhookSecret(url: string): string {
  return url.split('/rest/')[1]?.split('/')[1] ?? ''
}

describe('profiles', () => {
  it('adds a webhook profile from stdin and never prints or stores the secret outside the keychain', async () => {
    const secret = webhookSecret(f.sandbox.adminWebhookUrl)
    expect(secret.length).toBeGreaterThan(5)
    const added = await f.cli(['profiles', 'add', '--name', 'shop', '--kind', 'webhook', '--secret-stdin'], f.sandbox.adminWebhookUrl + '\n')
    expect(added.code).toBe(0)
    expect(added.stdout).toContain('Added profile "shop"')
    const listed = await f.cli(['profiles', 'list'])
    expect(listed.code).toBe(0)
    expect(listed.stdout).toMatch(/shop\s+webhook\s+http:\/\/127\.0\.0\.1:\d+\s+standard\s+yes/)
    for (const out of [added.stdout, added.stderr, listed.stdout, listed.stderr]) expect(out).not.toContain(secret)
    const file = await readFile(join(f.dataDir, 'profiles.json'), 'utf8')
    expect(file).toContain('"shop"')
    expect(file).not.toContain(secret)
  })

  it('adds a local-app profile with a token pair from stdin; test reports it can run app triggers', async () => {
    const tokens = f.sandbox.issueTokens()
    const added = await f.cli(
      ['profiles', 'add', '--name', 'shop-app', '--portal', f.sandbox.url, '--client-id', f.sandbox.app.clientId, '--plan', 'enterprise', '--secret-stdin'],
      `${f.sandbox.app.clientSecret}\n${tokens.access_token}\n${tokens.refresh_token}\n`
    )
    expect(added.code).toBe(0)
    const tested = await f.cli(['--json', 'profiles', 'test', 'shop-app'])
    expect(tested.code).toBe(0)
    const [record] = jsonLines(tested.stdout) as { report: { ok: boolean; canRunAppTriggers: boolean } }[]
    expect(record?.report.ok).toBe(true)
    expect(record?.report.canRunAppTriggers).toBe(true)
    for (const secret of [f.sandbox.app.clientSecret, tokens.access_token, tokens.refresh_token]) {
      expect(added.stdout + added.stderr + tested.stdout + tested.stderr).not.toContain(secret)
    }
  })

  it('test says in plain words that a webhook cannot run app triggers', async () => {
    const tested = await f.cli(['profiles', 'test', 'shop'])
    expect(tested.code).toBe(0)
    expect(tested.stdout).toContain('App triggers (crm.automation.trigger.execute): no')
    expect(tested.stdout).toContain('Webhook triggers (crm.automation.trigger): yes')
  })

  it('test exits 1 with the portal text when the credentials are refused', async () => {
    const revoked = f.sandbox.adminWebhookUrl.replace(/\/rest\/1\/[^/]+\//, '/rest/1/notthesecret1/')
    await f.addWebhookProfile('revoked')
    expect((await f.cli(['profiles', 'signin', 'revoked', '--secret-stdin'], revoked + '\n')).code).toBe(0)
    const tested = await f.cli(['profiles', 'test', 'revoked'])
    expect(tested.code).toBe(1)
    expect(tested.stdout).toMatch(/^FAILED: /)
    expect(tested.stdout).toContain('Portal said:')
    expect(tested.stdout + tested.stderr).not.toContain('notthesecret1')
  })

  it('add refuses a webhook the portal refuses (wrong secret): not saved, exit 2, secret not echoed', async () => {
    const wrong = f.sandbox.adminWebhookUrl.replace(/\/rest\/1\/[^/]+\//, '/rest/1/wrongsecret22/')
    const r = await f.cli(['profiles', 'add', '--name', 'wrong', '--kind', 'webhook', '--secret-stdin'], wrong + '\n')
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('The portal refused this webhook, so it was not added')
    expect(r.stderr).toContain('Portal said:')
    expect(r.stdout + r.stderr).not.toContain('wrongsecret22')
    const listed = await f.cli(['profiles', 'list'])
    expect(listed.stdout).not.toMatch(/^wrong\s/m)
  })

  it('refuses to prompt without a terminal and without --secret-stdin (exit 2)', async () => {
    const r = await f.cli(['profiles', 'add', '--name', 'x', '--kind', 'webhook'], f.sandbox.adminWebhookUrl + '\n')
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--secret-stdin')
    expect(r.stderr).not.toContain('    at ')
  })

  it('rejects bad input with a clear message and exit 2, never a stack trace', async () => {
    const cases = await Promise.all([
      f.cli(['profiles', 'add', '--name', 'bad', '--kind', 'webhook', '--secret-stdin'], 'not a url at all\n'),
      f.cli(['profiles', 'add', '--name', 'shop', '--kind', 'webhook', '--secret-stdin'], f.sandbox.adminWebhookUrl + '\n'),
      f.cli(['profiles', 'add', '--name', 'half', '--portal', f.sandbox.url, '--secret-stdin'], 'a\nb\nc\n'),
      f.cli(['profiles', 'add', '--name', 'short', '--portal', f.sandbox.url, '--client-id', 'x', '--secret-stdin'], 'only-one-line\n'),
      f.cli(['profiles', 'add', '--kind', 'webhook']),
      f.cli(['profiles', 'test', 'nobody']),
      f.cli(['profiles', 'frobnicate'])
    ])
    for (const r of cases) {
      expect(r.code).toBe(2)
      expect(r.stderr.trim()).not.toBe('')
      expect(r.stderr).not.toMatch(/\n\s+at /)
    }
    expect(cases[1]?.stderr).toContain('already exists')
    expect(cases[5]?.stderr).toContain('No profile "nobody"')
  })

  it('--debug adds a redacted stack trace', async () => {
    const r = await f.cli(['--debug', 'profiles', 'add', '--name', 'bad2', '--kind', 'webhook', '--secret-stdin'], 'http://127.0.0.1:1/rest/x/\n')
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/\n\s+at /)
  })

  it('removes a profile together with its keychain item', async () => {
    const removed = await f.cli(['profiles', 'remove', 'revoked'])
    expect(removed.code).toBe(0)
    expect(removed.stdout).toContain('and its keychain item')
    const listed = await f.cli(['--json', 'profiles', 'list'])
    const [record] = jsonLines(listed.stdout) as { profiles: { name: string }[] }[]
    expect(record?.profiles.map((p) => p.name).sort()).toEqual(['shop', 'shop-app'])
  })
})
