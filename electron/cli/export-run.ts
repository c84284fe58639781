// `runs export`: every row of a run with its outcome, beside the source file's own columns when
// that file is still there and unchanged (the journal keeps IDs and outcomes, not the columns).
import type { LoadedRun, RowRecord } from '../core/runs'
import { CsvImportError } from '../core/runs/csv-errors'
import { exportResults, type ExportFormat, type ExportOptions, type ExportRow } from '../core/runs/export'

export interface ExportReport {
  rows: number
  /** Why the source columns are missing from the file, when they are. */
  withoutSource?: string
}

function* exportRows(loaded: LoadedRun): Generator<ExportRow> {
  const { table } = loaded.replay
  for (let r = 0; r < table.rowsLoaded; r++) yield exportRow(table.record(r))
}

function exportRow(rec: RowRecord): ExportRow {
  const row: ExportRow = {
    line: rec.line,
    ownerTypeId: rec.ownerTypeId,
    ownerId: rec.ownerId,
    code: rec.code,
    // A paused run's unsent rows: not run (yet).
    outcome: rec.outcome === 'pending' ? 'not-run' : rec.outcome,
    attempts: rec.attempts
  }
  if (rec.verdict !== 'valid') row.errorCode = rec.verdict
  if (rec.error) {
    row.errorCode = rec.error.code
    row.errorText = rec.error.description
  }
  if (rec.verification) row.verification = rec.verification
  if (rec.finishedAt) row.finishedAt = new Date(rec.finishedAt).toISOString()
  return row
}

export async function exportRun(loaded: LoadedRun, format: ExportFormat, out: string): Promise<ExportReport> {
  const { path, layout } = loaded.meta.source
  const options: ExportOptions = path && layout ? { source: { input: path, layout } } : {}
  try {
    return await exportResults(exportRows(loaded), format, out, options)
  } catch (err) {
    // A moved or edited source file must not cost the results: export them without its columns.
    if (!options.source || !(err instanceof CsvImportError) || !['unreadable', 'source-changed'].includes(err.code)) throw err
    const written = await exportResults(exportRows(loaded), format, out)
    return { ...written, withoutSource: err.message }
  }
}
