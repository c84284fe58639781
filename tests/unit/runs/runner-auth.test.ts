// Tokens during a run: an expired access token is renewed once for the whole run; a revoked
// refresh token pauses the run, which resumes with a new sign-in and re-sends nothing.
import { afterEach, describe, expect, it } from 'vitest'
import { dealRows, executions, expectAccounted, oauthCredentials, range, rig, spec, type Rig } from './helpers'

let r: Rig | undefined
afterEach(async () => {
  await r?.close()
  r = undefined
})

describe('tokens mid-run', () => {
  it('renews an expired token once, however many batches are in flight', async () => {
    r = await rig({ deals: 600 })
    const rig_ = r
    const runs = r.manager({
      hooks: {
        afterIntent: (batch) => {
          if (batch === 3) rig_.sandbox.expireAccessTokens()
        }
      }
    })
    const { id } = await runs.createRun(spec(r, dealRows(range(1, 600))))
    const view = await (await runs.start(id)).done
    expect(view.status).toBe('finished')
    expect(view.counts.succeeded).toBe(600)
    expect(r.persisted).toBe(1)
    const ran = executions(r.sandbox)
    expect(ran.size).toBe(600)
    expect([...ran.values()].every((n) => n === 1)).toBe(true)
  })

  it('pauses on invalid_grant and resumes with new tokens without re-sending anything', async () => {
    r = await rig({ deals: 600 })
    const rig_ = r
    const runs = r.manager({
      hooks: {
        afterIntent: (batch) => {
          if (batch === 4) {
            rig_.sandbox.expireAccessTokens()
            rig_.sandbox.revokeRefreshTokens()
          }
        }
      }
    })
    const { id } = await runs.createRun(spec(r, dealRows(range(1, 600))))
    const paused = await (await runs.start(id)).done
    expect(paused.status).toBe('paused')
    expect(paused.pauseReason).toMatch(/sign in again/i)
    expectAccounted(paused)
    expect(paused.counts.pending).toBeGreaterThan(0)
    expect(paused.counts.failed + paused.counts.uncertain).toBe(0)

    // The admin signs in again; the manager asks for a client with the new tokens on resume.
    r.credentials = oauthCredentials(r.sandbox)
    const view = await (await runs.resume(id)).done
    expect(view.status).toBe('finished')
    expect(view.counts.succeeded).toBe(600)
    const ran = executions(r.sandbox)
    expect(ran.size).toBe(600)
    expect([...ran.values()].every((n) => n === 1)).toBe(true)
  })
})
