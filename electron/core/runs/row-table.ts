// The rows of one run and where each one stands, in typed arrays: a run may hold a million
// rows, and a million small objects would cost several times the memory and GC time.
// Row index = position in the planned rows (0-based); batch labels are `r<index>`.
import type { ErrorInfo, ImportedRow, Outcome, RowVerdict, SkipReason, Verification } from '../../shared/domain'
import { SKIP_REASONS } from '../../shared/domain'

const PENDING = 0
const OUTCOME_CODES: readonly (Outcome | 'pending')[] = ['pending', 'succeeded', 'failed', 'uncertain', 'skipped', 'not-run']

function outcomeCode(outcome: Outcome | 'pending'): number {
  return OUTCOME_CODES.indexOf(outcome)
}

function outcomeName(code: number): Outcome | 'pending' {
  return OUTCOME_CODES[code] ?? 'pending'
}

/** Stage slots: an index into the stage table, or one of these. */
const STAGE_UNREAD = -1
const STAGE_NOT_FOUND = -2

/** A string table: the same few codes, stages and errors repeat over a million rows. */
class Interner<T> {
  readonly values: T[] = []
  private readonly index = new Map<string, number>()
  constructor(private readonly key: (v: T) => string) {}
  id(value: T): number {
    const k = this.key(value)
    let i = this.index.get(k)
    if (i === undefined) {
      i = this.values.length
      this.values.push(value)
      this.index.set(k, i)
    }
    return i
  }
}

type SkipDetails = Pick<ImportedRow, 'raw' | 'duplicateOf' | 'idCell'>

export interface RowRecord {
  index: number
  line: number
  ownerTypeId: number
  ownerId: number
  code: string
  verdict: RowVerdict
  outcome: Outcome | 'pending'
  attempts: number
  error?: ErrorInfo
  /** ms: when the row's last send began (its intent), for the export's started_at. */
  startedAt?: number
  /** ms */
  finishedAt?: number
  /** Server seconds the trigger took, when the portal said. */
  timeSec?: number
  verification?: Verification
  /** Skipped rows: the owner-ID cell as it was in the file. */
  sourceValue?: string
}

export class RowTable {
  readonly size: number
  readonly line: Int32Array
  readonly ownerTypeId: Int32Array
  readonly ownerId: Int32Array
  private readonly codeId: Int32Array
  /** 0 = valid, else 1 + index in SKIP_REASONS */
  private readonly verdict: Uint8Array
  private readonly outcome: Uint8Array
  /** Rows per outcome code, kept as outcomes change: progress asks for it ten times a second. */
  private readonly tally = new Int32Array(OUTCOME_CODES.length)
  readonly attempts: Uint8Array
  /** Sent (an intent was journaled) and neither an outcome nor a release followed. */
  readonly open: Uint8Array
  private readonly errorId: Int32Array
  private readonly finishedAt: Float64Array
  private readonly startedAt: Float64Array
  private readonly timeSec: Float32Array
  private readonly stageBefore: Int32Array
  private readonly stageAfter: Int32Array
  private readonly codes = new Interner<string>((s) => s)
  private readonly stages = new Interner<string>((s) => s)
  private readonly errors = new Interner<ErrorInfo>((e) => `${e.kind}\u0000${e.status}\u0000${e.code}\u0000${e.description}`)
  /** raw cell / duplicated line / ID cell of skipped rows (few, so a sparse map). */
  private readonly skipDetails = new Map<number, SkipDetails>()
  private loaded = 0

  constructor(size: number) {
    this.size = size
    this.line = new Int32Array(size)
    this.ownerTypeId = new Int32Array(size)
    this.ownerId = new Int32Array(size)
    this.codeId = new Int32Array(size)
    this.verdict = new Uint8Array(size)
    this.outcome = new Uint8Array(size)
    this.attempts = new Uint8Array(size)
    this.open = new Uint8Array(size)
    this.errorId = new Int32Array(size).fill(-1)
    this.finishedAt = new Float64Array(size)
    this.startedAt = new Float64Array(size)
    this.timeSec = new Float32Array(size).fill(Number.NaN)
    this.stageBefore = new Int32Array(size).fill(STAGE_UNREAD)
    this.stageAfter = new Int32Array(size).fill(STAGE_UNREAD)
  }

  /** Appends the next planned row; skipped verdicts are final at once. */
  push(row: Pick<ImportedRow, 'line' | 'ownerTypeId' | 'ownerId' | 'code' | 'verdict'> & SkipDetails): number {
    const i = this.loaded++
    if (i >= this.size) throw new Error(`row table holds ${this.size} rows`)
    this.line[i] = row.line
    this.ownerTypeId[i] = row.ownerTypeId
    this.ownerId[i] = row.ownerId
    this.codeId[i] = this.codes.id(row.code)
    const skip = row.verdict === 'valid' ? 0 : SKIP_REASONS.indexOf(row.verdict) + 1
    this.verdict[i] = skip
    this.tally[PENDING]!++
    if (skip > 0) {
      this.move(i, outcomeCode('skipped'))
      const details: SkipDetails = {}
      if (row.raw !== undefined) details.raw = row.raw
      if (row.duplicateOf !== undefined) details.duplicateOf = row.duplicateOf
      if (row.idCell !== undefined) details.idCell = row.idCell
      if (Object.keys(details).length > 0) this.skipDetails.set(i, details)
    }
    return i
  }

  get rowsLoaded(): number {
    return this.loaded
  }

  code(i: number): string {
    return this.codes.values[this.codeId[i] as number] ?? ''
  }

  /** The row as the importer reported it (for skip texts). */
  importedRow(i: number): ImportedRow {
    return {
      line: this.line[i] as number,
      ownerTypeId: this.ownerTypeId[i] as number,
      ownerId: this.ownerId[i] as number,
      code: this.code(i),
      verdict: this.verdictOf(i),
      ...this.skipDetails.get(i)
    }
  }

  /** A skipped row's owner-ID cell as it was in the file. */
  sourceValueOf(i: number): string | undefined {
    return this.skipDetails.get(i)?.idCell
  }

  verdictOf(i: number): RowVerdict {
    const v = this.verdict[i] as number
    return v === 0 ? 'valid' : (SKIP_REASONS[v - 1] as SkipReason)
  }

  outcomeOf(i: number): Outcome | 'pending' {
    return outcomeName(this.outcome[i] as number)
  }

  isPending(i: number): boolean {
    return this.outcome[i] === PENDING
  }

  ownerKey(i: number): number {
    // Owner ids fit 31 bits and type ids stay far below 2^21, so this key is exact.
    return (this.ownerTypeId[i] as number) * 2 ** 31 + (this.ownerId[i] as number)
  }

  setOutcome(i: number, outcome: Outcome, at: number, attempt: number, error?: ErrorInfo, timeSec?: number): void {
    this.move(i, outcomeCode(outcome))
    this.attempts[i] = Math.min(255, attempt)
    this.open[i] = 0
    this.finishedAt[i] = at
    this.errorId[i] = error ? this.errors.id(error) : -1
    if (timeSec !== undefined) this.timeSec[i] = timeSec
  }

  /** The row's send began at `at` (ms): the batch's intent time. */
  markStarted(i: number, at: number): void {
    this.startedAt[i] = at
  }

  errorOf(i: number): ErrorInfo | undefined {
    const e = this.errorId[i] as number
    return e < 0 ? undefined : this.errors.values[e]
  }

  setStage(i: number, when: 'before' | 'after', stage: string | null): void {
    const slot = stage === null ? STAGE_NOT_FOUND : this.stages.id(stage)
    ;(when === 'before' ? this.stageBefore : this.stageAfter)[i] = slot
  }

  hasStage(i: number, when: 'before' | 'after'): boolean {
    return ((when === 'before' ? this.stageBefore : this.stageAfter)[i] as number) !== STAGE_UNREAD
  }

  verificationOf(i: number): Verification | undefined {
    const before = this.stageBefore[i] as number
    const after = this.stageAfter[i] as number
    if (after === STAGE_UNREAD) return undefined
    if (before === STAGE_NOT_FOUND || after === STAGE_NOT_FOUND) return { state: 'not-found' }
    if (before === STAGE_UNREAD) return undefined
    const from = this.stages.values[before] as string
    const to = this.stages.values[after] as string
    return from === to ? { state: 'unchanged', stage: to } : { state: 'moved', from, to }
  }

  record(i: number): RowRecord {
    const rec: RowRecord = {
      index: i,
      line: this.line[i] as number,
      ownerTypeId: this.ownerTypeId[i] as number,
      ownerId: this.ownerId[i] as number,
      code: this.code(i),
      verdict: this.verdictOf(i),
      outcome: this.outcomeOf(i),
      attempts: this.attempts[i] as number
    }
    const error = this.errorOf(i)
    if (error) rec.error = error
    const at = this.finishedAt[i] as number
    if (at > 0) rec.finishedAt = at
    const sentAt = this.startedAt[i] as number
    if (sentAt > 0) rec.startedAt = sentAt
    const t = this.timeSec[i] as number
    if (!Number.isNaN(t)) rec.timeSec = t
    const v = this.verificationOf(i)
    if (v) rec.verification = v
    const idCell = this.sourceValueOf(i)
    if (idCell !== undefined) rec.sourceValue = idCell
    return rec
  }

  /** Rows per outcome, pending included. */
  counts(): Record<Outcome | 'pending', number> {
    const counts = { pending: 0, succeeded: 0, failed: 0, uncertain: 0, skipped: 0, 'not-run': 0 }
    OUTCOME_CODES.forEach((name, code) => (counts[name] = this.tally[code] as number))
    return counts
  }

  private move(i: number, code: number): void {
    this.tally[this.outcome[i] as number]!--
    this.outcome[i] = code
    this.tally[code]!++
  }
}
