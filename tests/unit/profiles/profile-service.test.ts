// Profiles end to end against the sandbox portal: webhook and OAuth profiles, sign-in, token
// rotation written back before use, and the secret kept out of profiles.json. The keychain is
// the in-memory store here; tests/keychain runs the same flows on the real keychain.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createProfileService, parsePortalUrl, parseWebhookUrl, ProfileError, type ProfileService } from '../../../electron/core/profiles/profile-service'
import { createProfileStore } from '../../../electron/core/profiles/profile-store'
import { createKeytarSecretStore, createMemorySecretStore } from '../../../electron/core/profiles/secret-store'
import type { Credentials } from '../../../electron/core/bitrix/types'
import { startSandbox, type Sandbox } from '../../../sandbox/index'

let sandbox: Sandbox
let dir: string
let secrets: ReturnType<typeof createMemorySecretStore>
let service: ProfileService

beforeAll(async () => {
  sandbox = await startSandbox({ rate: false, operating: false, triggerCostMs: 0 })
})
afterAll(async () => {
  await sandbox.close()
})
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'b24tr-profiles-'))
  secrets = createMemorySecretStore()
  service = createProfileService({ store: createProfileStore({ dataDir: dir }), secrets })
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const secretOf = (webhookUrl: string): string => /\/rest\/\d+\/([^/]+)\//.exec(webhookUrl)?.[1] as string
const profilesJson = (): Promise<string> => readFile(join(dir, 'profiles.json'), 'utf8')

/** Follows the sandbox's sign-in page to the redirect and returns the `code`. */
async function signInCode(url: string): Promise<string> {
  const answer = await fetch(url, { redirect: 'manual' })
  expect(answer.status).toBe(302)
  return new URL(answer.headers.get('location') as string).searchParams.get('code') as string
}

describe('webhook profiles', () => {
  it('keeps the secret in the keychain only and normalises the URL', async () => {
    const pasted = `${sandbox.adminWebhookUrl}profile.json?x=1`
    const profile = await service.addWebhookProfile({ name: 'Sandbox', webhookUrl: pasted, plan: 'enterprise' })
    expect(profile).toMatchObject({ name: 'Sandbox', kind: 'webhook', portalUrl: sandbox.url, userId: 1, plan: 'enterprise', hasSecret: true })
    expect(profile.needsSignIn).toBeUndefined()
    expect(await secrets.get(profile.id)).toEqual({ kind: 'webhook', webhookUrl: sandbox.adminWebhookUrl })
    const json = await profilesJson()
    expect(json).not.toContain(secretOf(sandbox.adminWebhookUrl))
    expect(JSON.stringify(profile)).not.toContain(secretOf(sandbox.adminWebhookUrl))

    const client = await service.clientFor(profile.id)
    expect((await client.call<{ ID: string }>('profile')).result.ID).toBe('1')
    expect(await service.clientFor(profile.id)).toBe(client)
  })

  it('refuses unusable URLs without quoting the secret', async () => {
    const secret = 'abcdef1234567890'
    const cases: Array<[string, RegExp]> = [
      [`http://portal.example.com/rest/1/${secret}/`, /https/],
      [`https://portal.example.com/rest/${secret}/`, /rest\/<user id>\/<secret>/],
      ['https://portal.example.com/', /rest\/<user id>\/<secret>/],
      [`https://portal.example.com/rest/0/${secret}/`, /above 0/],
      ['not a url at all', /not a valid URL/]
    ]
    for (const [url, message] of cases) {
      const err = await service.addWebhookProfile({ name: url, webhookUrl: url }).catch((e: unknown) => e)
      expect(err, url).toBeInstanceOf(ProfileError)
      expect((err as ProfileError).message).toMatch(message)
      expect((err as ProfileError).message).not.toContain(secret)
    }
    expect(await service.list()).toEqual([])
    expect(secrets.size()).toBe(0)
  })

  it('accepts a pasted URL without a scheme as https', () => {
    expect(parseWebhookUrl('portal.bitrix24.ru/rest/7/k3y/crm.deal.list')).toEqual({
      url: 'https://portal.bitrix24.ru/rest/7/k3y/',
      portalUrl: 'https://portal.bitrix24.ru',
      userId: 7
    })
    expect(parsePortalUrl('Portal.Bitrix24.ru/crm/deal/')).toBe('https://portal.bitrix24.ru')
  })

  it('stores nothing when the keychain is unavailable, and says so', async () => {
    const broken = createKeytarSecretStore({ loadKeytar: () => Promise.reject(new Error('libsecret-1.so.0: cannot open shared object file')) })
    const svc = createProfileService({ store: createProfileStore({ dataDir: dir }), secrets: broken })
    await expect(svc.addWebhookProfile({ name: 'X', webhookUrl: sandbox.adminWebhookUrl })).rejects.toThrow(
      /keychain is unavailable.*libsecret.*nothing was stored/
    )
    expect(await svc.list()).toEqual([])
    expect(await broken.available()).toMatchObject({ ok: false, reason: expect.stringMatching(/libsecret/) })
  })

  it('a lookup that finds nothing in a locked keychain is "locked", never "no secret"', async () => {
    // keytar answers a locked Secret Service with null, as if the item did not exist.
    const items = new Map<string, string>()
    let locked = false
    const keytar = {
      getPassword: async (_s: string, account: string) => (locked ? null : (items.get(account) ?? null)),
      setPassword: async (_s: string, account: string, value: string) => void items.set(account, value),
      deletePassword: async (_s: string, account: string) => items.delete(account)
    }
    const secrets = createKeytarSecretStore({ loadKeytar: async () => keytar as never, lockProbe: async () => locked })
    const svc = createProfileService({ store: createProfileStore({ dataDir: dir }), secrets })
    const profile = await svc.addWebhookProfile({ name: 'Locked', webhookUrl: sandbox.adminWebhookUrl })
    locked = true
    expect(await svc.list()).toEqual([expect.objectContaining({ id: profile.id, hasSecret: false, keychain: 'locked' })])
    await expect(svc.clientFor(profile.id)).rejects.toThrow(/keychain is locked.*do not remove the profile/)
    locked = false
    expect((await svc.list())[0]).toMatchObject({ hasSecret: true })
    expect((await svc.list())[0]?.keychain).toBeUndefined()
  })

  it('updates the URL, renames, resolves by name and removes the keychain item', async () => {
    const profile = await service.addWebhookProfile({ name: 'Hook', webhookUrl: sandbox.adminWebhookUrl })
    const first = await service.clientFor(profile.id)
    const updated = await service.update(profile.id, { name: 'User hook', webhookUrl: sandbox.userWebhookUrl })
    expect(updated).toMatchObject({ name: 'User hook', userId: 2, hasSecret: true })
    const second = await service.clientFor(profile.id)
    expect(second).not.toBe(first)
    expect((await second.call<{ ID: string }>('profile')).result.ID).toBe('2')
    expect((await service.resolve('user HOOK')).id).toBe(profile.id)
    await expect(service.update(profile.id, { clientSecret: 'x' })).rejects.toMatchObject({ code: 'wrong-kind' })
    await expect(service.addWebhookProfile({ name: 'user hook', webhookUrl: sandbox.adminWebhookUrl })).rejects.toThrow(/already exists/)

    expect(await service.remove(profile.id)).toEqual({ removed: true, secretRemoved: true })
    expect(secrets.size()).toBe(0)
    await expect(service.get(profile.id)).rejects.toMatchObject({ code: 'not-found' })
  })

  it('reports a lost keychain item plainly', async () => {
    const profile = await service.addWebhookProfile({ name: 'Hook', webhookUrl: sandbox.adminWebhookUrl })
    await secrets.delete(profile.id)
    expect((await service.get(profile.id)).hasSecret).toBe(false)
    await expect(service.clientFor(profile.id)).rejects.toMatchObject({ code: 'no-secret', message: expect.stringMatching(/webhook URL again/) })
  })
})

describe('OAuth profiles', () => {
  const addApp = (svc: ProfileService, extra: Partial<Parameters<ProfileService['addOAuthProfile']>[0]> = {}) =>
    svc.addOAuthProfile({ name: 'App', portalUrl: sandbox.url, clientId: sandbox.app.clientId, clientSecret: sandbox.app.clientSecret, ...extra })

  it('signs in with the code from the redirect and stores the tokens', async () => {
    const profile = await addApp(service)
    expect(profile).toMatchObject({ kind: 'oauth', clientId: sandbox.app.clientId, hasSecret: true, needsSignIn: true })
    await expect(service.clientFor(profile.id)).rejects.toMatchObject({ code: 'needs-sign-in' })

    const url = await service.signInUrl(profile.id, 'state-1')
    expect(url).toContain(`client_id=${sandbox.app.clientId}`)
    const signedIn = await service.completeSignIn(profile.id, await signInCode(url))
    expect(signedIn).toMatchObject({ userId: 1, hasSecret: true })
    expect(signedIn.needsSignIn).toBeUndefined()
    expect(await service.scopes(profile.id)).toEqual(['crm'])

    const stored = (await secrets.get(profile.id)) as Extract<Credentials, { kind: 'oauth' }>
    const json = await profilesJson()
    for (const secret of [stored.clientSecret, stored.accessToken, stored.refreshToken]) expect(json).not.toContain(secret)

    const client = await service.clientFor(profile.id)
    expect((await client.call<unknown[]>('crm.automation.trigger.list')).result.length).toBeGreaterThan(0)
  })

  it('writes a rotated token pair to the keychain, so a restarted app keeps working', async () => {
    const pair = sandbox.issueTokens()
    const profile = await addApp(service, { tokens: { accessToken: pair.access_token, refreshToken: pair.refresh_token, expires: pair.expires } })
    expect(profile.needsSignIn).toBeUndefined()
    sandbox.expireAccessTokens()
    await (await service.clientFor(profile.id)).call('profile')
    const rotated = (await secrets.get(profile.id)) as Extract<Credentials, { kind: 'oauth' }>
    expect(rotated.refreshToken).not.toBe(pair.refresh_token)
    expect(rotated.accessToken).not.toBe(pair.access_token)

    // A new service over the same stores = the app after a restart.
    sandbox.expireAccessTokens()
    const restarted = createProfileService({ store: createProfileStore({ dataDir: dir }), secrets })
    await (await restarted.clientFor(profile.id)).call('profile')
    expect(((await secrets.get(profile.id)) as { refreshToken: string }).refreshToken).not.toBe(rotated.refreshToken)
  })

  it('treats a pasted pair without expiry as expired, so the first call refreshes', async () => {
    const pair = sandbox.issueTokens()
    const profile = await addApp(service, { tokens: { accessToken: pair.access_token, refreshToken: pair.refresh_token } })
    expect(((await secrets.get(profile.id)) as { expires: number }).expires).toBe(0)
    await (await service.clientFor(profile.id)).call('profile')
    const after = (await secrets.get(profile.id)) as Extract<Credentials, { kind: 'oauth' }>
    expect(after.refreshToken).not.toBe(pair.refresh_token)
    expect(after.expires * 1000).toBeGreaterThan(Date.now())
  })

  it('asks for a new sign-in when the refresh token is revoked', async () => {
    const pair = sandbox.issueTokens()
    const profile = await addApp(service, { tokens: { accessToken: pair.access_token, refreshToken: pair.refresh_token } })
    sandbox.revokeRefreshTokens()
    await expect((await service.clientFor(profile.id)).call('profile')).rejects.toMatchObject({ code: 'invalid_grant', message: expect.stringMatching(/Sign in again/) })
  })

  it('drops the tokens when the app changes, keeps them when only the secret changes', async () => {
    const pair = sandbox.issueTokens()
    const profile = await addApp(service, { tokens: { accessToken: pair.access_token, refreshToken: pair.refresh_token } })
    const sameApp = await service.update(profile.id, { clientSecret: sandbox.app.clientSecret })
    expect(sameApp.needsSignIn).toBeUndefined()
    const otherApp = await service.update(profile.id, { clientId: sandbox.otherApp.clientId, clientSecret: sandbox.otherApp.clientSecret })
    expect(otherApp).toMatchObject({ clientId: sandbox.otherApp.clientId, needsSignIn: true })
    await expect(service.update(profile.id, { webhookUrl: sandbox.adminWebhookUrl })).rejects.toMatchObject({ code: 'wrong-kind' })
  })

  it('validates the portal and the app fields', async () => {
    await expect(addApp(service, { portalUrl: 'http://portal.example.com' })).rejects.toThrow(/https/)
    await expect(addApp(service, { clientSecret: '  ' })).rejects.toThrow(/client secret is empty/)
    await expect(addApp(service, { tokens: { accessToken: 'a', refreshToken: '' } })).rejects.toThrow(/refresh token is empty/)
    expect(secrets.size()).toBe(0)
  })
})
