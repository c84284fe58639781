// Runs as the app, the CLI and the tests see them: create, start/resume, pause, cancel, list,
// read rows, re-run. Governors are shared per portal (the request bucket is the portal's and
// the source IP's) and per profile and method (the operating budget is per app or webhook), so
// two runs on one portal pace together instead of tripping each other's limits.
import { stat } from 'node:fs/promises'
import type { RateLimits } from '../../shared/domain'
import type { RerunInclude, RerunOptions, RerunPreview, RowsPage, RowsQuery, RunOverlap, RunProgressEvent, RunSummaryView } from '../../shared/ipc'
import { makeClock, type Clock } from '../bitrix/pacing/clock'
import { CLOUD_OPERATING, OperatingGovernor } from '../bitrix/pacing/operating-governor'
import { RATE_PRESETS, RequestGovernor } from '../bitrix/pacing/request-governor'
import { governClient } from '../bitrix/pacing/governed-client'
import type { BitrixClient } from '../bitrix/types'
import { CsvImportError } from './csv-errors'
import { exportResults, type ExportFormat } from './export'
import { interruptedOutcomes, JournalWriter, type JournalRecord } from './journal'
import { exportRows, pageRows } from './row-views'
import { findOverlap, skipDoneRecords, tableRows, type OverlapFound } from './overlap'
import { nothingToRerun, selectRerunRows } from './rerun-rows'
import {
  countsOf,
  createRunFolder,
  createRunFolderStreaming,
  journalPath,
  listRuns,
  loadRun,
  lockRun,
  saveSummary,
  storedRunView,
  summarizeRun,
  summaryOf,
  type LoadedRun,
  type UnreadableRun
} from './run-store'
import type { PlannedRow, RunMeta, RunProfileRef, RunSettings, RunSpec } from './run-types'
import { RunSession, type RunHooks } from './runner'

/** Disk space held back while a run is sent, so that on a full disk the answers to batches
 * already sent and the pause are still journaled (journal.ts, reserveBytes). */
const JOURNAL_RESERVE_BYTES = 256 * 1024

export interface RunManagerOptions {
  dataDir: string
  /** A REST client for the profile, with its current credentials (asked again at every start
   * and resume, so a run paused by invalid_grant resumes with the new sign-in). */
  clientFor(profileId: string): BitrixClient | Promise<BitrixClient>
  now?: () => number
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  hooks?: RunHooks
}

export interface StartOptions {
  onProgress?(event: RunProgressEvent): void
}

export interface RunHandle {
  /** Resolves when this session ends: finished, paused or cancelled. */
  done: Promise<RunSummaryView>
}

export class RunStateError extends Error {
  readonly code = 'RUN_STATE'
}

export interface RunManager {
  createRun(spec: RunSpec): Promise<RunSummaryView>
  /** Starts or resumes a run; returns once it is under way. */
  start(runId: string, options?: StartOptions): Promise<RunHandle>
  resume(runId: string, options?: StartOptions): Promise<RunHandle>
  /** Stops sending; resolves once batches in flight have settled. */
  pause(runId: string): Promise<RunSummaryView>
  /** Stops sending; rows never sent become not-run. Works on paused and interrupted runs too. */
  cancel(runId: string): Promise<RunSummaryView>
  list(): Promise<RunSummaryView[]>
  /** Run folders `list` had to leave out (a damaged run.json or planned-rows record), and why. */
  unreadable(): Promise<UnreadableRun[]>
  get(runId: string): Promise<RunSummaryView>
  rows(query: RowsQuery): Promise<RowsPage>
  /** A new run from this run's failed rows (and uncertain ones only when asked; uncertain rows
   * seen to move only with includeMoved), its unchanged rows, or the rows a cancel left unsent. */
  rerun(runId: string, include: RerunInclude, options?: RerunOptions): Promise<RunSummaryView>
  /** What rerun would take, for the confirmation. */
  rerunPreview(runId: string, include: RerunInclude, options?: RerunOptions): Promise<RerunPreview>
  /** Rows of these planned rows (a run about to be created) already sent by a recent run of the
   * same trigger kind on the same portal. */
  overlapOfSpec(spec: RunSpec): Promise<RunOverlap | undefined>
  /** The same for a created run that was never sent. */
  overlap(runId: string): Promise<RunOverlap | undefined>
  /** Marks a never-sent run's already-done rows skipped (with the run that sent each). */
  skipDone(runId: string): Promise<RunSummaryView>
  /** The whole run from its journal. */
  load(runId: string): Promise<LoadedRun>
  /** Writes the results (one line per row, with the source file's columns when the file is
   * still there unchanged) to `path`. */
  export(runId: string, format: ExportFormat, path: string): Promise<ExportReport>
  isRunning(runId: string): boolean
  /** The request and operating governors this profile's runs use: reads made for a run (a CRM
   * selection, a preview) spend the same limits and learn from the same answers. */
  governors(profile: RunProfileRef, settings: Pick<RunSettings, 'rate' | 'operating'>): { request: RequestGovernor; operating: OperatingGovernor }
  /** A run whose rows arrive in chunks (streamed into the journal), e.g. IDs read from the CRM. */
  createStreamedRun(spec: Omit<RunSpec, 'rows'>, rows: AsyncIterable<readonly PlannedRow[]>): Promise<RunSummaryView>
  /** `client` with its every request through the governors runs of this profile pace by (the
   * portal's request bucket, the profile's operating budgets): for lookups around a run. */
  governed(profileId: string, client: BitrixClient, rate?: RateLimits): BitrixClient
  /** Pauses every running run and waits for them (app quit). */
  close(): Promise<void>
}

export interface ExportReport {
  rows: number
  sourceColumns: boolean
  /** Why the source file's columns are left out, when the run has a source file. */
  withoutSource?: string
}

interface ActiveRun {
  session: RunSession
  loaded: LoadedRun
  done: Promise<RunSummaryView>
}

/** One key per portal however its address was written (trailing slash, path, case). */
function portalKey(url: string): string {
  try {
    return new URL(url).origin
  } catch {
    return url
  }
}

/** The overlap as the contract carries it (without the per-row list). */
function publicOverlap(found: OverlapFound | undefined): RunOverlap | undefined {
  if (!found) return undefined
  const { done: _done, ...overlap } = found
  return overlap
}

export function createRunManager(opts: RunManagerOptions): RunManager {
  const clock: Clock = makeClock(opts.now, opts.sleep)
  const { dataDir } = opts
  const active = new Map<string, ActiveRun>()
  const requestGovernors = new Map<string, RequestGovernor>()
  const operatingGovernors = new Map<string, OperatingGovernor>()
  /** The last run read for its rows: paging through a big finished run must not replay it each time. */
  let cached: { id: string; bytes: number; loaded: LoadedRun } | undefined

  function governorsFor(meta: Pick<RunMeta, 'profile' | 'options'>): { request: RequestGovernor; operating: OperatingGovernor } {
    const portal = portalKey(meta.profile.portalUrl)
    let request = requestGovernors.get(portal)
    if (!request) requestGovernors.set(portal, (request = new RequestGovernor({ limits: meta.options.rate, clock })))
    else request.setLimits(meta.options.rate)
    const key = `${portal}\u0000${meta.profile.id}`
    let operating = operatingGovernors.get(key)
    if (!operating) operatingGovernors.set(key, (operating = new OperatingGovernor({ limits: meta.options.operating, clock })))
    else operating.setLimits(meta.options.operating)
    return { request, operating }
  }

  /** The governors for requests outside a run; created with the standard plan's numbers when no
   * run made them yet (a run then sets its own limits on the same governors, keeping what the
   * lookups spent). */
  function lookupGovernors(portalUrl: string, profileId: string, rate: RateLimits = RATE_PRESETS.standard): { request: RequestGovernor; operating: OperatingGovernor } {
    portalUrl = portalKey(portalUrl)
    let request = requestGovernors.get(portalUrl)
    if (!request) requestGovernors.set(portalUrl, (request = new RequestGovernor({ limits: rate, clock })))
    const key = `${portalUrl}\u0000${profileId}`
    let operating = operatingGovernors.get(key)
    if (!operating) operatingGovernors.set(key, (operating = new OperatingGovernor({ limits: CLOUD_OPERATING, clock })))
    return { request, operating }
  }

  async function start(runId: string, options: StartOptions = {}): Promise<RunHandle> {
    if (active.has(runId)) throw new RunStateError('This run is already running.')
    const loaded = await loadRun(dataDir, runId)
    if (loaded.status === 'finished' || loaded.status === 'cancelled') throw new RunStateError(`This run is ${loaded.status}; re-run it instead.`)
    const unlock = await lockRun(dataDir, runId)
    let journal: JournalWriter
    let client: BitrixClient
    try {
      client = await opts.clientFor(loaded.meta.profile.id)
      journal = await JournalWriter.open(journalPath(dataDir, runId), { reserveBytes: JOURNAL_RESERVE_BYTES })
    } catch (err) {
      await unlock()
      throw err
    }
    const session = new RunSession({
      meta: loaded.meta,
      replay: loaded.replay,
      journal,
      client,
      ...governorsFor(loaded.meta),
      clock,
      ...(options.onProgress && { onProgress: options.onProgress }),
      ...(opts.hooks && { hooks: opts.hooks })
    })
    const done = session
      .run()
      .finally(async () => {
        await journal.close()
        await unlock()
      })
      .then(async (end) => {
        active.delete(runId)
        const view = summaryOf(
          {
            meta: loaded.meta,
            status: end.status,
            ...(end.reason && { pauseReason: end.reason }),
            ...(end.error && { pauseError: end.error }),
            ...(end.status !== 'paused' && { finishedAt: new Date(clock.now()).toISOString() })
          },
          countsOf(loaded.replay.table)
        )
        await saveSummary(dataDir, view).catch(() => undefined)
        return view
      })
      .catch((err: unknown) => {
        active.delete(runId)
        throw err
      })
    active.set(runId, { session, loaded, done })
    return { done }
  }

  async function cancelIdle(runId: string): Promise<RunSummaryView> {
    const unlock = await lockRun(dataDir, runId)
    try {
      const loaded = await loadRun(dataDir, runId)
      const table = loaded.replay.table
      if (loaded.status === 'finished' || loaded.status === 'cancelled') return summaryOf(loaded, countsOf(table))
      const at = clock.now()
      const records: JournalRecord[] = interruptedOutcomes(loaded.replay, at)
      for (let r = 0; r < table.rowsLoaded; r++) {
        if (!table.isPending(r)) continue
        table.setOutcome(r, 'not-run', at, table.attempts[r] as number)
        records.push({ t: 'outcome', row: r, outcome: 'not-run', attempt: table.attempts[r] as number, at })
      }
      records.push({ t: 'state', state: 'cancelled', at })
      const journal = await JournalWriter.open(journalPath(dataDir, runId))
      try {
        await journal.durable(records)
      } finally {
        await journal.close()
      }
      const view = summaryOf({ meta: loaded.meta, status: 'cancelled', finishedAt: new Date(at).toISOString() }, countsOf(table))
      await saveSummary(dataDir, view).catch(() => undefined)
      return view
    } finally {
      await unlock()
    }
  }

  async function loadCached(runId: string): Promise<LoadedRun> {
    const { size } = await stat(journalPath(dataDir, runId))
    if (cached && cached.id === runId && cached.bytes === size) return cached.loaded
    const loaded = await loadRun(dataDir, runId)
    cached = { id: runId, bytes: size, loaded }
    return loaded
  }

  /** A run never sent is compared with every recent run. A paused or interrupted one only with
   * the runs started after it: a new run of the same file may have sent its pending rows, and
   * resuming must not fire them a second time unasked. */
  async function overlapOfLoaded(loaded: LoadedRun): Promise<OverlapFound | undefined> {
    const resumable = loaded.status === 'paused' || loaded.status === 'interrupted'
    if (loaded.status !== 'ready' && !resumable) throw new RunStateError('Only a run that has not finished can skip rows already done.')
    const { meta } = loaded
    const target = { runId: meta.id, portalUrl: meta.profile.portalUrl, kind: meta.trigger.kind, rows: tableRows(loaded.replay.table) }
    return findOverlap(dataDir, resumable ? { ...target, after: meta.createdAt } : target, clock.now())
  }

  function liveView(run: ActiveRun): RunSummaryView {
    const progress = run.session.progress()
    const view = summaryOf({ meta: run.loaded.meta, status: progress.status, ...(progress.pauseReason && { pauseReason: progress.pauseReason }) }, progress.counts)
    if (progress.pauseError) view.pauseError = progress.pauseError
    return view
  }

  return {
    governors: (profile, settings) => governorsFor({ profile, options: settings as RunMeta['options'] }),
    async createStreamedRun(spec, rows) {
      const meta = await createRunFolderStreaming(dataDir, spec, rows, clock.now())
      return summarizeRun(dataDir, meta.id)
    },
    async createRun(spec) {
      const meta = await createRunFolder(dataDir, spec, clock.now())
      const view = await summarizeRun(dataDir, meta.id)
      return view
    },
    start,
    resume: start,
    async pause(runId) {
      const run = active.get(runId)
      if (!run) return summarizeRun(dataDir, runId)
      run.session.pause()
      return run.done
    },
    async cancel(runId) {
      const run = active.get(runId)
      if (!run) return cancelIdle(runId)
      run.session.cancel()
      return run.done
    },
    async list() {
      const views = await listRuns(dataDir)
      return views.map((v) => {
        const run = active.get(v.id)
        return run ? liveView(run) : v
      })
    },
    async unreadable() {
      const found: UnreadableRun[] = []
      await listRuns(dataDir, (run) => found.push(run))
      return found
    },
    async get(runId) {
      const run = active.get(runId)
      return run ? liveView(run) : storedRunView(dataDir, runId)
    },
    async rows(query) {
      const run = active.get(query.runId)
      const table = run ? run.loaded.replay.table : (await loadCached(query.runId)).replay.table
      return pageRows(table, query)
    },
    async rerun(runId, include, options = {}) {
      const parent = await loadRun(dataDir, runId)
      const table = parent.replay.table
      const selection = selectRerunRows(table, include, options)
      if (selection.rows === 0) throw new RunStateError(nothingToRerun(include, selection))
      const rows: PlannedRow[] = selection.indexes.map((r) => ({
        line: table.line[r] as number,
        ownerTypeId: table.ownerTypeId[r] as number,
        ownerId: table.ownerId[r] as number,
        code: table.code(r),
        verdict: 'valid'
      }))
      const { meta } = parent
      const spec: RunSpec = {
        profile: meta.profile,
        trigger: meta.trigger,
        source: meta.source,
        options: meta.options,
        rows,
        parentRunId: meta.id,
        rerunOf: include
      }
      if (meta.defaultOwnerTypeId !== undefined) spec.defaultOwnerTypeId = meta.defaultOwnerTypeId
      if (meta.ownerSymbols) spec.ownerSymbols = meta.ownerSymbols
      const created = await createRunFolder(dataDir, spec, clock.now())
      return summarizeRun(dataDir, created.id)
    },
    async rerunPreview(runId, include, options = {}) {
      const run = active.get(runId)
      const table = run ? run.loaded.replay.table : (await loadCached(runId)).replay.table
      const { indexes: _indexes, ...preview } = selectRerunRows(table, include, options)
      return preview
    },
    async overlapOfSpec(spec) {
      const rows = spec.rows.map((r) => ({ ownerTypeId: r.ownerTypeId, ownerId: r.ownerId, code: r.code || spec.trigger.code || '', valid: r.verdict === 'valid' }))
      return publicOverlap(await findOverlap(dataDir, { portalUrl: spec.profile.portalUrl, kind: spec.trigger.kind, rows }, clock.now()))
    },
    async overlap(runId) {
      const loaded = await loadRun(dataDir, runId)
      return publicOverlap(await overlapOfLoaded(loaded))
    },
    async skipDone(runId) {
      if (active.has(runId)) throw new RunStateError('This run is already running.')
      const unlock = await lockRun(dataDir, runId)
      try {
        const loaded = await loadRun(dataDir, runId)
        const found = await overlapOfLoaded(loaded)
        if (found) {
          const journal = await JournalWriter.open(journalPath(dataDir, runId))
          try {
            await journal.durable(skipDoneRecords(loaded.replay.table, found, clock.now()))
          } finally {
            await journal.close()
          }
        }
        const view = summaryOf(loaded, countsOf(loaded.replay.table))
        await saveSummary(dataDir, view).catch(() => undefined)
        return view
      } finally {
        await unlock()
      }
    },
    load: (runId) => loadRun(dataDir, runId),
    async export(runId, format, path) {
      const run = active.get(runId)
      const loaded = run ? run.loaded : await loadCached(runId)
      const { source } = loaded.meta
      const rows = (): ReturnType<typeof exportRows> => exportRows(loaded.replay.table)
      let withoutSource: string | undefined
      if (source.path && source.layout) {
        try {
          const written = await exportResults(rows(), format, path, { source: { input: source.path, layout: source.layout } })
          return { rows: written.rows, sourceColumns: true }
        } catch (err) {
          // Moved, deleted or edited since the import: the results still export, without its columns.
          if (!(err instanceof CsvImportError) || (err.code !== 'source-changed' && err.code !== 'unreadable')) throw err
          withoutSource = err.message
        }
      }
      const written = await exportResults(rows(), format, path)
      return { rows: written.rows, sourceColumns: false, ...(withoutSource !== undefined && { withoutSource }) }
    },
    isRunning: (runId) => active.has(runId),
    governed: (profileId, client, rate) => governClient(client, lookupGovernors(client.describe().portalUrl, profileId, rate), clock),
    async close() {
      const runs = [...active.values()]
      for (const run of runs) run.session.pause()
      await Promise.allSettled(runs.map((r) => r.done))
    }
  }
}
