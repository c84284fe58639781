// The REST core against the sandbox portal over real HTTP: webhook and OAuth calls, token
// rotation, batch, and the classification of the portal's real answers.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  BitrixError,
  buildAuthorizeUrl,
  createBitrixClient,
  exchangeAuthorizationCode,
  plainMessage,
  type BatchCommand,
  type BitrixClient,
  type Credentials,
  type OAuthCredentials,
  type ResponseInfo
} from '../../../electron/core/bitrix'
import { SEED_TRIGGERS, startSandbox, type Sandbox, type SandboxOptions, type SandboxTokenPair } from '../../../sandbox'
import { errorTexts } from './local-server'

let sb: Sandbox
/** Every secret the sandbox handed out; none may appear in any error text. */
const secrets: string[] = []

beforeAll(async () => {
  // The default request cap (60 s): no stall of a loaded machine can cut an ordinary call.
  sb = await startSandbox({ rate: false, operating: false, triggerCostMs: 1 })
  for (const url of [sb.adminWebhookUrl, sb.userWebhookUrl, sb.noCrmWebhookUrl]) secrets.push(new URL(url).pathname.split('/')[3]!)
  secrets.push(sb.app.clientSecret, sb.otherApp.clientSecret)
})
afterAll(async () => {
  await sb.close()
})
beforeEach(() => {
  sb.clearFaults()
  sb.clearLedger()
})

/** Credentials of the portal's main app; `portal` defaults to the shared sandbox. */
function oauthCredentials(pair?: SandboxTokenPair, portal: Sandbox = sb): OAuthCredentials {
  const tokens = pair ?? portal.issueTokens()
  secrets.push(tokens.access_token, tokens.refresh_token, portal.app.clientSecret)
  return {
    kind: 'oauth', clientId: portal.app.clientId, clientSecret: portal.app.clientSecret, accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token, expires: tokens.expires, clientEndpoint: tokens.client_endpoint, oauthServer: portal.url
  }
}

/** Runs `body` against a sandbox of its own, closed afterwards. */
async function withSandbox(options: SandboxOptions, body: (portal: Sandbox) => Promise<void>): Promise<void> {
  const portal = await startSandbox(options)
  try {
    await body(portal)
  } finally {
    await portal.close()
  }
}

const hook = (url = sb.adminWebhookUrl): BitrixClient => createBitrixClient({ credentials: { kind: 'webhook', webhookUrl: url } })

async function failure(promise: Promise<unknown>): Promise<BitrixError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(err).toBeInstanceOf(BitrixError)
  const text = errorTexts(err)
  for (const secret of secrets) expect(text).not.toContain(secret)
  return err as BitrixError
}

const execute = (label: string, ownerId: number, code: string = SEED_TRIGGERS.dealWon, ownerTypeId = 2): BatchCommand => ({
  label,
  method: 'crm.automation.trigger.execute',
  params: { CODE: code, OWNER_TYPE_ID: ownerTypeId, OWNER_ID: ownerId }
})

describe('webhook profile', () => {
  it('fires an incoming-webhook trigger and reads time', async () => {
    sb.addItems([{ entityTypeId: 2, id: 501, title: 'w', stageId: 'NEW' }])
    const res = await hook().call('crm.automation.trigger', { target: 'DEAL_501', code: SEED_TRIGGERS.webhookPrep })
    expect(res.result).toBe(true)
    expect(res.status).toBe(200)
    expect(typeof res.time?.duration).toBe('number')
    expect(sb.getItem(2, 501)?.stageId).toBe('PREPARATION')
    expect(sb.ledger()).toMatchObject([{ via: 'webhook', ownerId: 501 }])
  })

  it('classifies the portal answers a webhook meets', async () => {
    const appTrigger = await failure(hook().call('crm.automation.trigger.execute', { CODE: SEED_TRIGGERS.dealWon, OWNER_TYPE_ID: 2, OWNER_ID: 1 }))
    expect(appTrigger).toMatchObject({ code: 'ACCESS_DENIED', kind: 'run-fatal', status: 403, description: 'Access denied! Application context required' })
    expect(plainMessage(appTrigger)).toMatch(/webhook cannot run app triggers/i)

    const notAdmin = await failure(hook(sb.userWebhookUrl).call('crm.automation.trigger.list'))
    expect(notAdmin).toMatchObject({ code: 'ACCESS_DENIED', kind: 'run-fatal' })
    expect(plainMessage(notAdmin)).toMatch(/administrator/)

    const noScope = await failure(hook(sb.noCrmWebhookUrl).call('crm.item.list', { entityTypeId: 2 }))
    expect(noScope).toMatchObject({ code: 'insufficient_scope', kind: 'run-fatal' })

    const wrongSecret = sb.adminWebhookUrl.replace(/\/rest\/(\d+)\/[^/]+\//, '/rest/$1/notthesecret1/')
    secrets.push('notthesecret1')
    const badCreds = await failure(hook(wrongSecret).call('profile'))
    expect(badCreds).toMatchObject({ code: 'INVALID_CREDENTIALS', kind: 'run-fatal', status: 401 })

    const badTarget = await failure(hook().call('crm.automation.trigger', { target: 'NOPE_5', code: 'x' }))
    expect(badTarget).toMatchObject({ code: '', kind: 'definite', status: 400, description: 'Target is not found.' })

    const unknownMethod = await failure(hook().call('crm.no.such.method'))
    expect(unknownMethod).toMatchObject({ code: 'ERROR_METHOD_NOT_FOUND', kind: 'run-fatal' })
  })
})

describe('OAuth profile', () => {
  it('executes an app trigger with the token in the body', async () => {
    sb.addItems([{ entityTypeId: 2, id: 601, title: 'o', stageId: 'NEW' }])
    const client = createBitrixClient({ credentials: oauthCredentials() })
    expect(client.describe()).toEqual({ portalUrl: sb.url, kind: 'oauth' })
    const res = await client.call('crm.automation.trigger.execute', { CODE: SEED_TRIGGERS.dealWon, OWNER_TYPE_ID: 2, OWNER_ID: 601 })
    expect(res.result).toBe(true)
    expect(sb.getItem(2, 601)?.stageId).toBe('WON')
    expect(sb.ledger()).toMatchObject([{ via: 'app', caller: sb.app.clientId, ownerId: 601 }])
  })

  it('classifies real trigger errors', async () => {
    const client = createBitrixClient({ credentials: oauthCredentials() })
    const notRegistered = await failure(client.call('crm.automation.trigger.execute', { CODE: 'never_added', OWNER_TYPE_ID: 2, OWNER_ID: 1 }))
    expect(notRegistered).toMatchObject({ code: '', kind: 'run-fatal', description: 'Trigger with code never_added is not registered.' })
    const badOwner = await failure(client.call('crm.automation.trigger.execute', { CODE: SEED_TRIGGERS.dealWon, OWNER_TYPE_ID: 2, OWNER_ID: 0 }))
    expect(badOwner).toMatchObject({ code: '', kind: 'definite', description: 'Incorrect parameter OWNER_ID.' })

    const other = createBitrixClient({ credentials: { ...oauthCredentials(sb.issueTokens({ clientId: sb.otherApp.clientId })), clientId: sb.otherApp.clientId, clientSecret: sb.otherApp.clientSecret } })
    const foreign = await failure(other.call('crm.automation.trigger.execute', { CODE: SEED_TRIGGERS.dealWon, OWNER_TYPE_ID: 2, OWNER_ID: 1 }))
    expect(foreign.kind).toBe('run-fatal')
  })

  it('an unknown token is run-fatal invalid_token, not refreshed', async () => {
    const persisted: Credentials[] = []
    const client = createBitrixClient({ credentials: { ...oauthCredentials(), accessToken: 'forgedtoken123' }, persist: async (c) => void persisted.push(c) })
    secrets.push('forgedtoken123')
    const err = await failure(client.call('profile'))
    expect(err).toMatchObject({ code: 'invalid_token', kind: 'run-fatal' })
    expect(persisted).toHaveLength(0)
  })

  it('expiry with ten concurrent callers: one refresh, the stored pair is the one in use, the old refresh token is spent', async () => {
    const original = oauthCredentials()
    const persisted: OAuthCredentials[] = []
    const client = createBitrixClient({
      credentials: original,
      persist: async (c) => {
        await new Promise((r) => setTimeout(r, 20))
        persisted.push(c as OAuthCredentials)
      }
    })
    sb.expireAccessTokens()
    const results = await Promise.all(Array.from({ length: 10 }, () => client.call<unknown[]>('crm.automation.trigger.list')))
    expect(results.every((r) => Array.isArray(r.result))).toBe(true)
    expect(persisted).toHaveLength(1)
    const stored = persisted[0]!
    secrets.push(stored.accessToken, stored.refreshToken)
    expect(stored.refreshToken).not.toBe(original.refreshToken)
    expect(stored.accessToken).not.toBe(original.accessToken)

    // The old refresh token was spent by the rotation.
    const stale = await failure(createBitrixClient({ credentials: { ...original, expires: 0 } }).call('profile'))
    expect(stale).toMatchObject({ code: 'invalid_grant', kind: 'run-fatal' })

    // The stored pair is the live one: a client built from it can rotate it...
    const fromStore = createBitrixClient({ credentials: stored, persist: async (c) => void secrets.push((c as OAuthCredentials).refreshToken) })
    await fromStore.call('profile')
    await fromStore.refreshNow!()
    // ...which spends the refresh token the first client holds in memory: they were the same.
    sb.expireAccessTokens()
    const spent = await failure(client.call('profile'))
    expect(spent).toMatchObject({ code: 'invalid_grant', kind: 'run-fatal' })
  })

  it('revoked refresh tokens surface as invalid_grant telling the admin to sign in again', async () => {
    const client = createBitrixClient({ credentials: oauthCredentials() })
    sb.revokeRefreshTokens()
    sb.expireAccessTokens()
    const err = await failure(client.call('crm.automation.trigger.list'))
    expect(err).toMatchObject({ code: 'invalid_grant', kind: 'run-fatal' })
    expect(err.message).toMatch(/sign in again/i)
  })

  it('the sign-in flow: authorize redirect, code exchange, first call', async () => {
    const authorize = buildAuthorizeUrl(sb.url, sb.app.clientId, 'state-42')
    const res = await fetch(authorize, { redirect: 'manual' })
    expect(res.status).toBe(302)
    const back = new URL(res.headers.get('location')!)
    expect(back.searchParams.get('state')).toBe('state-42')
    const code = back.searchParams.get('code')!
    secrets.push(code)
    const creds = await exchangeAuthorizationCode({ portalUrl: sb.url, clientId: sb.app.clientId, clientSecret: sb.app.clientSecret, code })
    secrets.push(creds.accessToken, creds.refreshToken)
    expect(creds).toMatchObject({ kind: 'oauth', clientEndpoint: `${sb.url}/rest/`, oauthServer: sb.url, userId: 1 })
    const list = await createBitrixClient({ credentials: creds }).call<Array<{ CODE: string }>>('crm.automation.trigger.list')
    expect(list.result.map((t) => t.CODE)).toContain(SEED_TRIGGERS.dealWon)

    const reused = await failure(exchangeAuthorizationCode({ portalUrl: sb.url, clientId: sb.app.clientId, clientSecret: sb.app.clientSecret, code }))
    expect(reused).toMatchObject({ code: 'invalid_grant', kind: 'run-fatal' })
    const wrongSecret = await failure(exchangeAuthorizationCode({ portalUrl: sb.url, clientId: sb.app.clientId, clientSecret: 'wrongsecret99', code: 'x' }))
    expect(wrongSecret).toMatchObject({ code: 'invalid_client', kind: 'run-fatal' })
  })
})

describe('batch', () => {
  const commands = (): BatchCommand[] => [
    execute('ok1', 701),
    execute('unreg', 702, 'never_added'),
    execute('badid', 0),
    { label: 'list', method: 'crm.item.list', params: { entityTypeId: 2, filter: { '@id': [701, 702] }, select: ['id', 'stageId'] } }
  ]
  beforeEach(() => {
    sb.addItems([
      { entityTypeId: 2, id: 701, title: 'b1', stageId: 'NEW' },
      { entityTypeId: 2, id: 702, title: 'b2', stageId: 'NEW' }
    ])
  })

  it('decodes mixed per-label results and classifies each error', async () => {
    const res = await createBitrixClient({ credentials: oauthCredentials() }).batch(commands())
    expect(res.status).toBe(200)
    const [ok1, unreg, badid, list] = res.items
    expect(ok1).toMatchObject({ label: 'ok1', state: 'ok', result: true })
    expect(ok1?.state === 'ok' && typeof ok1.time?.duration).toBe('number')
    expect(unreg).toMatchObject({ label: 'unreg', state: 'error', error: { code: '', kind: 'run-fatal' } })
    expect(badid).toMatchObject({ label: 'badid', state: 'error', error: { code: '', kind: 'definite', description: 'Incorrect parameter OWNER_ID.' } })
    expect(list).toMatchObject({ label: 'list', state: 'ok', total: 2 })
    expect(sb.ledger().map((e) => e.ownerId)).toEqual([701])
  })

  it('halt=1 leaves the labels after the first error absent', async () => {
    const res = await createBitrixClient({ credentials: oauthCredentials() }).batch(commands(), { halt: true })
    expect(res.items.map((i) => i.state)).toEqual(['ok', 'error', 'absent', 'absent'])
  })

  it('refuses numeric labels and more than 50 commands before sending', async () => {
    const client = createBitrixClient({ credentials: oauthCredentials() })
    const before = sb.stats().requests
    await failure(client.batch([execute('7', 1)]))
    const tooMany = await failure(client.batch(Array.from({ length: 51 }, (_, i) => execute(`r${i}`, i + 1))))
    expect(tooMany).toMatchObject({ code: 'INVALID_ARGUMENT' })
    expect(sb.stats().requests).toBe(before)
  })

  it('envelope failures throw for the whole batch, never as per-label results, and are not resent', async () => {
    const client = createBitrixClient({ credentials: oauthCredentials() })
    const cases: Array<[Parameters<Sandbox['addFaults']>[0][number]['fault'], string, string]> = [
      ['error500', 'INTERNAL_SERVER_ERROR', 'ambiguous'],
      ['html', 'NON_JSON_RESPONSE', 'ambiguous'],
      ['error500-after', 'NON_JSON_RESPONSE', 'ambiguous'],
      ['drop-after', 'NETWORK_ERROR', 'ambiguous'],
      ['refuse', 'NETWORK_ERROR', 'ambiguous']
    ]
    for (const [fault, code, kind] of cases) {
      sb.addFaults([{ method: 'batch', fault }])
      const before = sb.stats().batches
      const err = await failure(client.batch([execute('x1', 701)]))
      expect({ fault, code: err.code, kind: err.kind, method: err.method }).toEqual({ fault, code, kind, method: 'batch' })
      expect(sb.stats().batches - before).toBeLessThanOrEqual(1)
    }
    // The ones that ran before failing did really run: that is why they are ambiguous.
    expect(sb.ledger().length).toBe(3)
  })

  it('a batch the portal cuts at its request cap is an ambiguous NETWORK_ERROR for the whole batch', async () => {
    // A short cap on a portal of its own: the hanging batch is the only request it could cut.
    await withSandbox({ rate: false, operating: false, requestCapMs: 300 }, async (portal) => {
      portal.addFaults([{ method: 'batch', fault: 'hang' }])
      const err = await failure(createBitrixClient({ credentials: oauthCredentials(undefined, portal) }).batch([execute('x1', 1)]))
      expect(err).toMatchObject({ code: 'NETWORK_ERROR', kind: 'ambiguous', method: 'batch' })
      expect(portal.stats().requests).toBe(1)
      expect(portal.ledger()).toEqual([])
    })
  })

  it('a client timeout shorter than the portal cap is REQUEST_TIMEOUT', async () => {
    // Both deadlines are timers the test moves only once the portal holds the request: with real
    // ones, a stall of a loaded machine before the connect would make it CONNECTION_FAILED instead.
    await withSandbox({ rate: false, operating: false, requestCapMs: 60_000 }, async (portal) => {
      portal.addFaults([{ method: 'crm.automation.trigger.execute', fault: 'hang' }])
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
      try {
        const client = createBitrixClient({ credentials: oauthCredentials(undefined, portal), timeoutMs: 30_000 })
        const pending = failure(client.call('crm.automation.trigger.execute', { CODE: SEED_TRIGGERS.dealWon, OWNER_TYPE_ID: 2, OWNER_ID: 1 }))
        await vi.waitFor(() => expect(portal.stats().requests).toBe(1), { timeout: 10_000 })
        vi.advanceTimersByTime(30_000)
        expect(await pending).toMatchObject({ code: 'REQUEST_TIMEOUT', kind: 'ambiguous' })
      } finally {
        vi.useRealTimers()
      }
    })
  })
})

describe('limits', () => {
  /** An OAuth client of its own sandbox that records every answer it hears. */
  function observedClient(portal: Sandbox): { seen: ResponseInfo[]; exec: (id: number) => Promise<unknown> } {
    const seen: ResponseInfo[] = []
    const client = createBitrixClient({ credentials: oauthCredentials(undefined, portal), onResponse: (i) => seen.push(i) })
    const exec = (id: number): Promise<unknown> => client.call('crm.automation.trigger.execute', { CODE: SEED_TRIGGERS.dealWon, OWNER_TYPE_ID: 2, OWNER_ID: id })
    return { seen, exec }
  }

  it('503 QUERY_LIMIT_EXCEEDED is retry-safe and reaches onResponse', async () => {
    // A bucket that never drains: the third request is over the burst however long the first two took.
    // The operating budget is on (and records every run) only so the answers carry `operating`.
    await withSandbox({ rate: { burst: 2, drainPerSec: 0 }, operating: { limitSec: 480, windowSec: 600 }, operatingMinRecordedSec: 0, triggerCostMs: 1 }, async (portal) => {
      const { seen, exec } = observedClient(portal)
      await exec(1)
      await exec(2)
      const limited = await failure(exec(3))
      expect(limited).toMatchObject({ code: 'QUERY_LIMIT_EXCEEDED', kind: 'retry-safe', status: 503 })
      expect(seen.map((i) => [i.status, i.code])).toEqual([[200, undefined], [200, undefined], [503, 'QUERY_LIMIT_EXCEEDED']])
      expect(seen[0]?.time?.operating).toBeGreaterThan(0)
      expect(portal.ledger().map((e) => e.ownerId)).toEqual([1, 2])
    })
  })

  it('429 OPERATION_TIME_LIMIT is retry-safe and reaches onResponse', async () => {
    // One run really sleeps 60 ms, so it alone crosses a 0.03 s budget whatever the machine's load
    // adds; the budget is checked before each call, so the second call is the one blocked.
    await withSandbox({ rate: false, operating: { limitSec: 0.03, windowSec: 600 }, operatingMinRecordedSec: 0, triggerCostMs: 60 }, async (portal) => {
      const { seen, exec } = observedClient(portal)
      await exec(1)
      const blocked = await failure(exec(2))
      expect(blocked).toMatchObject({ code: 'OPERATION_TIME_LIMIT', kind: 'retry-safe', status: 429 })
      expect(seen.map((i) => [i.status, i.code])).toEqual([[200, undefined], [429, 'OPERATION_TIME_LIMIT']])
      expect(seen[0]?.time?.operating).toBeGreaterThan(0.03)
      expect(portal.ledger().map((e) => e.ownerId)).toEqual([1])
    })
  })
})
