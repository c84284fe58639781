// A REST client whose every request goes through a portal's governors: a request token before
// each call or batch, and for single calls the method's operating budget (admitted, booked,
// charged from the answer). The runner paces its own batches; this wraps everything else a run
// needs from the same portal (owner-type lookups, the connection check before a run...), so that
// a request the governors never saw cannot spend the portal's bucket under them and draw a 503.
import type { RestTime } from '../../../shared/domain'
import { BitrixError, isBitrixError } from '../errors'
import type { BatchCommand, BatchResponse, BitrixClient, CallOptions, RestResponse } from '../types'
import type { Clock } from './clock'
import type { OperatingGovernor } from './operating-governor'
import type { RequestGovernor } from './request-governor'
import { durationIsPrecise } from './server-cost'

export interface Governors {
  request: RequestGovernor
  operating: OperatingGovernor
}

/** A single call's cost: a precise duration as is; otherwise no more than the wall time (a
 * whole-second `start` pads the duration by up to a second). */
function callCost(time: RestTime | undefined, wallSec: number): number | undefined {
  if (!time || typeof time.duration !== 'number') return undefined
  return durationIsPrecise(time) ? Math.max(time.duration, time.processing ?? 0) : Math.max(0, Math.min(time.duration, wallSec))
}

/** Refusals that guarantee nothing ran (the request bucket's 503, the budget's 429): the
 * governors have learned from them, so the call waits its turn and goes again. Another process
 * on the same portal (a CLI run just before this one) may have drained the bucket this one
 * believed full. Bounded, so a portal that refuses everything still ends in an error. */
const MAX_REFUSALS = 8

/** A single call waits at most this long for its method's operating budget. A lookup or Run one
 * asked by a person while a run spends the same method's budget fails at once with the reason
 * (nothing was sent) rather than spin silently for the minutes until the window frees. */
const MAX_BUDGET_WAIT_MS = 15_000

function budgetBusy(method: string, waitMs: number): BitrixError {
  const seconds = Math.ceil(waitMs / 1000)
  return new BitrixError({
    code: 'OPERATION_TIME_LIMIT',
    description: `The portal's time budget for ${method} is used up for now (a run may be spending it); it frees in about ${seconds} s. Nothing was sent.`,
    status: 429,
    method
  })
}

function refusedBeforeRunning(err: unknown): boolean {
  if (!isBitrixError(err)) return false
  const code = err.info.code.toUpperCase()
  return code === 'QUERY_LIMIT_EXCEEDED' || code === 'OPERATION_TIME_LIMIT'
}

export function governClient(client: BitrixClient, governors: Governors, clock: Clock): BitrixClient {
  const { request, operating } = governors

  async function token(signal?: AbortSignal): Promise<void> {
    await request.acquire(signal)
  }

  function learnFailure(err: unknown, method: string): void {
    if (!isBitrixError(err)) return
    const code = err.info.code.toUpperCase()
    if (code === 'QUERY_LIMIT_EXCEEDED') request.onRateLimited()
    else if (code === 'OPERATION_TIME_LIMIT') operating.onLimitExceeded(method)
  }

  const governed: BitrixClient = {
    async call<T = unknown>(method: string, params?: Record<string, unknown>, opts?: CallOptions): Promise<RestResponse<T>> {
      for (let attempt = 1; ; attempt++) {
        // The method's budget first (a wait here holds no request token), then the token.
        for (let waited = 0; ; ) {
          const admitted = operating.admit(method, 1)
          if (admitted.calls > 0) break
          if (opts?.signal?.aborted) break
          const waitMs = Number.isFinite(admitted.waitMs) ? Math.max(1, admitted.waitMs) : 250
          if (waited + waitMs > MAX_BUDGET_WAIT_MS) throw budgetBusy(method, waitMs)
          await clock.sleep(waitMs, opts?.signal)
          waited += waitMs
        }
        const reservation = operating.reserve(method, 1)
        try {
          await token(opts?.signal)
          const t0 = clock.now()
          const answer = await client.call<T>(method, params, opts)
          request.onAccepted()
          const cost = callCost(answer.time, (clock.now() - t0) / 1000)
          // Charged to the window, but not learned: a run measures its own cost per call.
          reservation.settle(cost === undefined ? [] : [cost], cost === undefined ? 1 : 0, false)
          operating.observe(method, answer.time)
          return answer
        } catch (err) {
          learnFailure(err, method)
          if (!refusedBeforeRunning(err) || attempt >= MAX_REFUSALS || opts?.signal?.aborted) throw err
        } finally {
          // A call that failed before running costs nothing; after settle this is a no-op.
          reservation.release()
        }
      }
    },
    async batch(commands: BatchCommand[], opts?: { halt?: boolean } & CallOptions): Promise<BatchResponse> {
      for (let attempt = 1; ; attempt++) {
        await token(opts?.signal)
        try {
          const answer = await client.batch(commands, opts)
          request.onAccepted()
          return answer
        } catch (err) {
          learnFailure(err, 'batch')
          if (!refusedBeforeRunning(err) || attempt >= MAX_REFUSALS || opts?.signal?.aborted) throw err
        }
      }
    },
    describe: () => client.describe()
  }
  if (client.refreshNow) governed.refreshNow = () => (client.refreshNow as () => Promise<void>)()
  return governed
}
