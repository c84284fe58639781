// The real keytar against gnome-keyring (tests/with-keyring.sh): round trips, one JSON item per
// profile, and a plain "unavailable" when there is no Secret Service at all.
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import keytar from 'keytar'
import { afterAll, describe, expect, it } from 'vitest'
import type { Credentials } from '../../electron/core/bitrix/types'
import { createKeytarSecretStore, KEYCHAIN_SERVICE, SecretStoreError } from '../../electron/core/profiles/secret-store'

const run = promisify(execFile)
const store = createKeytarSecretStore()
const created: string[] = []

afterAll(async () => {
  for (const id of created) await keytar.deletePassword(KEYCHAIN_SERVICE, id)
})

const oauth = (secret: string): Credentials => ({
  kind: 'oauth',
  clientId: 'local.0123456789abcdef',
  clientSecret: secret,
  accessToken: 'access-' + secret,
  refreshToken: 'refresh-' + secret,
  expires: 1_780_000_000,
  clientEndpoint: 'https://portal.example.com/rest/',
  oauthServer: 'https://oauth.bitrix.info',
  userId: 1,
  scope: 'crm'
})

describe('keytar secret store', () => {
  it('reports the keychain as available', async () => {
    expect(await store.available()).toEqual({ ok: true })
  })

  it('sets, gets and deletes, Cyrillic included', async () => {
    const id = 'profile-cyrillic'
    created.push(id)
    const credentials = oauth('секрет-Ключ-ё')
    await store.set(id, credentials)
    expect(await store.get(id)).toEqual(credentials)
    expect(await store.delete(id)).toBe(true)
    expect(await store.get(id)).toBeNull()
    expect(await store.delete(id)).toBe(false)
  })

  it('keeps one JSON item per profile under the service name, account = profile id', async () => {
    const items: Array<[string, Credentials]> = [
      ['profile-a', { kind: 'webhook', webhookUrl: 'https://a.example.com/rest/1/aaaaaaaaaaaaaaaa/' }],
      ['profile-b', oauth('bbbbbbbbbbbb')]
    ]
    for (const [id, c] of items) {
      created.push(id)
      await store.set(id, c)
    }
    // Overwriting replaces the item rather than adding a second one.
    await store.set('profile-a', { kind: 'webhook', webhookUrl: 'https://a.example.com/rest/1/cccccccccccccccc/' })
    const stored = (await keytar.findCredentials(KEYCHAIN_SERVICE)).filter((c) => c.account.startsWith('profile-'))
    expect(stored.map((c) => c.account).sort()).toEqual(['profile-a', 'profile-b'])
    const a = stored.find((c) => c.account === 'profile-a')
    expect(JSON.parse(a!.password)).toEqual({ kind: 'webhook', webhookUrl: 'https://a.example.com/rest/1/cccccccccccccccc/' })
  })

  it('refuses a keychain item that is not a credential, without quoting it', async () => {
    created.push('profile-garbage')
    await keytar.setPassword(KEYCHAIN_SERVICE, 'profile-garbage', '{"kind":"webhook","hunter2":')
    const err = await store.get('profile-garbage').catch((e: unknown) => e)
    expect(err).toBeInstanceOf(SecretStoreError)
    expect(err).toMatchObject({ code: 'corrupt' })
    expect((err as Error).message).not.toContain('hunter2')
  })

  it('says plainly that the keychain is unavailable when there is no Secret Service, and stores nothing', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'b24tr-nokeyring-'))
    try {
      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', join(__dirname, 'fixtures', 'unavailable-keychain.ts'), dataDir, 'https://portal.example.com/rest/1/s3cr3tvalue0000/'],
        { env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus', DISPLAY: '' }, timeout: 20_000 }
      )
      const report = JSON.parse(stdout.trim().split('\n').pop() as string)
      expect(report.available.ok).toBe(false)
      expect(report.available.reason).toMatch(/^The system keychain is unavailable/)
      expect(report.addError).toMatchObject({ name: 'SecretStoreError', code: 'unavailable' })
      expect(report.addError.message).toMatch(/nothing was stored/)
      expect(report.addError.message).not.toContain('s3cr3tvalue0000')
      expect(report.profilesFile).toBeNull()
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})
