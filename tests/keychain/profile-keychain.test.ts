// Profiles on the real keychain with the sandbox portal: the secret lives in the keychain item
// and nowhere in profiles.json, rotated tokens land in the keychain, removal deletes the item.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import keytar from 'keytar'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProfileService, type ProfileService } from '../../electron/core/profiles/profile-service'
import { createProfileStore } from '../../electron/core/profiles/profile-store'
import { createKeytarSecretStore, KEYCHAIN_SERVICE } from '../../electron/core/profiles/secret-store'
import { startSandbox, type Sandbox } from '../../sandbox/index'

let sandbox: Sandbox
let dataDir: string
let service: ProfileService

beforeAll(async () => {
  sandbox = await startSandbox({ rate: false, operating: false, triggerCostMs: 0 })
  dataDir = await mkdtemp(join(tmpdir(), 'b24tr-keychain-'))
  service = createProfileService({ store: createProfileStore({ dataDir }), secrets: createKeytarSecretStore() })
})

afterAll(async () => {
  await sandbox.close()
  await rm(dataDir, { recursive: true, force: true })
})

const item = async (id: string): Promise<Record<string, unknown> | null> => {
  const text = await keytar.getPassword(KEYCHAIN_SERVICE, id)
  return text === null ? null : (JSON.parse(text) as Record<string, unknown>)
}

describe('profiles on the real keychain', () => {
  it('stores a webhook profile\'s secret only in the keychain', async () => {
    const secret = /\/rest\/1\/([^/]+)\//.exec(sandbox.adminWebhookUrl)?.[1] as string
    const profile = await service.addWebhookProfile({ name: 'Песочница', webhookUrl: sandbox.adminWebhookUrl })
    expect(profile.hasSecret).toBe(true)
    expect(await item(profile.id)).toEqual({ kind: 'webhook', webhookUrl: sandbox.adminWebhookUrl })
    const json = await readFile(join(dataDir, 'profiles.json'), 'utf8')
    expect(json).toContain('Песочница')
    expect(json).not.toContain(secret)

    const client = await service.clientFor(profile.id)
    expect((await client.call<{ ADMIN: boolean }>('profile')).result.ADMIN).toBe(true)

    expect(await service.remove(profile.id)).toEqual({ removed: true, secretRemoved: true })
    expect(await item(profile.id)).toBeNull()
  })

  it('writes rotated OAuth tokens to the keychain before using them', async () => {
    const pair = sandbox.issueTokens()
    const profile = await service.addOAuthProfile({
      name: 'App',
      portalUrl: sandbox.url,
      clientId: sandbox.app.clientId,
      clientSecret: sandbox.app.clientSecret,
      tokens: { accessToken: pair.access_token, refreshToken: pair.refresh_token, expires: pair.expires }
    })
    sandbox.expireAccessTokens()
    const client = await service.clientFor(profile.id)
    await client.call('crm.automation.trigger.list')
    const stored = await item(profile.id)
    expect(stored).toMatchObject({ kind: 'oauth', clientSecret: sandbox.app.clientSecret })
    expect(stored?.refreshToken).not.toBe(pair.refresh_token)

    const json = await readFile(join(dataDir, 'profiles.json'), 'utf8')
    for (const secret of [sandbox.app.clientSecret, stored?.accessToken, stored?.refreshToken, pair.refresh_token]) {
      expect(json).not.toContain(String(secret))
    }
    await service.remove(profile.id)
    expect(await item(profile.id)).toBeNull()
  })
})
