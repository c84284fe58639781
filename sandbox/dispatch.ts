// Runs one method call for an authenticated caller, top-level or inside a batch: method lookup,
// batch nesting, scope, the operating budget (checked before, recorded after), the handler,
// and the `time` block with operating figures. The budget is charged the measured handler time,
// or, with `nominal` accounting, only the processing time the handler deliberately spends (the
// configured trigger costs), so that scheduling noise cannot change what a test's budget sees.
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Caller } from './auth'
import { operatingKey } from './auth'
import { RestError, buildTime, errors } from './envelope'
import type { MethodResult, OperatingInfo, TimeFormat } from './envelope'
import type { OperatingLimiter, OperatingRequest } from './limits'
import type { Params } from './params'
import type { PortalState } from './state'
import { METHODS } from './methods'
import type { CallOutcome, MethodContext } from './methods/types'
import type { SandboxOptions } from './types'

export interface CallReport {
  outcome: CallOutcome
  /** When the handler started, on the sandbox clock. */
  startMs: number
  processingMs: number
  op?: OperatingInfo
}

export class Dispatcher {
  constructor(
    private readonly state: PortalState,
    private readonly limiter: OperatingLimiter | undefined,
    private readonly now: () => number,
    private readonly log: (line: string) => void,
    private readonly accounting: SandboxOptions['operatingAccounting'] = 'measured',
    readonly timeFormat: TimeFormat = 'whole-second'
  ) {}

  knows(method: string): boolean {
    return METHODS.has(method)
  }

  /** The end of a top-level request: the limiter stores what it registered. */
  finalize(req: OperatingRequest): void {
    this.limiter?.finalize(req)
  }

  /** `req` is the top-level request the call belongs to (a batch's commands share it): the
   * limiter sums its calls per key and stores the sum when the request ends. */
  async call(caller: Caller, method: string, params: Params, inBatch: boolean, req: OperatingRequest): Promise<CallReport> {
    const startMs = this.now()
    const rejected = (error: RestError): CallReport => ({ outcome: { ok: false, error }, startMs, processingMs: 0 })
    const def = METHODS.get(method)
    if (!def) return rejected(errors.methodNotFound())
    if (inBatch && method === 'batch') return rejected(errors.batchNotAllowed())
    if (def.scope !== 'basic' && !caller.scopes.has(def.scope)) {
      // [rest] CRestServerBatchItem::checkAuth throws OAuthException(['error' => 'insufficient_scope']): no description.
      return rejected(inBatch ? new RestError('insufficient_scope', '', 401) : errors.insufficientScope(caller.kind))
    }
    const key = def.countsOperating && this.limiter ? operatingKey(caller, method) : undefined
    if (key && this.limiter?.isBlocked(key, req)) {
      this.state.counters.rejected429++
      return rejected(errors.operationTimeLimit())
    }

    let nominalMs = 0
    const ctx: MethodContext = {
      state: this.state,
      caller,
      now: this.now,
      sleep: (ms) => {
        nominalMs += ms
        return sleep(ms)
      },
      callNested: async (m, p) => (await this.call(caller, m, p, true, req)).outcome
    }
    const t0 = performance.now()
    let res: MethodResult | undefined
    let error: RestError | undefined
    try {
      res = await def.handler(ctx, params)
    } catch (e) {
      if (!(e instanceof RestError)) this.log(`sandbox: ${method} failed: ${e instanceof Error ? e.message : String(e)}`)
      error = e instanceof RestError ? e : errors.internal()
    }
    const processingMs = performance.now() - t0
    let op: OperatingInfo | undefined
    if (key && this.limiter) {
      req.register(key, startMs, (this.accounting === 'nominal' ? nominalMs : processingMs) / 1000)
      op = this.limiter.info(key, req)
    }
    const time = buildTime(startMs, startMs + processingMs, processingMs, this.timeFormat, op)
    // [rest] methodsBatch: a failed command gets no result_time entry; a failed top-level call has
    // no `time` in its error body either.
    const outcome: CallOutcome = error || !res ? { ok: false, error: error ?? errors.internal() } : { ok: true, res, time }
    return { outcome, startMs, processingMs, ...(op ? { op } : {}) }
  }
}
