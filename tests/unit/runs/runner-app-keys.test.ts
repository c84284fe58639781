// The app's keys are wrong: the token endpoint answers `wrong_client` (with HTTP 200, for an
// unknown client_id) or `invalid_client` (400, wrong secret). Either pauses the run with one
// clear message when the token must be renewed, and nothing is lost.
import { afterEach, describe, expect, it } from 'vitest'
import { exchangeAuthorizationCode } from '../../../electron/core/bitrix/oauth'
import { isBitrixError } from '../../../electron/core/bitrix/errors'
import { dealRows, expectAccounted, range, rig, spec, type Rig } from './helpers'

let r: Rig | undefined
afterEach(async () => {
  await r?.close()
  r = undefined
})

describe("the application's keys are wrong", () => {
  it.each([
    ['wrong_client', { clientId: 'local.000000000000.00000000' }],
    ['invalid_client', { clientSecret: 'not-the-secret' }]
  ] as const)('%s pauses the run with "the application\'s keys are wrong"', async (code, wrong) => {
    r = await rig({ deals: 120 })
    const rig_ = r
    // The access token is good; the keys the profile holds are not, which shows at renewal.
    r.credentials = { ...r.credentials, ...wrong }
    const runs = r.manager({
      hooks: {
        afterIntent: (batch) => {
          if (batch === 2) rig_.sandbox.expireAccessTokens()
        }
      }
    })
    const { id } = await runs.createRun(spec(r, dealRows(range(1, 120))))
    const view = await (await runs.start(id)).done
    expect(view.status).toBe('paused')
    expect(view.pauseReason).toMatch(/^The application's keys are wrong/)
    expect(view.pauseError?.code).toBe(code)
    expectAccounted(view)
    expect(view.counts.failed).toBe(0)
  })

  it('an HTTP 200 wrong_client answer is an error, not a token pair', async () => {
    r = await rig({ deals: 1 })
    const err = await exchangeAuthorizationCode({ portalUrl: r.sandbox.url, clientId: 'local.nobody', clientSecret: 'x', code: 'c' }).catch((e: unknown) => e)
    expect(isBitrixError(err)).toBe(true)
    if (isBitrixError(err)) {
      expect(err.info).toMatchObject({ code: 'wrong_client', status: 200, kind: 'run-fatal' })
      expect(err.message).toMatch(/^The application's keys are wrong/)
    }
  })
})
