// A run's rows as people see them: a page for the results table (the app, `runs show`) and every
// row for the export. Both say why a row is where it is in the same words: the portal's error,
// the importer's skip reason with the offending value, or "not sent yet".
import type { RowsPage, RowsQuery, RunRowView } from '../../shared/ipc'
import { plainMessage } from '../bitrix/plain-message'
import { verdictText } from './csv-verdicts'
import type { ExportRow } from './export'
import type { RowRecord, RowTable } from './row-table'

const NOT_SENT_YET = 'Not sent yet: the run is paused or was interrupted.'

/** One page of a run's rows for the table view, filtered by outcome and a search text. */
export function pageRows(table: RowTable, query: RowsQuery): RowsPage {
  const needle = query.search?.trim().toLowerCase() ?? ''
  const rows: RunRowView[] = []
  let total = 0
  for (let r = 0; r < table.rowsLoaded; r++) {
    if (query.outcome && table.outcomeOf(r) !== query.outcome) continue
    if (needle && !searchText(table, r).includes(needle)) continue
    if (total >= query.offset && rows.length < query.limit) rows.push(rowView(table, r))
    total++
  }
  return { total, rows }
}

function searchText(table: RowTable, r: number): string {
  const error = table.errorOf(r)
  const verdict = table.verdictOf(r)
  const cell = verdict === 'valid' ? '' : (table.sourceValueOf(r) ?? '')
  return `${table.ownerId[r]} ${cell} ${table.line[r]} ${table.code(r)} ${verdict} ${error?.code ?? ''} ${error?.description ?? ''}`.toLowerCase()
}

function rowView(table: RowTable, r: number): RunRowView {
  const rec = table.record(r)
  const view: RunRowView = {
    index: r,
    line: rec.line,
    ownerTypeId: rec.ownerTypeId,
    ownerId: rec.ownerId,
    code: rec.code,
    outcome: rec.outcome,
    attempts: rec.attempts,
    ...reasonOf(table, rec)
  }
  if (rec.sourceValue !== undefined) view.sourceValue = rec.sourceValue
  if (rec.verification) view.verification = rec.verification
  if (rec.finishedAt) view.finishedAt = new Date(rec.finishedAt).toISOString()
  return view
}

/** The table as export rows, in file order. Rows not sent yet (a paused run) export as not-run. */
export function* exportRows(table: RowTable): Generator<ExportRow> {
  for (let r = 0; r < table.rowsLoaded; r++) {
    const rec = table.record(r)
    const row: ExportRow = {
      line: rec.line,
      ownerTypeId: rec.ownerTypeId,
      ownerId: rec.ownerId,
      code: rec.code,
      outcome: rec.outcome === 'pending' ? 'not-run' : rec.outcome,
      attempts: rec.attempts,
      ...(rec.outcome === 'pending' ? { errorCode: 'pending', errorText: NOT_SENT_YET } : reasonOf(table, rec))
    }
    if (rec.sourceValue !== undefined) row.sourceValue = rec.sourceValue
    if (rec.verification) row.verification = rec.verification
    if (rec.startedAt) row.startedAt = new Date(rec.startedAt).toISOString()
    if (rec.finishedAt) row.finishedAt = new Date(rec.finishedAt).toISOString()
    yield row
  }
}

/** The code and words for a row that did not simply succeed. */
function reasonOf(table: RowTable, rec: RowRecord): { errorCode?: string; errorText?: string } {
  if (rec.error) return { errorCode: rec.error.code, errorText: rec.error.description || plainMessage(rec.error) }
  if (rec.verdict !== 'valid') return { errorCode: rec.verdict, errorText: verdictText(table.importedRow(rec.index)) }
  return {}
}
