// The contract between the dispatcher and the REST method handlers.
import type { Caller } from '../auth'
import type { MethodResult, RestError, RestTime } from '../envelope'
import type { Params } from '../params'
import type { PortalState } from '../state'

/** A finished call: its result or its error, plus the numbers for its `time` block. */
export type CallOutcome =
  | { ok: true; res: MethodResult; time: RestTime }
  | { ok: false; error: RestError; time?: RestTime }

export interface MethodContext {
  state: PortalState
  caller: Caller
  now: () => number
  /** A real wait: trigger processing time is spent, not simulated. */
  sleep: (ms: number) => Promise<void>
  /** Runs a command of a batch with the same caller (application context survives batch). */
  callNested: (method: string, params: Params) => Promise<CallOutcome>
}

export interface MethodDef {
  /** 'basic' methods need no scope; others need the scope on the webhook or app. */
  scope: 'basic' | 'crm'
  /** The outer batch does not count toward operating (reference §3). */
  countsOperating: boolean
  handler: (ctx: MethodContext, params: Params) => Promise<MethodResult> | MethodResult
}
