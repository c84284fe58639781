// OAuth token lifecycle against a scripted portal + token server on 127.0.0.1, where the order
// of events (refresh, persist, first use of the new token) can be observed exactly.
import { randomBytes } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  BitrixError,
  buildAuthorizeUrl,
  createBitrixClient,
  exchangeAuthorizationCode,
  type Credentials,
  type OAuthCredentials
} from '../../../electron/core/bitrix'
import { errorTexts, sendJson, startLocalServer, type LocalServer } from './local-server'

const rnd = (p: string): string => `${p}${randomBytes(10).toString('hex')}`
const CLIENT_SECRET = rnd('cs')

interface Portal {
  server: LocalServer
  events: string[]
  valid: Set<string>
  refreshToken: string
  /** Answer for /oauth/token/ instead of a rotation. */
  tokenOverride?: (res: import('node:http').ServerResponse) => void
  alwaysExpired?: boolean
}

let portal: Portal

beforeEach(async () => {
  const state = { events: [] as string[], valid: new Set<string>(), refreshToken: rnd('rt'), issued: 0 }
  const server = await startLocalServer((req, res) => {
    if (req.url === '/oauth/token/') {
      state.events.push('refresh')
      if (portal.tokenOverride) return portal.tokenOverride(res)
      const form = new URLSearchParams(req.body)
      if (form.get('client_secret') !== CLIENT_SECRET) return sendJson(res, 401, { error: 'invalid_client', error_description: 'Invalid client' })
      if (form.get('refresh_token') !== portal.refreshToken) {
        return sendJson(res, 400, { error: 'invalid_grant', error_description: `Invalid grant ${form.get('refresh_token')}` })
      }
      const access = `new${++state.issued}-${rnd('')}`
      portal.refreshToken = rnd('rt')
      portal.valid.add(access)
      return sendJson(res, 200, {
        access_token: access, refresh_token: portal.refreshToken, expires: Math.floor(Date.now() / 1000) + 3600, expires_in: 3600,
        client_endpoint: `${server.origin}/rest/`, member_id: 'm1', user_id: 1, scope: 'crm'
      })
    }
    const auth = String((JSON.parse(req.body || '{}') as { auth?: string }).auth)
    state.events.push(`rest:${auth.startsWith('new') ? auth.split('-')[0] : 'old'}`)
    if (portal.alwaysExpired || !portal.valid.has(auth)) {
      return sendJson(res, 401, { error: 'expired_token', error_description: 'The access token provided has expired.' })
    }
    sendJson(res, 200, { result: { ok: true } })
  })
  portal = { server, events: state.events, valid: state.valid, refreshToken: state.refreshToken }
})

afterEach(async () => {
  await portal.server.close()
})

function creds(overrides: Partial<OAuthCredentials> = {}): OAuthCredentials {
  return {
    kind: 'oauth', clientId: 'local.test', clientSecret: CLIENT_SECRET, accessToken: rnd('old'), refreshToken: portal.refreshToken,
    expires: Math.floor(Date.now() / 1000) + 3600, clientEndpoint: `${portal.server.origin}/rest/`, oauthServer: portal.server.origin,
    ...overrides
  }
}

function recordingPersist(events: string[], fail = { count: 0 }): { persist: (c: Credentials) => Promise<void>; saved: Credentials[] } {
  const saved: Credentials[] = []
  return {
    saved,
    persist: async (c) => {
      events.push('persist-start')
      await new Promise((r) => setTimeout(r, 30))
      if (fail.count > 0) {
        fail.count--
        events.push('persist-failed')
        throw new Error(`keychain locked (${(c as OAuthCredentials).refreshToken})`)
      }
      saved.push(c)
      events.push('persist-end')
    }
  }
}

describe('OAuth refresh', () => {
  it('on expired_token: refreshes, stores the new pair, and only then retries with it', async () => {
    const initial = creds()
    const { persist, saved } = recordingPersist(portal.events)
    const client = createBitrixClient({ credentials: initial, persist })
    const res = await client.call('crm.automation.trigger.list')
    expect(res.result).toEqual({ ok: true })
    expect(portal.events).toEqual(['rest:old', 'refresh', 'persist-start', 'persist-end', 'rest:new1'])
    expect(saved).toHaveLength(1)
    expect(saved[0]).toMatchObject({ kind: 'oauth', refreshToken: portal.refreshToken, clientSecret: CLIENT_SECRET, userId: 1, memberId: 'm1' })
    expect((saved[0] as OAuthCredentials).refreshToken).not.toBe(initial.refreshToken)
  })

  it('sends the refresh as a form POST with no secret in the URL', async () => {
    await createBitrixClient({ credentials: creds() }).call('profile')
    const tokenReq = portal.server.seen.find((r) => r.url.startsWith('/oauth/'))!
    expect(tokenReq.url).toBe('/oauth/token/')
    expect(tokenReq.method).toBe('POST')
    expect(tokenReq.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(Object.fromEntries(new URLSearchParams(tokenReq.body))).toMatchObject({ grant_type: 'refresh_token', client_id: 'local.test', client_secret: CLIENT_SECRET })
  })

  it('refreshes proactively when `expires` has passed on the injected clock', async () => {
    const initial = creds({ expires: 1000 })
    const { persist } = recordingPersist(portal.events)
    await createBitrixClient({ credentials: initial, persist, now: () => 1000_000 }).call('profile')
    expect(portal.events).toEqual(['refresh', 'persist-start', 'persist-end', 'rest:new1'])
  })

  it('ten concurrent callers share one refresh', async () => {
    const { persist, saved } = recordingPersist(portal.events)
    const client = createBitrixClient({ credentials: creds(), persist })
    const results = await Promise.all(Array.from({ length: 10 }, () => client.call('profile')))
    expect(results.every((r) => (r.result as { ok: boolean }).ok)).toBe(true)
    expect(portal.events.filter((e) => e === 'refresh')).toHaveLength(1)
    expect(saved).toHaveLength(1)
    // Every retry used the stored token, none arrived before it was stored.
    const firstNew = portal.events.indexOf('rest:new1')
    expect(firstNew).toBeGreaterThan(portal.events.indexOf('persist-end'))
    expect(portal.events.filter((e) => e === 'rest:new1')).toHaveLength(10)
  })

  it('when the pair cannot be stored, the new token is not used until it is', async () => {
    const fail = { count: 1 }
    const { persist, saved } = recordingPersist(portal.events, fail)
    const client = createBitrixClient({ credentials: creds(), persist })
    const err = await client.call('profile').catch((e: unknown) => e as BitrixError)
    expect(err).toMatchObject({ code: 'CREDENTIALS_NOT_SAVED', kind: 'run-fatal' })
    expect(errorTexts(err)).not.toContain(portal.refreshToken)
    expect(portal.events).not.toContain('rest:new1')

    await client.call('profile')
    expect(portal.events.filter((e) => e === 'refresh')).toHaveLength(1)
    expect(saved).toHaveLength(1)
    expect(portal.events.slice(-3)).toEqual(['persist-start', 'persist-end', 'rest:new1'])
  })

  it('logs the renewal without any token in the line', async () => {
    const lines: string[] = []
    const initial = creds()
    await createBitrixClient({ credentials: initial, log: (l) => lines.push(l) }).call('profile')
    expect(lines.join('\n')).toMatch(/renewed/)
    for (const secret of [initial.accessToken, initial.refreshToken, portal.refreshToken, CLIENT_SECRET]) expect(lines.join('\n')).not.toContain(secret)
  })

  it('after a failed store, concurrent callers store the pair once', async () => {
    const fail = { count: 1 }
    const { persist, saved } = recordingPersist(portal.events, fail)
    const client = createBitrixClient({ credentials: creds(), persist })
    await client.call('profile').catch(() => undefined)
    await Promise.all(Array.from({ length: 5 }, () => client.call('profile')))
    expect(saved).toHaveLength(1)
    expect(portal.events.filter((e) => e === 'persist-start')).toHaveLength(2)
  })

  it('retries only once after a refresh', async () => {
    portal.alwaysExpired = true
    const err = await createBitrixClient({ credentials: creds() }).call('profile').catch((e: unknown) => e as BitrixError)
    expect(err).toMatchObject({ code: 'expired_token', kind: 'retry-safe', status: 401 })
    expect(portal.events).toEqual(['rest:old', 'refresh', 'rest:new1'])
  })

  it('invalid_grant is run-fatal, says "sign in again" and leaks nothing', async () => {
    const stale = creds({ refreshToken: rnd('stale') })
    const err = (await createBitrixClient({ credentials: stale }).call('profile').catch((e: unknown) => e)) as BitrixError
    expect(err).toBeInstanceOf(BitrixError)
    expect(err).toMatchObject({ code: 'invalid_grant', kind: 'run-fatal' })
    expect(err.message).toMatch(/sign in again/i)
    for (const secret of [stale.refreshToken, stale.accessToken, CLIENT_SECRET]) expect(errorTexts(err)).not.toContain(secret)
  })

  it('a token endpoint that answers HTML fails the call as retry-safe (nothing was sent)', async () => {
    portal.tokenOverride = (res) => {
      res.writeHead(502, { 'content-type': 'text/html' })
      res.end('<html>bad gateway</html>')
    }
    const err = await createBitrixClient({ credentials: creds({ expires: 0 }) }).call('profile').catch((e: unknown) => e as BitrixError)
    expect(err).toMatchObject({ code: 'TOKEN_REQUEST_FAILED', kind: 'retry-safe' })
    expect(portal.events).toEqual(['refresh'])
  })

  it('refreshNow renews on demand; webhook clients have no refreshNow', async () => {
    const { persist, saved } = recordingPersist(portal.events)
    const client = createBitrixClient({ credentials: creds(), persist })
    await client.refreshNow?.()
    expect(saved).toHaveLength(1)
    expect(createBitrixClient({ credentials: { kind: 'webhook', webhookUrl: `${portal.server.origin}/rest/1/abcdef/` } }).refreshNow).toBeUndefined()
  })
})

describe('sign-in helpers', () => {
  it('buildAuthorizeUrl points at the portal with client_id and state', () => {
    const url = new URL(buildAuthorizeUrl('https://example.bitrix24.com/some/page', 'local.abc', 's t'))
    expect(url.origin + url.pathname).toBe('https://example.bitrix24.com/oauth/authorize/')
    expect(Object.fromEntries(url.searchParams)).toEqual({ client_id: 'local.abc', state: 's t' })
    expect(() => buildAuthorizeUrl('http://example.bitrix24.com', 'x', 'y')).toThrow(expect.objectContaining({ code: 'INSECURE_URL' }))
  })

  it('exchangeAuthorizationCode fills in `expires` and the endpoint when the answer lacks them', async () => {
    const code = rnd('code')
    portal.tokenOverride = (res) => sendJson(res, 200, { access_token: rnd('a'), refresh_token: rnd('r'), expires_in: 3600, scope: 'crm' })
    const got = await exchangeAuthorizationCode({
      portalUrl: portal.server.origin, clientId: 'local.test', clientSecret: CLIENT_SECRET, code, now: () => 5_000_000
    })
    expect(got).toMatchObject({ kind: 'oauth', expires: 5000 + 3600, clientEndpoint: `${portal.server.origin}/rest/`, oauthServer: portal.server.origin, scope: 'crm' })
    const form = Object.fromEntries(new URLSearchParams(portal.server.seen.at(-1)!.body))
    expect(form).toMatchObject({ grant_type: 'authorization_code', code, client_id: 'local.test' })
  })
})
