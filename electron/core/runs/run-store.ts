// Runs on disk: `<dataDir>/runs/<runId>/` holds run.json (what was asked), journal.jsonl (what
// happened) and summary.json (a cache of the counts for the history list, trusted only while
// the journal has the size it was computed at).
import { randomBytes } from 'node:crypto'
import { readdir, readFile, rm, stat } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { ErrorInfo } from '../../shared/domain'
import { ensureDir, writeFileDurable } from '../durable-write'
import type { IpcError, RunCounts, RunStatus, RunSummaryView } from '../../shared/ipc'
import { lockHolderIn, takeRunLock } from './run-lock'
import { JOURNAL_FILE, JournalWriter, replayJournal, rowRecords, type ReplayedRun } from './journal'
import type { RowTable } from './row-table'
import { DEFAULT_SETTINGS, type PlannedRow, type RunMeta, type RunSpec } from './run-types'
import { presetRate } from '../bitrix/pacing/request-governor'
import { CLOUD_OPERATING } from '../bitrix/pacing/operating-governor'

const META_FILE = 'run.json'
const SUMMARY_FILE = 'summary.json'
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9-]{0,80}$/

export { RunLockedError } from './run-lock'

export function runsDir(dataDir: string): string {
  return join(dataDir, 'runs')
}

export function runDir(dataDir: string, runId: string): string {
  // Run ids arrive over IPC: never let one name a path outside the runs folder.
  if (!RUN_ID.test(runId)) throw new RunNotFoundError(runId)
  return join(runsDir(dataDir), runId)
}

export function journalPath(dataDir: string, runId: string): string {
  return join(runDir(dataDir, runId), JOURNAL_FILE)
}

export class RunNotFoundError extends Error {
  readonly code = 'NOT_FOUND'
  constructor(readonly runId: string) {
    super(`No run "${runId}".`)
  }
}

/** Sortable by creation time, unique without coordination. */
function newRunId(now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
  return `${stamp}-${randomBytes(3).toString('hex')}`
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}

/** Every byte and an fsync before the rename: a full disk fails here, never leaves half a file. */
async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileDurable(file, JSON.stringify(value, null, 2), 0o644)
}

/** Creates the run folder with run.json and the journal's planned rows, flushed to disk. */
export async function createRunFolder(dataDir: string, spec: RunSpec, now: number): Promise<RunMeta> {
  const meta = buildMeta(spec, now, spec.rows.length)
  const dir = runDir(dataDir, meta.id)
  await ensureDir(dir)
  const journal = await JournalWriter.open(join(dir, JOURNAL_FILE))
  try {
    for (const record of rowRecords(spec.rows)) await journal.append([record])
  } finally {
    await journal.close()
  }
  // run.json last: a folder without it is an unfinished creation and is not listed.
  await writeJsonAtomic(join(dir, META_FILE), meta)
  return meta
}

/** A run whose rows arrive in chunks (IDs enumerated from the CRM): each chunk goes to the
 * journal as it comes, so a million rows are never all in memory here, and run.json (with the
 * final row count) is written only after the last one; an interrupted creation is never listed,
 * and no row of it can be sent. */
export async function createRunFolderStreaming(
  dataDir: string,
  spec: Omit<RunSpec, 'rows'>,
  chunks: AsyncIterable<readonly PlannedRow[]>,
  now: number
): Promise<RunMeta> {
  const meta = buildMeta({ ...spec, rows: [] }, now, 0)
  const dir = runDir(dataDir, meta.id)
  await ensureDir(dir)
  const journal = await JournalWriter.open(join(dir, JOURNAL_FILE))
  let total = 0
  try {
    for await (const chunk of chunks) {
      for (const record of rowRecords(chunk)) {
        // rowRecords numbers rows within the chunk; the journal wants run-wide positions.
        await journal.append([record.t === 'rows' ? { ...record, from: record.from + total } : record])
      }
      total += chunk.length
    }
  } catch (err) {
    await journal.close().catch(() => undefined)
    await rm(dir, { recursive: true, force: true }).catch(() => undefined)
    throw err
  }
  await journal.close()
  meta.totalRows = total
  await writeJsonAtomic(join(dir, META_FILE), meta)
  return meta
}

function buildMeta(spec: RunSpec, now: number, totalRows: number): RunMeta {
  const plan = spec.options?.plan ?? 'standard'
  const meta: RunMeta = {
    version: 1,
    id: newRunId(now),
    createdAt: new Date(now).toISOString(),
    profile: { id: spec.profile.id, name: spec.profile.name, portalUrl: spec.profile.portalUrl, kind: spec.profile.kind },
    trigger: { ...spec.trigger },
    source: { ...spec.source },
    options: {
      ...DEFAULT_SETTINGS,
      plan,
      rate: presetRate(plan),
      operating: { ...CLOUD_OPERATING },
      ...definedOnly(spec.options ?? {})
    },
    totalRows
  }
  if (spec.defaultOwnerTypeId !== undefined) meta.defaultOwnerTypeId = spec.defaultOwnerTypeId
  if (spec.ownerSymbols) meta.ownerSymbols = { ...spec.ownerSymbols }
  if (spec.parentRunId) meta.parentRunId = spec.parentRunId
  if (spec.rerunOf) meta.rerunOf = spec.rerunOf
  return meta
}

export async function readMeta(dataDir: string, runId: string): Promise<RunMeta> {
  const file = join(runDir(dataDir, runId), META_FILE)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new RunNotFoundError(runId)
    throw err
  }
  try {
    const meta = JSON.parse(text) as RunMeta
    if (typeof meta !== 'object' || meta === null || typeof meta.totalRows !== 'number' || !meta.profile || !meta.trigger) throw new Error('fields are missing')
    return meta
  } catch (err) {
    throw new RunDamagedError(runId, file, err instanceof Error ? err.message : String(err))
  }
}

/** run.json cannot be read: say which file, so it can be restored or the folder removed. */
export class RunDamagedError extends Error {
  readonly code = 'RUN_DAMAGED'
  constructor(
    readonly runId: string,
    readonly file: string,
    reason: string
  ) {
    super(`Run ${runId} cannot be read: its file ${file} is damaged (${reason}). Restore it from a backup, or delete the folder ${dirname(file)} to drop the run.`)
  }
}

export interface LoadedRun {
  meta: RunMeta
  replay: ReplayedRun
  status: RunStatus
  pauseReason?: string
  /** The portal's answer the run paused on, when it paused on one. */
  pauseError?: ErrorInfo
  finishedAt?: string
}

/** Everything known about a run, rebuilt from its journal. */
export async function loadRun(dataDir: string, runId: string): Promise<LoadedRun> {
  const meta = await readMeta(dataDir, runId)
  const replay = await replayJournal(journalPath(dataDir, runId), meta.totalRows)
  const loaded: LoadedRun = { meta, replay, status: statusOf(replay) }
  const last = replay.lastState
  if (last?.state === 'paused' && last.reason) loaded.pauseReason = last.reason
  if (last?.state === 'paused' && last.error) loaded.pauseError = last.error
  if (last && (last.state === 'finished' || last.state === 'cancelled')) loaded.finishedAt = new Date(last.at).toISOString()
  return loaded
}

/** Status as the journal tells it; a run that is running right now is the manager's to say. */
export function statusOf(replay: ReplayedRun): RunStatus {
  switch (replay.lastState?.state) {
    case undefined:
      return replay.everSent ? 'interrupted' : 'ready'
    case 'started':
    case 'resumed':
      return 'interrupted'
    case 'paused':
      return 'paused'
    case 'cancelled':
      return 'cancelled'
    case 'finished':
      return 'finished'
  }
}

export function countsOf(table: RowTable): RunCounts {
  const c = table.counts()
  return { total: table.size, pending: c.pending, succeeded: c.succeeded, failed: c.failed, uncertain: c.uncertain, skipped: c.skipped, 'not-run': c['not-run'] }
}

export function summaryOf(loaded: Pick<LoadedRun, 'meta' | 'status' | 'pauseReason' | 'pauseError' | 'finishedAt'>, counts: RunCounts): RunSummaryView {
  const { meta } = loaded
  const view: RunSummaryView = {
    id: meta.id,
    createdAt: meta.createdAt,
    profileId: meta.profile.id,
    profileName: meta.profile.name,
    portalUrl: meta.profile.portalUrl,
    kind: meta.trigger.kind,
    sourceName: meta.source.name,
    status: loaded.status,
    counts,
    verify: meta.options.verify
  }
  if (meta.trigger.code) view.code = meta.trigger.code
  if (meta.defaultOwnerTypeId !== undefined) view.ownerTypeId = meta.defaultOwnerTypeId
  if (meta.parentRunId) view.parentRunId = meta.parentRunId
  if (meta.rerunOf) view.rerunOf = meta.rerunOf
  // A file (by path or as bytes) always has a layout; a pasted list never does.
  if (!meta.source.layout && !meta.source.path) view.pasted = true
  if (loaded.finishedAt) view.finishedAt = loaded.finishedAt
  if (loaded.pauseReason) view.pauseReason = loaded.pauseReason
  if (loaded.pauseReason && loaded.pauseError) view.pauseError = pauseError(loaded.pauseReason, loaded.pauseError)
  return view
}

/** The error a run paused on, as the contract carries it: our words, the portal's code and text. */
export function pauseError(reason: string, error: ErrorInfo): IpcError {
  return { code: error.code, message: reason, kind: error.kind, ...(error.description && { portalText: error.description }) }
}

interface CachedSummary {
  journalBytes: number
  view: RunSummaryView
}

/** Caches a run's summary against the journal's current size. */
export async function saveSummary(dataDir: string, view: RunSummaryView): Promise<void> {
  const { size } = await stat(journalPath(dataDir, view.id))
  await writeJsonAtomic(join(runDir(dataDir, view.id), SUMMARY_FILE), { journalBytes: size, view } satisfies CachedSummary)
}

/** One run's summary: from the cache when the journal has not grown since, else replayed. */
export async function summarizeRun(dataDir: string, runId: string): Promise<RunSummaryView> {
  const dir = runDir(dataDir, runId)
  try {
    const cached = JSON.parse(await readFile(join(dir, SUMMARY_FILE), 'utf8')) as CachedSummary
    const { size } = await stat(join(dir, JOURNAL_FILE))
    if (cached.journalBytes === size) return cached.view
  } catch {
    // No cache, or an unreadable one: replay below.
  }
  const loaded = await loadRun(dataDir, runId)
  const view = summaryOf(loaded, countsOf(loaded.replay.table))
  await saveSummary(dataDir, view).catch(() => undefined)
  return view
}

/** A run not running in this process: 'running' while another process (the app or the CLI)
 * sends it, whatever its journal says so far. */
export async function storedRunView(dataDir: string, runId: string): Promise<RunSummaryView> {
  const view = await summarizeRun(dataDir, runId)
  return (await lockHolder(dataDir, runId)) === undefined ? view : { ...view, status: 'running' }
}

/** A run folder that cannot be listed, and why (the message names the file and what to do). */
export interface UnreadableRun {
  id: string
  message: string
}

/** Every run in the data directory, newest first. Damaged runs are left out, not fatal; each
 * one left out is told to `onUnreadable`, so that it does not vanish without a word. */
export async function listRuns(dataDir: string, onUnreadable?: (run: UnreadableRun) => void): Promise<RunSummaryView[]> {
  let ids: string[]
  try {
    ids = (await readdir(runsDir(dataDir), { withFileTypes: true })).filter((d) => d.isDirectory() && RUN_ID.test(d.name)).map((d) => d.name)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
  const views: RunSummaryView[] = []
  for (const id of ids.sort().reverse()) {
    try {
      views.push(await storedRunView(dataDir, id))
    } catch (err) {
      // An unfinished creation (no run.json) is not a run yet; anything else is worth a word.
      if (!(err instanceof RunNotFoundError)) onUnreadable?.({ id, message: err instanceof Error ? err.message : String(err) })
    }
  }
  return views
}

/** The pid of a live process that holds the run, if any (the app and the CLI share runs). */
export async function lockHolder(dataDir: string, runId: string): Promise<number | undefined> {
  return lockHolderIn(runDir(dataDir, runId))
}

/** Takes the run for this process: two writers would interleave one journal. A lock left by a
 * process that died (a crash, a kill) is taken over, atomically (run-lock.ts). Returns the
 * release function. */
export async function lockRun(dataDir: string, runId: string): Promise<() => Promise<void>> {
  return takeRunLock(runDir(dataDir, runId), runId)
}
