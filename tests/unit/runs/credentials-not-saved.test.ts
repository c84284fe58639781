// The keychain refuses to store a renewed token pair (locked, or its service is gone): the old
// refresh token is already spent, so the new pair must not be thrown away. The client keeps it
// in memory and unused, the run pauses saying so, and a resume in the same process stores it
// and finishes the run.
import { afterEach, describe, expect, it } from 'vitest'
import { createBitrixClient } from '../../../electron/core/bitrix'
import { dealRows, executions, range, rig, spec, type Rig } from './helpers'

let r: Rig | undefined
afterEach(async () => {
  await r?.close()
  r = undefined
})

describe('a renewed sign-in the keychain cannot store', () => {
  it('pauses with a message that says the pair is kept; resume stores it and finishes', async () => {
    r = await rig({ deals: 60 })
    const rig_ = r
    let keychainLocked = true
    let stored = 0
    const client = createBitrixClient({
      credentials: r.credentials,
      persist: async (next) => {
        if (keychainLocked) throw new Error('Cannot unlock the keyring')
        stored++
        rig_.credentials = next as Rig['credentials']
      }
    })
    const runs = r.manager({
      clientFor: () => client,
      hooks: { beforeIntent: (batch) => void (batch === 3 && rig_.sandbox.expireAccessTokens()) }
    })
    const { id } = await runs.createRun(spec(r, dealRows(range(1, 60)), { options: { maxInFlight: 1 } }))
    const paused = await (await runs.start(id)).done
    expect(paused.status).toBe('paused')
    expect(paused.pauseError?.code).toBe('CREDENTIALS_NOT_SAVED')
    expect(paused.pauseReason).toMatch(/keeps it until it exits/)
    // The sandbox rotated the pair: the old refresh token is spent now.
    const before = rig_.credentials.refreshToken
    keychainLocked = false
    const view = await (await runs.resume(id)).done
    expect(view.status).toBe('finished')
    expect(view.counts.succeeded).toBe(60)
    expect(stored).toBeGreaterThan(0)
    expect(rig_.credentials.refreshToken).not.toBe(before)
    expect([...executions(rig_.sandbox).values()].every((n) => n === 1)).toBe(true)
  })
})
