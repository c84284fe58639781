// Runs: the history list, live progress from `runs.progress`, and run commands.
// Progress can arrive many times a second; it is coalesced per run and applied at most every
// PROGRESS_FLUSH_MS so the screens re-render calmly. Row data never lives here: the results
// table pages it from the main process (runs.rows).
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, triggerRef } from 'vue'
import type {
  CreateRunRequest,
  CsvSource,
  CsvInspection,
  CsvInspectOptions,
  IpcResult,
  RerunInclude,
  RerunOptions,
  RerunPreview,
  RowsPage,
  RunOverlap,
  RowsQuery,
  RunProgressEvent,
  RunStatus,
  RunSummaryView,
  ValidationSummary
} from '@/lib/contract'
import { api, unwrap } from '@/lib/api'

const PROGRESS_FLUSH_MS = 250

/** Statuses that may still change on their own (progress will follow). */
export const ACTIVE_STATUSES: readonly RunStatus[] = ['running', 'cancelling']
/** Statuses the admin can resume. */
export const RESUMABLE_STATUSES: readonly RunStatus[] = ['paused', 'interrupted']

export const useRunsStore = defineStore('runs', () => {
  const summaries = ref<RunSummaryView[]>([])
  const loaded = ref(false)
  /** Latest progress per run id; replaced wholesale on flush (shallow on purpose). */
  const progress = shallowRef(new Map<string, RunProgressEvent>())

  const resumable = computed(() => summaries.value.filter((s) => RESUMABLE_STATUSES.includes(s.status)))

  function upsert(summary: RunSummaryView): RunSummaryView {
    const i = summaries.value.findIndex((s) => s.id === summary.id)
    if (i >= 0) summaries.value.splice(i, 1, summary)
    else summaries.value.unshift(summary)
    return summary
  }

  function byId(id: string): RunSummaryView | undefined {
    return summaries.value.find((s) => s.id === id)
  }

  // ---- live progress ------------------------------------------------------------------------
  const pending = new Map<string, RunProgressEvent>()
  let flushTimer: ReturnType<typeof setTimeout> | undefined
  let unsubscribe: (() => void) | undefined

  function flush(): void {
    flushTimer = undefined
    if (pending.size === 0) return
    for (const [id, event] of pending) {
      progress.value.set(id, event)
      const summary = byId(id)
      if (summary) upsert({ ...summary, status: event.status, counts: event.counts, pauseReason: event.pauseReason, pauseError: event.pauseError })
    }
    pending.clear()
    triggerRef(progress)
  }

  function onProgress(event: RunProgressEvent): void {
    const statusChanged = (progress.value.get(event.runId) ?? byId(event.runId))?.status !== event.status
    pending.set(event.runId, event)
    // A status change (paused, finished...) is shown at once; counts can wait a moment.
    if (statusChanged) {
      if (flushTimer) clearTimeout(flushTimer)
      flush()
    } else if (!flushTimer) {
      flushTimer = setTimeout(flush, PROGRESS_FLUSH_MS)
    }
  }

  function subscribe(): void {
    unsubscribe ??= api().on('runs.progress', onProgress)
  }

  function stop(): void {
    unsubscribe?.()
    unsubscribe = undefined
  }

  // ---- commands -----------------------------------------------------------------------------
  async function load(): Promise<void> {
    const list = await unwrap(api().runs.list())
    summaries.value = [...list].sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    loaded.value = true
  }

  async function get(id: string): Promise<RunSummaryView> {
    return upsert(await unwrap(api().runs.get(id)))
  }

  const command =
    (fn: (id: string) => Promise<IpcResult<RunSummaryView>>) =>
    async (id: string): Promise<RunSummaryView> => upsert(await unwrap(fn(id)))

  const start = command((id) => api().runs.start(id))
  const pause = command((id) => api().runs.pause(id))
  const resume = command((id) => api().runs.resume(id))
  const cancel = command((id) => api().runs.cancel(id))

  async function create(req: CreateRunRequest): Promise<RunSummaryView> {
    return upsert(await unwrap(api().runs.create(req)))
  }

  /** A new run over the chosen rows of `id`; started right away when the main process left it ready. */
  async function rerun(id: string, include: RerunInclude, options?: RerunOptions): Promise<RunSummaryView> {
    const created = upsert(await unwrap(options ? api().runs.rerun(id, include, options) : api().runs.rerun(id, include)))
    return created.status === 'ready' ? start(created.id) : created
  }

  /** What a re-run would take (for its confirmation). */
  async function rerunPreview(id: string, include: RerunInclude, options?: RerunOptions): Promise<RerunPreview> {
    return unwrap(options ? api().runs.rerunPreview(id, include, options) : api().runs.rerunPreview(id, include))
  }

  /** Rows of a run not started yet that a recent run of the same trigger on the portal sent. */
  async function overlap(id: string): Promise<RunOverlap | null> {
    return unwrap(api().runs.overlap(id))
  }

  const skipDone = command((id) => api().runs.skipDone(id))

  async function rows(query: RowsQuery): Promise<RowsPage> {
    return unwrap(api().runs.rows(query))
  }

  async function exportRun(id: string, format: 'csv' | 'json'): Promise<{ path: string } | null> {
    return unwrap(api().runs.export(id, format))
  }

  async function openCsv(): Promise<{ path: string; name: string } | null> {
    return unwrap(api().csv.open())
  }

  async function inspect(source: CsvSource, options?: CsvInspectOptions): Promise<CsvInspection> {
    return unwrap(options ? api().csv.inspect(source, options) : api().csv.inspect(source))
  }

  async function validate(req: CreateRunRequest): Promise<ValidationSummary> {
    return unwrap(api().csv.validate(req))
  }

  return {
    summaries,
    loaded,
    progress,
    resumable,
    byId,
    subscribe,
    stop,
    load,
    get,
    create,
    start,
    pause,
    resume,
    cancel,
    rerun,
    rerunPreview,
    overlap,
    skipDone,
    rows,
    exportRun,
    openCsv,
    inspect,
    validate
  }
})
