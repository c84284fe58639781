// Plans a run from a CSV source (a file, its bytes, or a pasted list of IDs), the user's column
// mapping and defaults, and the portal's owner types: every row judged by the same import, the
// run spec ready for createRun, and the pre-flight summary. The desktop app and the CLI both
// plan through here, so a file gets the same verdicts, texts and run settings in either.
import type { CsvColumnMapping, ImportDefaults, ImportSummary, TriggerKind } from '../../shared/domain'
import type { RunOptions, SkipGroup, ValidationSummary } from '../../shared/ipc'
import { STATIC_OWNER_TYPES, type OwnerTypeCatalog } from '../triggers/owner-types'
import { checkOwnerType, hasErrors } from '../triggers/validation'
import { CsvImportError } from './csv-errors'
import { parsePastedIds, type ImportResult } from './csv-import'
import { importSpreadsheet } from './spreadsheet'
import type { CsvInput } from './csv-source'
import { verdictText, type OwnerTypeResolver } from './csv-verdicts'
import type { RunProfileRef, RunSettings, RunSpec } from './run-types'

export type CsvRunSource =
  /** A file on disk (`input` is its path; the export re-reads its columns) or its bytes. */
  | { name: string; input: CsvInput; path?: string; mapping: CsvColumnMapping }
  /** IDs typed or pasted: separated by line breaks, commas, semicolons or spaces. */
  | { name: string; pasted: string }

export interface CsvRunRequest {
  profile: RunProfileRef
  kind: TriggerKind
  source: CsvRunSource
  /** For rows without an owner-type or code column, or with an empty cell there. */
  defaults: ImportDefaults
  /** The portal's owner types (or the built-in list offline): which types a row may name. */
  catalog: OwnerTypeCatalog
  options: RunOptions
}

export interface CsvRunPlan {
  /** Ready for RunManager.createRun. */
  spec: RunSpec
  summary: ImportSummary
  validation: ValidationSummary
}

/** Skipped rows described in the pre-flight summary. */
export const VALIDATION_EXAMPLES = 20

/** A row's owner type must be one a trigger can act on: for any other the portal answers true
 * and does nothing, so such rows are skipped with their own reason. */
export function ownerTypeResolver(catalog: OwnerTypeCatalog): OwnerTypeResolver {
  return (raw) => {
    const checked = checkOwnerType(raw, catalog)
    if (!hasErrors(checked.issues)) return checked.id
    return checked.type ? { unsupported: checked.type.id } : undefined
  }
}

export async function planCsvRun(req: CsvRunRequest): Promise<CsvRunPlan> {
  checkDefaultOwnerType(req.defaults, req.catalog)
  const { source } = req
  let result: ImportResult
  let mapping: CsvColumnMapping | undefined
  if ('pasted' in source) {
    result = parsePastedIds(source.pasted, req.defaults)
  } else {
    result = await importSpreadsheet(source.input, source.mapping, req.defaults, { resolveOwnerType: ownerTypeResolver(req.catalog) })
    // As read: a resumed or exported run must not guess the separator again.
    mapping = { ...source.mapping, delimiter: result.summary.source?.delimiter ?? null }
  }
  const spec: RunSpec = {
    profile: req.profile,
    trigger: { kind: req.kind, ...(req.defaults.code !== undefined && { code: req.defaults.code }) },
    source: {
      name: source.name,
      ...('path' in source && source.path !== undefined && { path: source.path }),
      ...(mapping && { mapping }),
      ...(result.summary.source && { layout: result.summary.source })
    },
    options: runSettings(req.options),
    rows: result.rows
  }
  if (req.defaults.ownerTypeId !== undefined) spec.defaultOwnerTypeId = req.defaults.ownerTypeId
  if (req.kind === 'webhook') {
    // Webhook triggers name the type by symbol (DEAL_57): the run keeps those the built-in list lacks.
    const builtIn = new Set(STATIC_OWNER_TYPES.map((t) => t.id))
    const symbols = req.catalog.types.filter((t) => !builtIn.has(t.id)).map((t) => [t.id, t.symbol] as const)
    if (symbols.length) spec.ownerSymbols = Object.fromEntries(symbols)
  }
  return { spec, summary: result.summary, validation: validationSummary(result) }
}

/** Line ranges listed per skip reason; past it, the group only counts the rest. Enough for any
 * file an admin fixes by hand, bounded for a million broken rows. */
export const GROUP_RANGES = 5_000

/** Counts per skip reason and the first skipped rows, with the offending value; the same grouped
 * by reason, with every line of each reason (as ranges) and examples of each. */
export function validationSummary(result: ImportResult, examples = VALIDATION_EXAMPLES): ValidationSummary {
  const { summary, rows } = result
  const out: ValidationSummary = {
    total: summary.total,
    valid: summary.valid,
    skipped: Object.fromEntries(Object.entries(summary.byReason).filter(([, n]) => n > 0)),
    examples: []
  }
  if (summary.blankLines) out.blankLines = summary.blankLines
  if (summary.header !== undefined) out.header = summary.header
  const groups = new Map<string, SkipGroup>()
  for (const row of rows) {
    if (row.verdict === 'valid') continue
    const value = row.raw ?? row.idCell
    const example = { line: row.line, detail: verdictText(row), ...(value !== undefined && { value }) }
    if (out.examples.length < examples) out.examples.push({ ...example, reason: row.verdict })
    let group = groups.get(row.verdict)
    if (!group) groups.set(row.verdict, (group = { reason: row.verdict, count: 0, ranges: [], unlisted: 0, examples: [] }))
    group.count++
    if (group.examples.length < examples) group.examples.push(example)
    const lastRange = group.ranges[group.ranges.length - 1]
    // Pasted lists may hold several IDs on one line: the line is listed once.
    if (lastRange && (row.line === lastRange[1] || row.line === lastRange[1] + 1)) lastRange[1] = row.line
    else if (group.ranges.length < GROUP_RANGES) group.ranges.push([row.line, row.line])
    else group.unlisted++
  }
  out.groups = [...groups.values()].sort((a, b) => b.count - a.count)
  return out
}

function checkDefaultOwnerType(defaults: ImportDefaults, catalog: OwnerTypeCatalog): void {
  if (defaults.ownerTypeId === undefined) return
  const checked = checkOwnerType(defaults.ownerTypeId, catalog)
  const error = checked.issues.find((i) => i.severity === 'error')
  if (error) throw new CsvImportError('bad-default', `The default owner type cannot be used: ${error.message}`)
}

/** The run's settings from the options the user chose; custom limits only with the custom plan. */
function runSettings(options: RunOptions): Partial<RunSettings> {
  const custom = options.plan === 'custom'
  return {
    verify: options.verify,
    plan: options.plan,
    ...(custom && options.rate && { rate: options.rate }),
    ...(custom && options.operating && { operating: options.operating }),
    ...(options.maxAttempts !== undefined && { maxAttempts: options.maxAttempts })
  }
}
