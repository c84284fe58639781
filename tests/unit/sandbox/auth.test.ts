// Authentication: webhooks, OAuth tokens (expiry, rotation, invalid_grant), the authorize
// redirect, and how requests are read (merged slashes, query + body, PHP brackets).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox } from '../../../sandbox'
import type { Sandbox, SandboxTokenPair } from '../../../sandbox'
import { expectError, get, manualClock, post, postForm } from './http'

const clock = manualClock()
let sb: Sandbox

beforeAll(async () => {
  sb = await startSandbox({ rate: false, operating: false, triggerCostMs: 0, now: clock.now })
})
afterAll(() => sb.close())

const profile = (token: string) => post(`${sb.url}/rest/profile`, { auth: token })

function tokenQuery(params: Record<string, string>): string {
  return new URLSearchParams(params).toString()
}

describe('REST authentication errors', () => {
  it('no auth at all: 401 NO_AUTH_FOUND', async () => {
    expectError(await post(`${sb.url}/rest/profile`), 401, 'NO_AUTH_FOUND', 'Wrong authorization data')
  })

  it('unknown token: 401 invalid_token', async () => {
    expectError(await profile('not-a-token'), 401, 'invalid_token', 'The access token provided is invalid.')
  })

  it('a webhook with a wrong secret or unknown user: 401 INVALID_CREDENTIALS', async () => {
    expectError(await get(`${sb.url}/rest/1/wrongsecret/profile`), 401, 'INVALID_CREDENTIALS', 'Invalid request credentials')
    const secret = new URL(sb.adminWebhookUrl).pathname.split('/')[3] as string
    expectError(await get(`${sb.url}/rest/99/${secret}/profile`), 401, 'INVALID_CREDENTIALS', 'Invalid request credentials')
  })

  it('an unknown method: 404 ERROR_METHOD_NOT_FOUND', async () => {
    expectError(await get(`${sb.adminWebhookUrl}crm.nothing.here`), 404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!')
  })

  it('webhooks run as their user', async () => {
    expect((await get(`${sb.adminWebhookUrl}profile.json`)).body.result).toMatchObject({ ID: '1', ADMIN: true })
    expect((await get(`${sb.userWebhookUrl}profile`)).body.result).toMatchObject({ ID: '2', ADMIN: false })
  })
})

describe('request reading', () => {
  it('merges repeated slashes and reads auth from the query with a JSON body', async () => {
    const t = sb.issueTokens()
    const r = await post(`${sb.url}/rest//crm.item.get?auth=${t.access_token}&bx24_label=x`, { entityTypeId: 2, id: 1 })
    expect(r.status).toBe(200)
    expect((r.body.result as { item: { id: number } }).item.id).toBe(1)
  })

  it('reads PHP bracket parameters from form bodies', async () => {
    const t = sb.issueTokens()
    const r = await postForm(`${sb.url}/rest/crm.item.list`, `auth=${t.access_token}&entityTypeId=2&filter%5B%40id%5D%5B%5D=2&filter%5B%40id%5D%5B%5D=3&select%5B%5D=stageId`)
    expect(r.body.result).toEqual({ items: [{ id: 2, stageId: expect.any(String) }, { id: 3, stageId: expect.any(String) }] })
  })
})

describe('OAuth tokens', () => {
  it('issued pairs carry every documented field', () => {
    const t = sb.issueTokens({ userId: 2 })
    expect(t).toMatchObject({
      expires_in: 3600,
      expires: Math.floor(clock.now() / 1000) + 3600,
      client_endpoint: `${sb.url}/rest/`,
      server_endpoint: `${sb.url}/rest/`,
      domain: new URL(sb.url).host,
      member_id: sb.memberId,
      scope: 'crm',
      status: 'L',
      user_id: 2
    })
  })

  it('a token past its expiry answers 401 expired_token; expireAccessTokens does it at once', async () => {
    const t = sb.issueTokens({ ttlSec: 10 })
    expect((await profile(t.access_token)).status).toBe(200)
    clock.advance(10_000)
    expectError(await profile(t.access_token), 401, 'expired_token', 'The access token provided has expired.')

    const fresh = sb.issueTokens()
    sb.expireAccessTokens()
    expectError(await profile(fresh.access_token), 401, 'expired_token', 'The access token provided has expired.')
  })

  it('refresh rotates: GET and form POST both work, a spent refresh token gives invalid_grant', async () => {
    const t = sb.issueTokens()
    const base = { client_id: sb.app.clientId, client_secret: sb.app.clientSecret }
    const r1 = await get(`${sb.url}/oauth/token/?${tokenQuery({ ...base, grant_type: 'refresh_token', refresh_token: t.refresh_token })}`)
    expect(r1.status).toBe(200)
    const p1 = r1.body as unknown as SandboxTokenPair
    expect(p1.refresh_token).not.toBe(t.refresh_token)
    expect(p1).toMatchObject({ expires_in: 3600, expires: Math.floor(clock.now() / 1000) + 3600, user_id: 1, client_endpoint: `${sb.url}/rest/` })
    expect((await profile(p1.access_token)).status).toBe(200)

    const again = await get(`${sb.url}/oauth/token/?${tokenQuery({ ...base, grant_type: 'refresh_token', refresh_token: t.refresh_token })}`)
    expect(again.status).toBe(400)
    expect(again.body.error).toBe('invalid_grant')

    const r2 = await postForm(`${sb.url}/oauth/token/`, tokenQuery({ ...base, grant_type: 'refresh_token', refresh_token: p1.refresh_token }))
    expect(r2.status).toBe(200)
    expect((r2.body as unknown as SandboxTokenPair).access_token).toBeTruthy()
  })

  it('wrong client secret: invalid_client; revoked refresh tokens: invalid_grant', async () => {
    const t = sb.issueTokens()
    const wrong = await get(`${sb.url}/oauth/token/?${tokenQuery({ grant_type: 'refresh_token', client_id: sb.app.clientId, client_secret: 'nope', refresh_token: t.refresh_token })}`)
    expect(wrong.body.error).toBe('invalid_client')
    sb.revokeRefreshTokens()
    const revoked = await get(`${sb.url}/oauth/token/?${tokenQuery({ grant_type: 'refresh_token', client_id: sb.app.clientId, client_secret: sb.app.clientSecret, refresh_token: t.refresh_token })}`)
    expect(revoked.body.error).toBe('invalid_grant')
  })

  it('a refresh token of one app is no good for another', async () => {
    const t = sb.issueTokens()
    const r = await get(`${sb.url}/oauth/token/?${tokenQuery({ grant_type: 'refresh_token', client_id: sb.otherApp.clientId, client_secret: sb.otherApp.clientSecret, refresh_token: t.refresh_token })}`)
    expect(r.body.error).toBe('invalid_grant')
  })
})

describe('/oauth/authorize/', () => {
  async function authorize(state: string): Promise<URL> {
    const res = await fetch(`${sb.url}/oauth/authorize/?client_id=${sb.app.clientId}&state=${state}`, { redirect: 'manual' })
    expect(res.status).toBe(302)
    return new URL(res.headers.get('location') as string)
  }
  const exchange = (code: string) =>
    get(`${sb.url}/oauth/token/?${tokenQuery({ grant_type: 'authorization_code', client_id: sb.app.clientId, client_secret: sb.app.clientSecret, code })}`)

  it('redirects to the configured URI with code, state, domain, member_id, scope, server_domain', async () => {
    const loc = await authorize('xyz')
    expect(`${loc.origin}${loc.pathname}`).toBe(sb.app.redirectUri)
    expect(Object.fromEntries(loc.searchParams)).toEqual({
      code: expect.any(String),
      state: 'xyz',
      domain: new URL(sb.url).host,
      member_id: sb.memberId,
      scope: 'crm',
      server_domain: new URL(sb.url).host
    })
    // The redirect target answers, so a browser window lands on a page.
    expect((await fetch(loc)).status).toBe(200)
  })

  it('a code is exchanged once', async () => {
    const code = (await authorize('s')).searchParams.get('code') as string
    const first = await exchange(code)
    expect(first.status).toBe(200)
    expect(first.body).toMatchObject({ user_id: 1, scope: 'crm', status: 'L' })
    expect((await exchange(code)).body.error).toBe('invalid_grant')
  })

  it('a code lives 30 seconds', async () => {
    const code = (await authorize('s')).searchParams.get('code') as string
    clock.advance(30_000)
    expect((await exchange(code)).body.error).toBe('invalid_grant')
  })

  it('an unknown client_id gets an error page, not a redirect', async () => {
    const res = await fetch(`${sb.url}/oauth/authorize/?client_id=local.unknown&state=s`, { redirect: 'manual' })
    expect(res.status).toBe(400)
    expect(res.headers.get('location')).toBeNull()
  })
})
