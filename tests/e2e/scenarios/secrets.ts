// Last: every secret the run handled is in the keychain and nowhere on disk: not in
// profiles.json, the journals, the log, nor the exports (DESIGN.md, Security).
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { Profile } from '../../../electron/shared/domain'
import { scenario } from '../lib/harness'

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : [path]
  })
}

scenario('security: secrets are in the keychain and in no file', async (world) => {
  const { sandbox, dataDir, dialogs } = world
  const secrets = new Set<string>([
    new URL(sandbox.adminWebhookUrl).pathname.split('/')[3]!,
    new URL(sandbox.userWebhookUrl).pathname.split('/')[3]!,
    sandbox.app.clientSecret
  ])
  // What the keychain holds now, rotated tokens included.
  for (const profile of await world.invoke<Profile[]>('profiles.list')) {
    const credentials = await world.main().secretStore.get(profile.id)
    assert.ok(credentials, `the keychain holds ${profile.name}`)
    if (credentials.kind === 'webhook') secrets.add(new URL(credentials.webhookUrl).pathname.split('/')[3]!)
    else for (const value of [credentials.clientSecret, credentials.accessToken, credentials.refreshToken]) secrets.add(value)
  }
  const written = [...files(dataDir), ...files(dialogs.exportDir)]
  assert.ok(written.some((f) => f.endsWith('main.log')) && written.some((f) => f.endsWith('journal.jsonl')), 'the log and journals are checked')
  for (const file of written) {
    const text = readFileSync(file, 'latin1')
    for (const secret of secrets) assert.ok(!text.includes(secret), `${file} holds a secret`)
  }
})
