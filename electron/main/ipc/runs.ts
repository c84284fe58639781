// runs.*: batch runs over the run manager (electron/core/runs). Progress goes to the renderer as
// 'runs.progress' events (the manager throttles them). Runs left 'running' by a crash are listed
// as interrupted from their journal; resuming one turns its unanswered rows into `uncertain`.
import type { RunProgressEvent, RunSummaryView } from '../../shared/ipc'
import { createRunManager, type RunManager } from '../../core/runs'
import type { CoreContext } from './context'
import type { CsvWiring } from './csv'
import type { HandlerMap, IpcDeps } from './types'

type RunChannels =
  | 'runs.create'
  | 'runs.start'
  | 'runs.pause'
  | 'runs.resume'
  | 'runs.cancel'
  | 'runs.list'
  | 'runs.get'
  | 'runs.rows'
  | 'runs.rerun'
  | 'runs.export'
  | 'runs.rerunPreview'
  | 'runs.overlap'
  | 'runs.skipDone'

export interface RunWiring {
  handlers: HandlerMap<RunChannels>
  /** The run manager, for the CRM-source and preview handlers (crm.ts). */
  manager: RunManager
  /** Starts or resumes a run with progress events and the run-ended notification. */
  launch(runId: string, how: 'start' | 'resume'): Promise<RunSummaryView>
  ready: Promise<void>
  close(): Promise<void>
  /** Runs sending right now (the quit guard asks before stopping them). */
  runningRuns(): number
}

function exportName(run: RunSummaryView, format: 'csv' | 'json'): string {
  const base = run.sourceName.replace(/\.[^.]*$/, '').replace(/[^\p{L}\p{N}._-]+/gu, '_').slice(0, 60) || 'run'
  return `${base}-results-${run.id}.${format}`
}

export function createRunWiring<E>(ctx: CoreContext, deps: IpcDeps<E>, csv: CsvWiring): RunWiring {
  const manager = createRunManager({ dataDir: deps.dataDir, clientFor: (profileId) => ctx.profiles.clientFor(profileId) })
  const onProgress = { onProgress: (event: RunProgressEvent) => deps.emit('runs.progress', event) }

  const launched = new Set<string>()

  async function launch(runId: string, how: 'start' | 'resume'): Promise<RunSummaryView> {
    const handle = await manager[how](runId, onProgress)
    launched.add(runId)
    handle.done.then(
      (ended) => deps.runEnded?.(ended),
      (err: unknown) => deps.logger?.error(`run ${runId} stopped with an error`, err)
    )
    return manager.get(runId)
  }

  // Start-up: read every run once, so a run that was running when the app died is listed as
  // interrupted (its journal says so) and its summary cache is rebuilt.
  const ready = manager.list().then((runs) => {
    const interrupted = runs.filter((r) => r.status === 'interrupted').length
    if (interrupted) deps.logger?.info(`${interrupted} interrupted run(s) can be resumed`)
  })

  return {
    ready,
    manager,
    launch,
    close: () => manager.close(),
    runningRuns() {
      for (const id of launched) if (!manager.isRunning(id)) launched.delete(id)
      return launched.size
    },
    handlers: {
      'runs.create': async (req) => manager.createRun((await csv.plan(req)).spec),
      'runs.start': (runId) => launch(runId, 'start'),
      'runs.resume': (runId) => launch(runId, 'resume'),
      'runs.pause': (runId) => manager.pause(runId),
      'runs.cancel': (runId) => manager.cancel(runId),
      'runs.list': () => manager.list(),
      'runs.get': (runId) => manager.get(runId),
      'runs.rows': (query) => manager.rows(query),
      'runs.rerun': (runId, include, options) => manager.rerun(runId, include, options),
      'runs.rerunPreview': (runId, include, options) => manager.rerunPreview(runId, include, options),
      'runs.overlap': async (runId) => (await manager.overlap(runId)) ?? null,
      'runs.skipDone': (runId) => manager.skipDone(runId),
      async 'runs.export'(runId, format) {
        const path = await deps.dialogs.saveExport(exportName(await manager.get(runId), format))
        if (!path) return null
        const written = await manager.export(runId, format, path)
        if (written.withoutSource) deps.logger?.info(`run ${runId}: exported without the source file's columns: ${written.withoutSource}`)
        return { path }
      }
    }
  }
}
