// One session of a run: from start (or resume) until it finishes, is paused or is cancelled.
//
// The loop plans one batch at a time and lets up to `maxInFlight` batches run at once:
//   rows      the planner hands out pending rows, never one whose owner is in flight;
//   size      as many rows as fit `targetBatchSec` of server time at the measured per-trigger
//             cost (≤ 50), starting with a one-row probe while the cost is unknown;
//   operating the operating governor admits rows against the method's budget;
//   rate      the request governor gives one token per batch, reserved at send time;
//   journal   the batch's intent is on disk before it is sent; outcomes follow.
// Answers are sorted per row (DESIGN.md, Outcomes): a label's result → succeeded; its error →
// failed (definite), uncertain (ambiguous: INTERNAL_SERVER_ERROR...), or back into the queue as
// a single row when the portal guarantees it did not run: QUERY_LIMIT_EXCEEDED up to
// `maxAttempts` sends, OPERATION_TIME_LIMIT without using an attempt (the row waits for the
// budget). What a call cost the budget comes from pacing/server-cost.ts (never a whole-second
// `start`'s padding); a label missing from the answer →
// uncertain. Envelope failures: retry-safe → the whole batch is pending again; ambiguous
// (timeout, reset, HTML, 5xx without a code) → every row uncertain, never re-sent; run-fatal
// (auth, ACCESS_DENIED, unregistered trigger...) → rows pending again and the run pauses with
// one message. A run-fatal error inside a batch fails that row with the portal's answer and
// pauses the run too, so an unregistered trigger costs one batch, not the whole file.
import type { BindingConstraint, ErrorInfo, Outcome, RestTime } from '../../shared/domain'
import type { RunProgressEvent } from '../../shared/ipc'
import { SyntheticCode } from '../bitrix/classify'
import { isBitrixError } from '../bitrix/errors'
import type { Clock } from '../bitrix/pacing/clock'
import type { OperatingGovernor, OperatingReservation } from '../bitrix/pacing/operating-governor'
import type { RequestGovernor } from '../bitrix/pacing/request-governor'
import { ServerCostModel } from '../bitrix/pacing/server-cost'
import { plainMessage } from '../bitrix/plain-message'
import { writeFailureReason } from '../durable-write'
import type { BatchItemResult, BatchResponse, BitrixClient } from '../bitrix/types'
import { rowLabel, triggerCommand, triggerMethod } from './commands'
import { interruptedOutcomes, type JournalRecord, type JournalWriter, type ReplayedRun } from './journal'
import { BatchPlanner } from './planner'
import { ProgressMeter } from './progress'
import { estimateEta, type EtaInputs } from './eta'
import type { RowTable } from './row-table'
import { countsOf, pauseError } from './run-store'
import type { RunMeta } from './run-types'
import { applyStageRead, planStageRead, READ_METHOD, ROWS_PER_READ, type StageRead } from './verify'

/** Points where tests stop the process to prove recovery (tests/crash). */
export interface RunHooks {
  /** Before a batch's intent is written. */
  beforeIntent?(batch: number, rows: readonly number[]): void | Promise<void>
  /** After a batch's intent is on disk, before the batch is sent. */
  afterIntent?(batch: number, rows: readonly number[]): void | Promise<void>
}

export interface RunSessionDeps {
  meta: RunMeta
  replay: ReplayedRun
  journal: JournalWriter
  client: BitrixClient
  request: RequestGovernor
  operating: OperatingGovernor
  clock: Clock
  onProgress?(event: RunProgressEvent): void
  hooks?: RunHooks
}

export interface SessionEnd {
  status: 'finished' | 'paused' | 'cancelled'
  reason?: string
  /** The portal's error behind `reason`, when the run paused on one. */
  error?: ErrorInfo
}

/** A label absent from a batch answer sent with halt off: it may or may not have run. */
const NO_ANSWER: ErrorInfo = {
  code: 'NO_ANSWER',
  description: 'The batch answer has neither a result nor an error for this row; the trigger may have run.',
  status: 0,
  kind: 'ambiguous'
}

/** Consecutive envelope failures that are neither rate nor budget limits (connection refused,
 * expired token after a renewal...) before the run pauses instead of retrying. */
const MAX_TRANSIENT_FAILURES = 5
const MAX_BATCH = 50
/** Rows of stage reads kept ready ahead of the trigger batches. */
const READ_AHEAD = ROWS_PER_READ
/** The loop re-plans at least this often, so countdowns and rates stay fresh. */
const MAX_IDLE_MS = 500

class Waker {
  private waiters = new Set<() => void>()

  wake(): void {
    const waiting = [...this.waiters]
    this.waiters.clear()
    for (const w of waiting) w()
  }

  wait(ms: number, clock: Clock): Promise<void> {
    return new Promise((resolve) => {
      const ac = new AbortController()
      const done = (): void => {
        this.waiters.delete(done)
        ac.abort()
        resolve()
      }
      this.waiters.add(done)
      void clock.sleep(Math.max(1, ms), ac.signal).then(done)
    })
  }
}

type Step = { kind: 'sent' } | { kind: 'wait'; ms: number; reason: BindingConstraint } | { kind: 'done' }

export class RunSession {
  private readonly table: RowTable
  private readonly planner: BatchPlanner
  private readonly method: string
  private readonly meter: ProgressMeter
  private readonly waker = new Waker()
  /** What each call really cost the operating budget (never a whole-second start's padding). */
  private readonly costs = new ServerCostModel()
  private readonly inFlight = new Set<Promise<void>>()
  private batchesInFlight = 0
  private nextBatch: number
  private stopping: { kind: 'pause' | 'cancel'; reason?: string; error?: ErrorInfo } | undefined
  private transientFailures = 0
  private backoffUntil = 0
  /** Wall seconds per batch, recent average. */
  private latencySec: number | undefined
  /** Wall seconds per row, recent average (the 60 s cut is on wall time). */
  private wallPerRowSec: number | undefined
  private readonly reading = new Set<number>()
  private readInFlight = false
  private readonly afterQueue: number[] = []
  private status: RunProgressEvent['status'] = 'running'

  constructor(private readonly deps: RunSessionDeps) {
    this.table = deps.replay.table
    this.planner = new BatchPlanner(this.table, { gateOnCheck: deps.meta.options.verify })
    this.method = triggerMethod(deps.meta.trigger.kind)
    this.meter = new ProgressMeter(() => deps.clock.now())
    this.nextBatch = deps.replay.lastBatch + 1
  }

  /** Stop sending; batches in flight finish. `reason` is shown to the user; `error` is the
   * portal's answer behind it, when there is one. */
  pause(reason?: string, error?: ErrorInfo): void {
    if (this.stopping) return
    this.stopping = { kind: 'pause', ...(reason !== undefined && { reason }), ...(error && { error }) }
    this.waker.wake()
    this.emit(true)
  }

  /** Stop sending; batches in flight finish; rows never sent become not-run. */
  cancel(): void {
    if (this.stopping?.kind === 'cancel') return
    this.stopping = { kind: 'cancel' }
    this.status = 'cancelling'
    this.waker.wake()
    this.emit(true)
  }

  async run(): Promise<SessionEnd> {
    const { journal, replay, clock, meta } = this.deps
    const started = clock.now()
    try {
      await journal.durable([
        ...interruptedOutcomes(replay, started),
        { t: 'state', state: replay.everSent || replay.lastState ? 'resumed' : 'started', at: started }
      ])
    } catch (err) {
      // Nothing was sent: the run stays as it was, resumable once the disk takes writes again.
      this.status = 'paused'
      return { status: 'paused', reason: writeFailureReason(err) }
    }
    replay.interrupted = []
    replay.damagedRows = []
    this.meter.begin()
    if (meta.options.verify) this.queueVerifyAfterFromJournal()
    this.emit(true)

    try {
      for (;;) {
        const step = this.stopping ? this.drainStep() : this.plan()
        if (step.kind === 'done') break
        if (step.kind === 'wait') {
          const t0 = clock.now()
          await this.waker.wait(Math.min(step.ms, MAX_IDLE_MS), clock)
          this.meter.waited(step.reason, clock.now() - t0)
          this.emit(false)
        }
      }
      await Promise.all(this.inFlight)
      if (meta.options.verify && this.stopping?.kind !== 'pause') await this.flushVerifyAfter()
      return await this.finish()
    } finally {
      this.waker.wake()
    }
  }

  private drainStep(): Step {
    return this.inFlight.size > 0 ? { kind: 'wait', ms: Infinity, reason: 'none' } : { kind: 'done' }
  }

  private async finish(): Promise<SessionEnd> {
    const { journal, clock } = this.deps
    const at = clock.now()
    let end: SessionEnd
    if (journal.failed) {
      // The journal refused a write (a full disk): nothing more can be recorded, and what is on
      // disk is what the next session resumes from.
      end = { status: 'paused', reason: writeFailureReason(journal.failed) }
      this.status = 'paused'
      this.emit(true)
      return end
    }
    if (this.stopping?.kind === 'pause' && this.stopping.reason === undefined && this.everyRowDone()) {
      // Paused by the user (Ctrl-C) just as the last batch answered: nothing is left to resume.
      // A pause on a run-wide error stays a pause, so its message is not lost.
      this.stopping = undefined
    }
    if (this.stopping?.kind === 'cancel') {
      const rows = this.planner.drain()
      const records: JournalRecord[] = rows.map((row) => ({ t: 'outcome', row, outcome: 'not-run', attempt: this.table.attempts[row] as number, at }))
      for (const r of rows) this.table.setOutcome(r, 'not-run', at, this.table.attempts[r] as number)
      await journal.append(records)
      end = { status: 'cancelled' }
    } else if (this.stopping?.kind === 'pause') {
      const { reason, error } = this.stopping
      end = { status: 'paused', ...(reason !== undefined && { reason }), ...(error && { error }) }
    } else {
      end = { status: 'finished' }
    }
    try {
      await journal.durable([{ t: 'state', state: end.status, at, ...(end.reason !== undefined && { reason: end.reason }), ...(end.error && { error: end.error }) }])
    } catch (err) {
      end = { status: 'paused', reason: writeFailureReason(err) }
    }
    this.status = end.status
    this.emit(true)
    return end
  }

  private everyRowDone(): boolean {
    return this.table.counts().pending === 0 && this.afterQueue.length === 0
  }

  // ---- planning ----

  private plan(): Step {
    const { clock, request, operating, meta } = this.deps
    const now = clock.now()
    if (this.backoffUntil > now) return { kind: 'wait', ms: this.backoffUntil - now, reason: 'none' }
    if (meta.options.verify) {
      const read = this.planVerifyRead()
      if (read) return read
    }
    if (this.planner.remaining === 0) return this.inFlight.size > 0 ? { kind: 'wait', ms: Infinity, reason: 'none' } : { kind: 'done' }
    if (this.batchesInFlight >= this.window()) return { kind: 'wait', ms: Infinity, reason: 'latency' }
    const target = this.batchTarget()
    const ready = this.planner.ready(target)
    if (ready === 0) {
      // Every takeable row waits for its owner or its stage read: something in flight frees it.
      if (this.inFlight.size > 0) return { kind: 'wait', ms: Infinity, reason: 'latency' }
      this.pause('Internal error: pending rows could not be scheduled.')
      return { kind: 'wait', ms: 0, reason: 'none' }
    }
    const admitted = operating.admit(this.method, ready, this.minBatch(target))
    if (admitted.calls === 0) return { kind: 'wait', ms: admitted.waitMs, reason: 'operating' }
    const tokenMs = request.msUntilToken()
    if (tokenMs > 0 || !request.tryTake()) return { kind: 'wait', ms: Math.max(tokenMs, 1), reason: 'rate' }
    const rows = this.planner.take(admitted.calls)
    const reservation = operating.reserve(this.method, rows.length)
    this.track(this.sendBatch(this.nextBatch++, rows, reservation))
    return { kind: 'sent' }
  }

  /** Rows per batch: what fits the target server time at the measured cost (the cloud cuts a
   * request at 60 s), at most 50, and no more than the operating budget's safety margin. */
  private batchTarget(): number {
    const { operating, meta } = this.deps
    const cost = operating.costPerCall(this.method)
    if (cost === undefined) return 1
    const perRow = Math.max(cost, this.wallPerRowSec ?? 0, 1e-4)
    const byTime = Math.floor(meta.options.targetBatchSec / perRow)
    const byBudget = Math.floor(operating.state(this.method).marginSec / cost)
    return Math.max(1, Math.min(MAX_BATCH, byTime, byBudget))
  }

  /** The smallest batch worth a request when the operating budget binds: large enough to use at
   * most half of the request drain at the budget's pace. */
  private minBatch(target: number): number {
    const perSec = this.deps.operating.state(this.method).sustainedCallsPerSec
    if (perSec === undefined) return 1
    return Math.max(1, Math.min(target, Math.ceil(perSec / (this.deps.request.effectiveDrainPerSec * 0.5))))
  }

  /** Batches in flight: enough to cover the latency at the rate tokens arrive; more while the
   * bucket still holds a burst. */
  private window(): number {
    const max = Math.max(1, this.deps.meta.options.maxInFlight)
    if (this.latencySec === undefined) return 1
    const { tokens, effectiveDrainPerSec } = this.deps.request.state()
    if (tokens >= 2) return max
    return Math.max(1, Math.min(max, Math.ceil(this.latencySec * effectiveDrainPerSec) + 1))
  }

  private track(p: Promise<void>): void {
    const tracked = p
      .catch((err: unknown) =>
        this.pause(this.deps.journal.failed ? writeFailureReason(this.deps.journal.failed) : `Internal error: ${err instanceof Error ? err.message : String(err)}`)
      )
      .finally(() => {
        this.inFlight.delete(tracked)
        this.waker.wake()
      })
    this.inFlight.add(tracked)
  }

  // ---- trigger batches ----

  private async sendBatch(batch: number, rows: number[], reservation: OperatingReservation): Promise<void> {
    const { journal, client, clock, hooks, meta } = this.deps
    this.batchesInFlight++
    try {
      const commands = rows.map((r) => triggerCommand(meta, this.table, r))
      await hooks?.beforeIntent?.(batch, rows)
      const sentAt = clock.now()
      try {
        await journal.intent([{ t: 'intent', batch, rows, at: sentAt }])
      } catch (err) {
        // The intent is not on disk in full: nothing is sent, the rows stay pending, and the run
        // pauses until the disk takes writes again.
        this.planner.giveBack(rows)
        this.pause(writeFailureReason(err))
        return
      }
      for (const r of rows) {
        this.table.open[r] = 1
        this.table.attempts[r] = Math.min(255, (this.table.attempts[r] as number) + 1)
        this.table.markStarted(r, sentAt)
      }
      await hooks?.afterIntent?.(batch, rows)
      const t0 = clock.now()
      const ticket = this.costs.sent(this.method)
      let answer: BatchResponse
      try {
        answer = await client.batch(commands, { halt: false })
      } catch (err) {
        await this.onEnvelopeError(batch, rows, reservation, errorInfo(err))
        return
      }
      this.learnLatency(clock.now() - t0, rows.length)
      await this.onAnswer(batch, rows, reservation, answer, clock.now() - t0, ticket)
    } finally {
      // Settled or released above; if an internal error cut in, give the budget back.
      reservation.release()
      this.batchesInFlight--
      this.planner.finished(rows)
    }
  }

  private async onAnswer(batch: number, rows: number[], reservation: OperatingReservation, answer: BatchResponse, wallMs: number, ticket: number): Promise<void> {
    const { clock, request, operating, meta, journal } = this.deps
    request.onAccepted()
    this.transientFailures = 0
    const at = clock.now()
    const byLabel = new Map<string, BatchItemResult>(answer.items.map((item) => [item.label, item]))
    const records: JournalRecord[] = []
    const requeue: number[] = []
    /** Rows the budget refused: they did not run, so the send does not count against them. */
    const budgetRefused: number[] = []
    // The run already paused on a run-wide error: rows of batches still in flight that got the
    // same answer did not run, and go back to pending, so the error costs one batch, not four.
    const pausedOn = this.stopping?.kind === 'pause' ? this.stopping.error : undefined
    const unrun: number[] = []
    const costs: number[] = []
    const costOf = this.costs.answered(this.method, ticket, ...ranTimes(answer.items, rows.length), wallMs / 1000, rows.length)
    let unmeasured = 0
    let counters: RestTime | undefined
    let budgetHit = false
    let rateHit = false
    let fatal: ErrorInfo | undefined
    const settle = (r: number, outcome: Outcome, error?: ErrorInfo, time?: number): void => {
      const attempt = this.table.attempts[r] as number
      this.table.setOutcome(r, outcome, at, attempt, error, time)
      records.push({ t: 'outcome', row: r, outcome, attempt, at, ...(error && { error }), ...(time !== undefined && { time }) })
    }
    for (const r of rows) {
      const item = byLabel.get(rowLabel(r))
      const time = item && item.state !== 'absent' ? item.time : undefined
      if (time?.operating !== undefined) counters = time
      const cost = costOf(time)
      if (!item || item.state === 'absent') {
        settle(r, 'uncertain', NO_ANSWER)
        unmeasured++
        continue
      }
      if (item.state === 'ok') {
        settle(r, 'succeeded', undefined, cost)
      } else {
        const error = item.error
        if (error.kind === 'retry-safe') {
          // Rejected before it ran: no cost, and a later batch may carry it.
          if (error.code.toUpperCase() === 'OPERATION_TIME_LIMIT') {
            // The budget guarantees nothing ran: the row waits for the budget, however often.
            budgetHit = true
            budgetRefused.push(r)
            continue
          }
          if (error.code.toUpperCase() === 'QUERY_LIMIT_EXCEEDED') rateHit = true
          if ((this.table.attempts[r] as number) >= meta.options.maxAttempts) settle(r, 'failed', error)
          else requeue.push(r)
          continue
        }
        if (error.kind === 'run-fatal' && pausedOn && sameError(pausedOn, error)) {
          unrun.push(r)
          continue
        }
        if (error.kind === 'run-fatal') fatal ??= error
        settle(r, error.kind === 'ambiguous' ? 'uncertain' : 'failed', error, cost)
      }
      if (cost === undefined) unmeasured++
      else costs.push(cost)
    }
    // Without per-command timings, the batch's own duration spread over its commands.
    if (costs.length === 0 && unmeasured > 0) {
      // Never more than the wall time: a whole-second start pads the envelope's duration.
      const total = Math.min(answer.time?.duration ?? Infinity, wallMs / 1000)
      costs.push(...Array<number>(unmeasured).fill(total / unmeasured))
      unmeasured = 0
    }
    reservation.settle(costs, unmeasured)
    operating.observe(this.method, counters)
    if (budgetHit) {
      operating.onLimitExceeded(this.method)
      // The countdown starts now: say so at once.
      this.emit(true)
    }
    if (rateHit) request.onRateLimited()
    if (requeue.length > 0) {
      records.push({ t: 'release', batch, rows: requeue, counted: true, at })
      for (const r of requeue) this.table.open[r] = 0
    }
    if (budgetRefused.length > 0) {
      records.push({ t: 'release', batch, rows: budgetRefused, counted: false, at })
      for (const r of budgetRefused) {
        this.table.open[r] = 0
        this.table.attempts[r] = Math.max(0, (this.table.attempts[r] as number) - 1)
      }
    }
    if (unrun.length > 0) {
      records.push({ t: 'release', batch, rows: unrun, counted: false, at, error: pausedOn })
      for (const r of unrun) {
        this.table.open[r] = 0
        this.table.attempts[r] = Math.max(0, (this.table.attempts[r] as number) - 1)
      }
    }
    const back = [...budgetRefused, ...requeue, ...unrun]
    if (back.length > 0) this.planner.giveBack(back)
    // Paused before the journal write yields, so answers arriving meanwhile see the pause.
    if (fatal) this.pause(plainMessage(fatal), fatal)
    await journal.append(records)
    const returned = new Set(back)
    const settled = rows.filter((r) => !returned.has(r))
    this.rowsDone(settled.length, settled)
  }

  private async onEnvelopeError(batch: number, rows: number[], reservation: OperatingReservation, error: ErrorInfo): Promise<void> {
    const { clock, request, operating, journal } = this.deps
    const at = clock.now()
    if (error.kind === 'ambiguous') {
      // It may have run, in part or whole: never re-send; charge the budget as if it ran.
      reservation.settle([], rows.length)
      const records: JournalRecord[] = []
      for (const r of rows) {
        const attempt = this.table.attempts[r] as number
        this.table.setOutcome(r, 'uncertain', at, attempt, error)
        records.push({ t: 'outcome', row: r, outcome: 'uncertain', attempt, at, error })
      }
      await journal.append(records)
      this.rowsDone(rows.length, rows)
      return
    }
    // Nothing ran: the rows are pending again, and this send does not count against them.
    reservation.release()
    await journal.append([{ t: 'release', batch, rows, counted: false, at, error }])
    for (const r of rows) {
      this.table.open[r] = 0
      this.table.attempts[r] = Math.max(0, (this.table.attempts[r] as number) - 1)
    }
    this.planner.giveBack(rows)
    const code = error.code.toUpperCase()
    if (error.kind === 'retry-safe' && code === 'QUERY_LIMIT_EXCEEDED') {
      request.onRateLimited()
    } else if (error.kind === 'retry-safe' && code === 'OPERATION_TIME_LIMIT') {
      operating.onLimitExceeded(this.method)
    } else if (error.kind === 'retry-safe' && ++this.transientFailures < MAX_TRANSIENT_FAILURES) {
      this.backoffUntil = at + Math.min(30_000, 1000 * 2 ** (this.transientFailures - 1))
    } else {
      this.pause(plainMessage(error), error)
    }
  }

  private learnLatency(wallMs: number, rows: number): void {
    const sec = wallMs / 1000
    this.latencySec = this.latencySec === undefined ? sec : this.latencySec + 0.3 * (sec - this.latencySec)
    const perRow = sec / Math.max(1, rows)
    this.wallPerRowSec = this.wallPerRowSec === undefined ? perRow : this.wallPerRowSec + 0.3 * (perRow - this.wallPerRowSec)
  }

  private rowsDone(n: number, rows: readonly number[]): void {
    this.meter.rowsFinished(n)
    if (this.deps.meta.options.verify) {
      for (const r of rows) {
        const o = this.table.outcomeOf(r)
        if ((o === 'succeeded' || o === 'uncertain') && this.table.hasStage(r, 'before')) this.afterQueue.push(r)
      }
    }
    this.emit(false)
  }

  // ---- verification reads ----

  /** Launches a stage read when one is due; returns a step if it did (or must wait to). */
  private planVerifyRead(flushing = false): Step | undefined {
    if (this.readInFlight) return undefined
    const verifyAfter =
      this.afterQueue.length > 0 && (flushing || this.afterQueue.length >= ROWS_PER_READ || this.planner.remaining === 0)
    if (flushing && !verifyAfter) return undefined
    let rows: number[]
    let when: 'before' | 'after'
    if (verifyAfter) {
      rows = this.afterQueue.slice(0, ROWS_PER_READ)
      when = 'after'
    } else {
      if (this.planner.checkedAhead(READ_AHEAD / 2) >= READ_AHEAD / 2) return undefined
      rows = this.planner.uncheckedAhead(ROWS_PER_READ, this.reading)
      when = 'before'
      if (rows.length === 0) return undefined
    }
    const read = planStageRead(this.table, rows, when)
    if (read.commands.length === 0) {
      // Nothing readable (e.g. contacts): these rows simply get no verification.
      this.readDone(read, read.unreadable)
      return { kind: 'sent' }
    }
    const { operating, request } = this.deps
    const admitted = operating.admit(READ_METHOD, read.commands.length, read.commands.length)
    if (admitted.calls === 0) return { kind: 'wait', ms: admitted.waitMs, reason: 'operating' }
    const tokenMs = request.msUntilToken()
    if (tokenMs > 0 || !request.tryTake()) return { kind: 'wait', ms: Math.max(1, tokenMs), reason: 'rate' }
    const reservation = operating.reserve(READ_METHOD, read.commands.length)
    this.readInFlight = true
    for (const r of read.rows) this.reading.add(r)
    this.track(this.sendRead(read, reservation))
    return { kind: 'sent' }
  }

  private async sendRead(read: StageRead, reservation: OperatingReservation): Promise<void> {
    const { client, request, operating, journal } = this.deps
    try {
      let answer: BatchResponse
      const t0 = this.deps.clock.now()
      const ticket = this.costs.sent(READ_METHOD)
      try {
        answer = await client.batch(read.commands, { halt: false })
      } catch (err) {
        const error = errorInfo(err)
        if (error.kind === 'retry-safe' || error.kind === 'ambiguous') {
          // A read is harmless to repeat: try again later.
          reservation.release()
          if (error.code.toUpperCase() === 'QUERY_LIMIT_EXCEEDED') request.onRateLimited()
          else this.backoffUntil = this.deps.clock.now() + 1000
          return
        }
        reservation.release()
        this.pause(plainMessage(error), error)
        return
      }
      request.onAccepted()
      const wallSec = (this.deps.clock.now() - t0) / 1000
      const costOf = this.costs.answered(READ_METHOD, ticket, ...ranTimes(answer.items, read.commands.length), wallSec, read.commands.length)
      const outcome = applyStageRead(this.table, read, answer.items, costOf)
      reservation.settle(outcome.costs, Math.max(0, read.commands.length - outcome.costs.length))
      const counters = answer.items.map((i) => (i.state === 'absent' ? undefined : i.time)).filter((t) => t?.operating !== undefined).pop()
      operating.observe(READ_METHOD, counters)
      await journal.append(outcome.records)
      this.readDone(read, outcome.unknown)
    } finally {
      reservation.release()
      for (const r of read.rows) this.reading.delete(r)
      this.readInFlight = false
    }
  }

  /** After a read: rows read before may now be sent; rows read after leave the queue. Rows
   * whose stage stays unknown go ahead without verification rather than block the run. */
  private readDone(read: StageRead, unknown: readonly number[]): void {
    if (read.when === 'before') {
      this.planner.markChecked(read.rows)
      this.planner.markChecked(unknown)
    } else {
      const done = new Set([...read.rows, ...read.unreadable])
      const keep = this.afterQueue.filter((r) => !done.has(r))
      this.afterQueue.length = 0
      this.afterQueue.push(...keep)
    }
  }

  private queueVerifyAfterFromJournal(): void {
    for (let r = 0; r < this.table.rowsLoaded; r++) {
      const o = this.table.outcomeOf(r)
      if ((o === 'succeeded' || o === 'uncertain') && this.table.hasStage(r, 'before') && !this.table.hasStage(r, 'after')) this.afterQueue.push(r)
    }
  }

  /** Reads the stages after for rows still waiting for it (end of run or cancel). A read that
   * keeps failing is left for the next session rather than holding this one open. */
  private async flushVerifyAfter(): Promise<void> {
    for (let round = 0; this.afterQueue.length > 0 && this.stopping?.kind !== 'pause' && round < 240; round++) {
      const step = this.planVerifyRead(true)
      if (!step) break
      await Promise.all(this.inFlight)
      const wait = step.kind === 'wait' ? step.ms : this.backoffUntil - this.deps.clock.now()
      if (wait > 0) await this.waker.wait(Math.min(wait, MAX_IDLE_MS), this.deps.clock)
    }
  }

  // ---- progress ----

  progress(): RunProgressEvent {
    const { operating, meta } = this.deps
    const counts = countsOf(this.table)
    const rate = this.meter.rowsPerSecond()
    const event: RunProgressEvent = {
      runId: meta.id,
      status: this.status,
      counts,
      rowsPerSecond: Math.round(rate * 10) / 10,
      binding: this.meter.binding()
    }
    // A countdown while the method is blocked (429), or while its budget is full and the run
    // waits for old time to leave the window.
    const waitingUntil = operating.waitingUntil(this.method) ?? (event.binding === 'operating' ? operating.nextRoomAt(this.method, 1) : undefined)
    if (waitingUntil !== undefined) {
      event.waitingUntil = waitingUntil
      event.binding = 'operating'
    }
    // From the model of the limits (eta.ts), not the speed so far: the opening burst is far
    // faster than what the rate and the operating budget sustain.
    const eta = estimateEta(this.etaInputs(counts.pending))
    if (eta && Number.isFinite(eta.seconds)) event.etaSeconds = Math.round(eta.seconds)
    if (this.stopping?.kind === 'pause' && this.stopping.reason) {
      event.pauseReason = this.stopping.reason
      if (this.stopping.error) event.pauseError = pauseError(this.stopping.reason, this.stopping.error)
    }
    return event
  }

  private etaInputs(pendingRows: number): EtaInputs {
    const { operating, request, meta, clock } = this.deps
    const budget = operating.state(this.method)
    const bucket = request.state()
    const blockedUntil = operating.waitingUntil(this.method)
    return {
      pendingRows,
      costSec: budget.costSec,
      rowsPerRequest: this.batchTarget(),
      request: { tokens: bucket.tokens, drainPerSec: bucket.effectiveDrainPerSec },
      operating: {
        capSec: budget.capSec,
        usedSec: budget.usedSec,
        windowSec: meta.options.operating.windowSec,
        expiries: operating.expiries(this.method),
        ...(blockedUntil !== undefined && { blockedForSec: Math.max(0, (blockedUntil - clock.now()) / 1000) })
      },
      ...(this.wallPerRowSec !== undefined && { wallSecPerRow: this.wallPerRowSec }),
      concurrency: Math.max(1, meta.options.maxInFlight)
    }
  }

  private emit(force: boolean): void {
    if (!this.deps.onProgress || !this.meter.shouldEmit(force)) return
    try {
      this.deps.onProgress(this.progress())
    } catch {
      // A listener's failure must not stop the run.
    }
  }
}

/** The `time` blocks of the commands that ran, and how many ran (a command the portal refused
 * before running it, 429 or 503, did not). */
function ranTimes(items: readonly BatchItemResult[], sent: number): [RestTime[], number] {
  const times: RestTime[] = []
  let refused = 0
  for (const item of items) {
    if (item.state === 'absent') continue
    if (item.time) times.push(item.time)
    if (item.state !== 'ok' && item.error.kind === 'retry-safe') refused++
  }
  return [times, Math.max(0, sent - refused)]
}

/** The same run-wide answer: same code and text (an unregistered trigger has an empty code). */
function sameError(a: ErrorInfo, b: ErrorInfo): boolean {
  return a.code.toUpperCase() === b.code.toUpperCase() && a.description === b.description
}

function errorInfo(err: unknown): ErrorInfo {
  if (isBitrixError(err)) return err.info
  // Not the client's error: we cannot know whether anything was sent, so assume it was.
  return { code: SyntheticCode.NETWORK_ERROR, description: err instanceof Error ? err.message : String(err), status: 0, kind: 'ambiguous' }
}
