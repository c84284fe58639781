// csv.*: the open dialog, the preview of a file's head, and the pre-flight check that gives
// every row a verdict (core's planCsvRun, as the CLI uses it). Files arrive three ways: a path
// the user picked in main's own dialog, bytes the page read from a dropped or chosen file, or
// pasted text. A path is accepted only if the dialog returned it: a compromised page must not
// be able to read any file on the disk.
import { basename } from 'node:path'
import type { CsvColumnMapping, CsvDelimiter } from '../../shared/domain'
import type { CreateRunRequest, CsvInspection, CsvMapping, CsvSource } from '../../shared/ipc'
import { planCsvRun, ownerTypeResolver, type CsvRunPlan, type CsvRunSource } from '../../core/runs/csv-run'
import { inspectSpreadsheet } from '../../core/runs/spreadsheet'
import type { CsvInput } from '../../core/runs/csv-source'
import { STATIC_CATALOG } from '../../core/triggers/owner-types'
import type { CoreContext } from './context'
import { IpcRefusal } from './errors'
import type { HandlerMap, IpcDeps } from './types'

type CsvChannels = 'csv.open' | 'csv.inspect' | 'csv.validate'

export const PASTED_SOURCE_NAME = 'pasted list'

export interface CsvWiring {
  handlers: HandlerMap<CsvChannels>
  /** Reads and judges every row of a run request, as csv.validate and runs.create both need. */
  plan(req: CreateRunRequest): Promise<CsvRunPlan>
}

function columnMapping(m: CsvMapping): CsvColumnMapping {
  const mapping: CsvColumnMapping = { idColumn: m.idColumn, hasHeader: m.hasHeader }
  if (m.ownerTypeColumn !== undefined) mapping.ownerTypeColumn = m.ownerTypeColumn
  if (m.codeColumn !== undefined) mapping.codeColumn = m.codeColumn
  // "" is the contract's "no separator" (one column); core refuses a separator it does not know.
  if (m.delimiter !== undefined) mapping.delimiter = m.delimiter === '' ? null : (m.delimiter as CsvDelimiter)
  if (m.sheet !== undefined) mapping.sheet = m.sheet
  if (m.headerRow !== undefined) mapping.headerRow = m.headerRow
  return mapping
}

export function createCsvWiring<E>(ctx: CoreContext, deps: IpcDeps<E>): CsvWiring {
  const picked = new Set<string>()

  function resolve(source: Exclude<CsvSource, { pasted: true }>): { name: string; input: CsvInput; path?: string } {
    if ('path' in source) {
      if (!picked.has(source.path)) throw new IpcRefusal('NOT_ALLOWED', 'Open the file with the Open CSV button first.')
      return { name: basename(source.path), input: source.path, path: source.path }
    }
    return { name: source.name, input: source.bytes }
  }

  function runSource(req: CreateRunRequest): CsvRunSource {
    if ('pasted' in req.source) return { name: req.source.name || PASTED_SOURCE_NAME, pasted: req.source.text }
    return { ...resolve(req.source), mapping: columnMapping(req.mapping) }
  }

  async function plan(req: CreateRunRequest): Promise<CsvRunPlan> {
    const profile = await ctx.profiles.get(req.profileId)
    return planCsvRun({
      profile: { id: profile.id, name: profile.name, portalUrl: profile.portalUrl, kind: profile.kind },
      kind: req.kind,
      source: runSource(req),
      defaults: { ...(req.code !== undefined && { code: req.code }), ...(req.ownerTypeId !== undefined && { ownerTypeId: req.ownerTypeId }) },
      catalog: await ctx.ownerTypes(req.profileId),
      options: req.options
    })
  }

  return {
    plan,
    handlers: {
      async 'csv.open'() {
        const file = await deps.dialogs.openCsv()
        if (file) picked.add(file.path)
        return file
      },
      async 'csv.inspect'(source, options): Promise<CsvInspection> {
        const resolved = 'pasted' in source ? { name: source.name || PASTED_SOURCE_NAME, input: new TextEncoder().encode(source.text) } : resolve(source)
        // No profile is chosen yet: the built-in types are enough to spot a column of CRM types.
        const seen = await inspectSpreadsheet(resolved.input, {
          resolveOwnerType: ownerTypeResolver(STATIC_CATALOG),
          ...(options?.sheet !== undefined && { sheet: options.sheet }),
          ...(options?.headerRow !== undefined && { headerRow: options.headerRow })
        })
        const inspection: CsvInspection = {
          sourceName: resolved.name,
          encoding: seen.encoding,
          delimiter: seen.delimiter ?? '',
          hasHeader: seen.hasHeader,
          columns: seen.columns,
          previewRows: seen.previewRows,
          previewLines: seen.previewLines,
          suggested: seen.suggested
        }
        if (seen.totalRowsEstimate !== undefined) inspection.totalRowsEstimate = seen.totalRowsEstimate
        if (seen.format === 'xlsx') {
          inspection.format = 'xlsx'
          if (seen.sheets) inspection.sheets = seen.sheets
          if (seen.sheet !== undefined) inspection.sheet = seen.sheet
          if (seen.headerRow !== undefined) inspection.headerRow = seen.headerRow
        }
        return inspection
      },
      'csv.validate': async (req) => (await plan(req)).validation
    }
  }
}
