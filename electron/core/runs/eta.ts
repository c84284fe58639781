// How long the rest of a run will take, from the model of the limits that bind it (DESIGN.md,
// Pacing), not from the speed so far: the opening burst (50 requests at once, a full operating
// budget) runs many times faster than the run can sustain, so "rows per second so far" promised
// 23 s for a run that took 3.5 min. Each limit gives the time it alone needs for the rows left;
// the largest is the ETA and names the binding constraint.
//
//   rate       requests still needed, less the tokens in the bucket, at the drain rate
//   operating  server seconds still needed (rows x measured cost), less what the budget has free
//              now, at the rate the rolling window refills (cap / window)
//   latency    the portal's own time: rows x wall seconds per row, over the batches in flight
//
// Inputs only: the caller reads them from the governors and from whichever cost estimate it
// trusts (per-command `duration`, or `time.operating` growth), so the model does not care which.
import type { BindingConstraint } from '../../shared/domain'

export interface EtaInputs {
  /** Rows still to send. */
  pendingRows: number
  /** Measured operating (server) seconds per row; undefined until the first answer. */
  costSec: number | undefined
  /** Rows a request carries (the batch size the runner plans). */
  rowsPerRequest: number
  request: {
    /** Whole requests the bucket allows right now. */
    tokens: number
    /** Requests per second the bucket refills at (after 503 learning). */
    drainPerSec: number
  }
  operating: {
    /** The budget the runner keeps under (limit less the safety margin), seconds. */
    capSec: number
    /** Seconds already used in the current window. */
    usedSec: number
    windowSec: number
    /** Seconds until a 429 block lifts, when the method is blocked. */
    blockedForSec?: number
    /** What the window holds and when each part leaves it (seconds from now). With it, the
     * budget is modelled as it behaves: it comes back in the pattern it was spent (a burst
     * frees a window later, at once), not as an even trickle. */
    expiries?: { inSec: number; sec: number }[]
  }
  /** Wall seconds per row as measured, and batches in flight at most. */
  wallSecPerRow?: number
  concurrency?: number
}

export interface EtaEstimate {
  seconds: number
  /** The limit that takes longest: what the run will wait on. */
  binding: Exclude<BindingConstraint, 'none'>
  /** Each limit's own time, for tests and benchmarks. */
  bySource: Record<Exclude<BindingConstraint, 'none'>, number>
}

/** Undefined while nothing is known to model (no cost measured yet); 0 s when nothing is left. */
export function estimateEta(i: EtaInputs): EtaEstimate | undefined {
  const rows = Math.max(0, i.pendingRows)
  if (rows === 0) return { seconds: 0, binding: 'rate', bySource: { rate: 0, operating: 0, latency: 0 } }
  if (i.costSec === undefined || !(i.request.drainPerSec > 0) || !(i.operating.windowSec > 0)) return undefined

  const perRequest = Math.max(1, Math.floor(i.rowsPerRequest))
  const requests = Math.ceil(rows / perRequest)
  const rate = Math.max(0, requests - Math.max(0, Math.floor(i.request.tokens))) / i.request.drainPerSec

  const needSec = rows * Math.max(0, i.costSec)
  const freeSec = Math.max(0, i.operating.capSec - i.operating.usedSec)
  const refillPerSec = i.operating.capSec / i.operating.windowSec
  const blocked = Math.max(0, i.operating.blockedForSec ?? 0)
  // While blocked, nothing goes out; after that, what the budget holds now, then its refill.
  let operating: number
  if (needSec <= freeSec) operating = blocked
  else if (i.operating.expiries) operating = blocked + windowedWait(needSec - freeSec, freeSec, i.operating.expiries, i.operating.windowSec, i.operating.capSec)
  else operating = blocked + (refillPerSec > 0 ? (needSec - freeSec) / refillPerSec : Infinity)

  const concurrency = Math.max(1, i.concurrency ?? 1)
  const latency = i.wallSecPerRow !== undefined ? (rows * i.wallSecPerRow) / concurrency : needSec / concurrency

  const bySource = { rate, operating, latency }
  let binding: EtaEstimate['binding'] = 'rate'
  for (const key of ['operating', 'latency'] as const) if (bySource[key] > bySource[binding]) binding = key
  return { seconds: bySource[binding], binding, bySource }
}

/** Seconds until `moreSec` of budget beyond what is free now has come back, in a rolling window
 * re-spent as it frees: each part of today's window frees at its time, then again one window
 * later, and so on; the part free now (spent at once) frees one window from now. */
function windowedWait(moreSec: number, freeSec: number, expiries: readonly { inSec: number; sec: number }[], windowSec: number, capSec: number): number {
  const cycle = [...expiries.filter((e) => e.sec > 0), ...(freeSec > 0 ? [{ inSec: windowSec, sec: freeSec }] : [])].sort((a, b) => a.inSec - b.inSec)
  const perCycle = cycle.reduce((sum, e) => sum + e.sec, 0)
  // Nothing in the window to come back (all of it free, or usage unknown): the even refill.
  if (perCycle <= 1e-9) return moreSec / (capSec / windowSec)
  let got = 0
  for (let m = 0; m < 1_000_000; m++) {
    for (const e of cycle) {
      got += e.sec
      if (got >= moreSec - 1e-9) return e.inSec + m * windowSec
    }
  }
  return Infinity
}
