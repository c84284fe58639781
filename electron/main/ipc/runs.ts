// runs.*: batch runs over the run manager (electron/core/runs). Progress goes to the renderer as
// 'runs.progress' events (the manager throttles them). Runs left 'running' by a crash are listed
// as interrupted from their journal; resuming one turns its unanswered rows into `uncertain`.
import type { RunProgressEvent, RunSummaryView } from '../../shared/ipc'
import { createRunManager, type RunMeta, type RunSpec } from '../../core/runs'
import type { CoreContext } from './context'
import type { CsvWiring } from './csv'
import type { HandlerMap, IpcDeps } from './types'

type RunChannels = 'runs.create' | 'runs.start' | 'runs.pause' | 'runs.resume' | 'runs.cancel' | 'runs.list' | 'runs.get' | 'runs.rows' | 'runs.rerun' | 'runs.export'

export interface RunWiring {
  handlers: HandlerMap<RunChannels>
  ready: Promise<void>
  close(): Promise<void>
}

/** Owner types the built-in list knows; webhook triggers on others need their symbol stored. */
const BUILT_IN_TYPES = new Set([1, 2, 3, 4, 5, 6, 7, 8, 14, 31, 36, 39])

function exportName(meta: RunMeta, format: 'csv' | 'json'): string {
  const base = meta.source.name.replace(/\.[^.]*$/, '').replace(/[^\p{L}\p{N}._-]+/gu, '_').slice(0, 60) || 'run'
  return `${base}-results-${meta.id}.${format}`
}

export function createRunWiring<E>(ctx: CoreContext, deps: IpcDeps<E>, csv: CsvWiring): RunWiring {
  const manager = createRunManager({ dataDir: deps.dataDir, clientFor: (profileId) => ctx.profiles.clientFor(profileId) })
  const onProgress = { onProgress: (event: RunProgressEvent) => deps.emit('runs.progress', event) }

  async function launch(runId: string, how: 'start' | 'resume'): Promise<RunSummaryView> {
    const handle = await manager[how](runId, onProgress)
    handle.done.catch((err: unknown) => deps.logger?.error(`run ${runId} stopped with an error`, err))
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
    close: () => manager.close(),
    handlers: {
      async 'runs.create'(req) {
        const profile = await ctx.profiles.get(req.profileId)
        const { result, name, path, catalog } = await csv.importRows(req)
        const spec: RunSpec = {
          profile: { id: profile.id, name: profile.name, portalUrl: profile.portalUrl, kind: profile.kind },
          trigger: { kind: req.kind, ...(req.code !== undefined ? { code: req.code } : {}) },
          source: {
            name,
            ...(path ? { path } : {}),
            ...('pasted' in req.source ? {} : { mapping: { ...req.mapping, delimiter: result.summary.source?.delimiter ?? null } }),
            ...(result.summary.source ? { layout: result.summary.source } : {})
          },
          options: {
            verify: req.options.verify,
            plan: req.options.plan,
            ...(req.options.plan === 'custom' && req.options.rate ? { rate: req.options.rate } : {}),
            ...(req.options.plan === 'custom' && req.options.operating ? { operating: req.options.operating } : {}),
            ...(req.options.maxAttempts !== undefined ? { maxAttempts: req.options.maxAttempts } : {})
          },
          rows: result.rows
        }
        if (req.ownerTypeId !== undefined) spec.defaultOwnerTypeId = req.ownerTypeId
        if (req.kind === 'webhook') {
          const symbols = catalog.types.filter((t) => !BUILT_IN_TYPES.has(t.id)).map((t) => [t.id, t.symbol] as const)
          if (symbols.length) spec.ownerSymbols = Object.fromEntries(symbols)
        }
        return manager.createRun(spec)
      },
      'runs.start': (runId) => launch(runId, 'start'),
      'runs.resume': (runId) => launch(runId, 'resume'),
      'runs.pause': (runId) => manager.pause(runId),
      'runs.cancel': (runId) => manager.cancel(runId),
      'runs.list': () => manager.list(),
      'runs.get': (runId) => manager.get(runId),
      'runs.rows': (query) => manager.rows(query),
      'runs.rerun': (runId, include) => manager.rerun(runId, include),
      async 'runs.export'(runId, format) {
        const { meta } = await manager.load(runId)
        const path = await deps.dialogs.saveExport(exportName(meta, format))
        if (!path) return null
        const written = await manager.export(runId, format, path)
        if (!written.sourceColumns && meta.source.path) deps.logger?.info(`run ${runId}: the source file changed or is gone; exported without its columns`)
        return { path }
      }
    }
  }
}
