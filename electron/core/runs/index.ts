// Public API of runs: what the Electron main process, the CLI and the tests call.
//
//   const runs = createRunManager({ dataDir, clientFor: (profileId) => BitrixClient })
//   const { spec, validation } = await planCsvRun({ profile, kind, source, defaults, catalog, options })  // csv-run.ts
//   const view = await runs.createRun(spec)
//   const { done } = await runs.start(view.id, { onProgress })   // ≤ 10 progress events per second
//   await runs.pause(id) / runs.resume(id, { onProgress }) / runs.cancel(id)
//   await runs.list() / runs.get(id) / runs.rows({ runId, offset, limit, outcome?, search? })
//   await runs.rerun(id, 'failed' | 'failed+uncertain')          // a new run whose parent is id
//   await runs.export(id, 'csv' | 'json', path)                  // with the source file's columns when unchanged
//   const { meta, replay: { table } } = await runs.load(id)      // everything
//
// A run lives in `<dataDir>/runs/<runId>/` (run.json + journal.jsonl, see journal.ts); it
// survives crashes: rows sent without an answer become uncertain and are never re-sent.
export { createRunManager, RunStateError } from './run-manager'
export type { ExportReport } from './run-manager'
export { pageRows } from './row-views'
export type { RunHandle, RunManager, RunManagerOptions, StartOptions } from './run-manager'
export type { RunHooks, SessionEnd } from './runner'
export { listRuns, loadRun, RunLockedError, RunNotFoundError, runDir, type LoadedRun } from './run-store'
export { DEFAULT_SETTINGS } from './run-types'
export type { PlannedRow, RunMeta, RunProfileRef, RunSettings, RunSource, RunSpec } from './run-types'
export type { RowRecord, RowTable } from './row-table'
export { INTERRUPTED } from './journal'
