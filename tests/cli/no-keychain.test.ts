// A server without a keychain (no Secret Service on the session bus): the CLI says so before it
// asks for a secret, exits 2, and runs with a webhook given for one command in B24TR_WEBHOOK_URL,
// which never reaches the disk. With a keychain, the variable's profile sits beside the stored ones.
import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsonLines } from './cli-process'
import { cliFixture, type CliFixture } from './fixtures'

let f: CliFixture
/** A session bus address nothing listens on: keytar finds no Secret Service, as on a server. */
const NO_KEYCHAIN = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/b24tr-no-bus', DISPLAY: '' }

beforeAll(async () => {
  f = await cliFixture()
})
afterAll(async () => {
  await f.teardown()
})

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await filesUnder(path)))
    else out.push(path)
  }
  return out
}

function secretOf(webhookUrl: string): string {
  return new URL(webhookUrl).pathname.split('/')[3] ?? ''
}

describe('without a keychain', () => {
  it('profiles add says the keychain is missing and how to go on, exits 2, and saves nothing', async () => {
    const r = await f.cli(['profiles', 'add', '--name', 'srv', '--kind', 'webhook', '--secret-stdin'], f.sandbox.adminWebhookUrl + '\n', NO_KEYCHAIN)
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr).toContain('keychain is unavailable')
    expect(r.stderr).toContain('B24TR_WEBHOOK_URL')
    expect(r.stderr).not.toContain(secretOf(f.sandbox.adminWebhookUrl))
    await expect(stat(join(f.dataDir, 'profiles.json'))).rejects.toThrow()
  })

  it('says so before prompting: no terminal question is reached', async () => {
    // Without --secret-stdin and without a terminal the old code complained about the terminal;
    // the keychain is the real obstacle and is named first.
    const r = await f.cli(['profiles', 'add', '--name', 'srv', '--kind', 'webhook'], '', NO_KEYCHAIN)
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('keychain is unavailable')
    expect(r.stderr).not.toContain('No terminal')
  })

  it('runs a file with the webhook from B24TR_WEBHOOK_URL and writes the secret nowhere', async () => {
    f.sandbox.generateItems(2, 9100, 4, 'NEW')
    const path = join(f.dataDir, 'srv.csv')
    await writeFile(path, ['ID', '9100', '9101', '9102', '9103'].join('\n') + '\n')
    const env = { ...NO_KEYCHAIN, B24TR_WEBHOOK_URL: f.sandbox.adminWebhookUrl }
    const r = await f.cli(['--json', 'run', '--csv', path, '--code', 'wh_prep', '--owner-type', 'deal'], undefined, env)
    expect(r.code, r.stderr).toBe(0)
    const summary = jsonLines(r.stdout).find((x) => x.type === 'summary') as { run: { id: string; profileName: string; counts: { succeeded: number } } }
    expect(summary.run).toMatchObject({ profileName: 'env', counts: { succeeded: 4 } })
    const fired = f.sandbox.ledger().filter((e) => e.via === 'webhook' && e.ownerId >= 9100 && e.ownerId < 9104)
    expect(fired).toHaveLength(4)
    // History still reads it (no secret needed), and no file in the data folder holds the secret.
    const list = await f.cli(['--json', 'runs', 'list'], undefined, NO_KEYCHAIN)
    expect(list.stdout).toContain(summary.run.id)
    const secret = secretOf(f.sandbox.adminWebhookUrl)
    for (const file of await filesUnder(f.dataDir)) expect(await readFile(file, 'utf8'), file).not.toContain(secret)
    expect(r.stdout + r.stderr).not.toContain(secret)
  })

  it('a run on a saved profile whose keychain is gone exits 2 and names the variable', async () => {
    await f.addWebhookProfile('saved')
    const path = join(f.dataDir, 'saved.csv')
    await writeFile(path, 'ID\n9100\n')
    const r = await f.cli(['run', '--profile', 'saved', '--csv', path, '--code', 'wh_prep', '--owner-type', 'deal'], undefined, NO_KEYCHAIN)
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr).toContain('B24TR_WEBHOOK_URL')
  })
})

describe('with a keychain', () => {
  it('lists the variable as profile "env", prefers it when no --profile is given, and will not remove it', async () => {
    const env = { B24TR_WEBHOOK_URL: f.sandbox.adminWebhookUrl }
    const list = await f.cli(['--json', 'profiles', 'list'], undefined, env)
    const names = (jsonLines(list.stdout)[0] as { profiles: { name: string }[] }).profiles.map((p) => p.name)
    expect(names).toEqual(expect.arrayContaining(['env', 'saved']))
    const one = await f.cli(['--json', 'run', '--id', '9101', '--code', 'wh_prep', '--owner-type', 'deal'], undefined, env)
    expect(one.code, one.stderr).toBe(0)
    const removed = await f.cli(['profiles', 'remove', 'env'], undefined, env)
    expect(removed.code).toBe(2)
    expect(removed.stderr).toContain('B24TR_WEBHOOK_URL')
    // Without the variable the profile is gone again: it was never saved.
    const after = await f.cli(['--json', 'profiles', 'list'])
    expect((jsonLines(after.stdout)[0] as { profiles: { name: string }[] }).profiles.map((p) => p.name)).toEqual(['saved'])
  })

  it('a malformed variable is an input error that does not echo it', async () => {
    const r = await f.cli(['profiles', 'list'], undefined, { B24TR_WEBHOOK_URL: 'https://portal.example/rest/notanumber/s3cr3tvalue/' })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('B24TR_WEBHOOK_URL')
    expect(r.stderr).not.toContain('s3cr3tvalue')
  })
})
