// csv.*: the open dialog, the preview of a file's head, and the pre-flight check that gives
// every row a verdict. Files arrive three ways: a path the user picked in main's own dialog,
// bytes the page read from a dropped or chosen file, or pasted text. A path is accepted only if
// the dialog returned it: a compromised page must not be able to read any file on the disk.
import { basename } from 'node:path'
import type { CsvColumnMapping, CsvDelimiter, ImportDefaults } from '../../shared/domain'
import { CSV_DELIMITERS } from '../../shared/domain'
import type { CreateRunRequest, CsvInspection, CsvMapping, CsvSource, ValidationSummary } from '../../shared/ipc'
import { importCsv, parsePastedIds, type ImportResult } from '../../core/runs/csv-import'
import { inspectCsv } from '../../core/runs/csv-inspect'
import type { CsvInput } from '../../core/runs/csv-source'
import { verdictText } from '../../core/runs/csv-verdicts'
import { isPossibleSpaId, resolveOwnerType, type OwnerTypeCatalog } from '../../core/triggers/owner-types'
import type { CoreContext } from './context'
import { IpcRefusal } from './errors'
import type { HandlerMap, IpcDeps } from './types'

type CsvChannels = 'csv.open' | 'csv.inspect' | 'csv.validate'

/** Rows of each kind of problem shown in the pre-flight preview. */
const EXAMPLES = 20
export const PASTED_SOURCE_NAME = 'pasted list'

interface ResolvedSource {
  name: string
  input: CsvInput
  /** Set for files on disk: the export reads their columns again. */
  path?: string
}

export interface ImportedSource {
  result: ImportResult
  name: string
  path?: string
  catalog: OwnerTypeCatalog
}

export interface CsvWiring {
  handlers: HandlerMap<CsvChannels>
  /** Reads and judges every row of a run request, as csv.validate and runs.create both need. */
  importRows(req: CreateRunRequest): Promise<ImportedSource>
}

function ownerTypeResolver(catalog: OwnerTypeCatalog): (raw: string) => number | undefined {
  return (raw) => {
    const found = resolveOwnerType(raw, catalog.types)
    if (found) return found.id
    // Offline, smart-process ids cannot be listed; accept what can only be one.
    const text = raw.trim()
    return catalog.source === 'static' && /^\d+$/.test(text) && isPossibleSpaId(Number(text)) ? Number(text) : undefined
  }
}

function columnMapping(m: CsvMapping): CsvColumnMapping {
  const mapping: CsvColumnMapping = { idColumn: m.idColumn, hasHeader: m.hasHeader }
  if (m.ownerTypeColumn !== undefined) mapping.ownerTypeColumn = m.ownerTypeColumn
  if (m.codeColumn !== undefined) mapping.codeColumn = m.codeColumn
  if (m.delimiter !== undefined) {
    if (m.delimiter !== '' && !(CSV_DELIMITERS as readonly string[]).includes(m.delimiter)) {
      throw new IpcRefusal('VALIDATION', 'The separator must be ";", tab, "," or "|".')
    }
    mapping.delimiter = m.delimiter === '' ? null : (m.delimiter as CsvDelimiter)
  }
  return mapping
}

export function createCsvWiring<E>(ctx: CoreContext, deps: IpcDeps<E>): CsvWiring {
  const picked = new Set<string>()

  function resolve(source: CsvSource): ResolvedSource {
    if ('path' in source) {
      if (!picked.has(source.path)) throw new IpcRefusal('NOT_ALLOWED', 'Open the file with the Open CSV button first.')
      return { name: basename(source.path), input: source.path, path: source.path }
    }
    if ('bytes' in source) return { name: source.name, input: source.bytes }
    return { name: source.name || PASTED_SOURCE_NAME, input: new TextEncoder().encode(source.text) }
  }

  async function importRows(req: CreateRunRequest): Promise<ImportedSource> {
    const catalog = await ctx.ownerTypes(req.profileId)
    const defaults: ImportDefaults = {}
    if (req.code !== undefined) defaults.code = req.code
    if (req.ownerTypeId !== undefined) defaults.ownerTypeId = req.ownerTypeId
    if ('pasted' in req.source) {
      return { result: parsePastedIds(req.source.text, defaults), name: req.source.name || PASTED_SOURCE_NAME, catalog }
    }
    const source = resolve(req.source)
    const result = await importCsv(source.input, columnMapping(req.mapping), defaults, { resolveOwnerType: ownerTypeResolver(catalog) })
    return { result, name: source.name, ...(source.path ? { path: source.path } : {}), catalog }
  }

  return {
    importRows,
    handlers: {
      async 'csv.open'() {
        const file = await deps.dialogs.openCsv()
        if (file) picked.add(file.path)
        return file
      },
      async 'csv.inspect'(source): Promise<CsvInspection> {
        const resolved = resolve(source)
        const seen = await inspectCsv(resolved.input)
        return {
          sourceName: resolved.name,
          encoding: seen.encoding,
          delimiter: seen.delimiter ?? '',
          hasHeader: seen.hasHeader,
          columns: seen.columns,
          previewRows: seen.previewRows,
          suggested: seen.suggested
        }
      },
      async 'csv.validate'(req): Promise<ValidationSummary> {
        const { result } = await importRows(req)
        const { summary, rows } = result
        const skipped = Object.fromEntries(Object.entries(summary.byReason).filter(([, n]) => n > 0))
        const examples: ValidationSummary['examples'] = []
        for (const row of rows) {
          if (row.verdict === 'valid') continue
          examples.push({ line: row.line, reason: row.verdict, detail: verdictText(row) })
          if (examples.length === EXAMPLES) break
        }
        return { total: summary.total, valid: summary.valid, skipped, examples }
      }
    }
  }
}
