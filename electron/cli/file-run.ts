// Turns `run --csv FILE ...` into a run the core can start: inspect the file, map its columns
// from the command line, then plan the run exactly as the desktop app does (core's planCsvRun).
import { open } from 'node:fs/promises'
import type { CsvDelimiter, CsvEncoding, OperatingLimits, PlanPreset, Profile, RateLimits, TriggerKind } from '../shared/domain'
import { mixedDelimiters } from '../core/runs/csv-detect'
import { ownerTypeResolver, planCsvRun, type CsvRunPlan } from '../core/runs/csv-run'
import { inspectSpreadsheet } from '../core/runs/spreadsheet'
import type { OwnerTypeCatalog } from '../core/triggers/owner-types'
import { buildMapping, type ColumnOptions } from './csv-columns'
import { openCsvInput, type CsvInputFile } from './csv-input'
import { usageError } from './errors'
import { findOwnerTypeId } from './lookup'

export interface FileRunOptions extends ColumnOptions {
  path: string
  kind: TriggerKind
  code?: string
  ownerType?: string
  verify: boolean
  plan: PlanPreset
  /** With the custom plan (--operating-budget, --burst...): the limits to pace by. */
  rate?: RateLimits
  operating?: OperatingLimits
}

/** Skipped rows described on the terminal (--json gives all the plan has). */
const EXAMPLES_SHOWN = 5

/** A plan, and a hint when the file seems to mix delimiters and none was given. */
export type FileRunPlan = CsvRunPlan & { delimiterHint?: string }

export async function prepareFileRun(profile: Profile, catalog: OwnerTypeCatalog, opts: FileRunOptions): Promise<FileRunPlan> {
  // A pipe (or `-`, standard input) is read once into a private copy, removed once planned.
  const input = await openCsvInput(opts.path)
  try {
    return await planFile(profile, catalog, opts, input)
  } finally {
    await input.dispose()
  }
}

async function planFile(profile: Profile, catalog: OwnerTypeCatalog, opts: FileRunOptions, input: CsvInputFile): Promise<FileRunPlan> {
  const { path } = input
  const inspection = await inspectSpreadsheet(path, {
    resolveOwnerType: ownerTypeResolver(catalog),
    ...(opts.header !== undefined && { hasHeader: opts.header }),
    ...(opts.sheet !== undefined && { sheet: opts.sheet }),
    ...(opts.headerRow !== undefined && { headerRow: opts.headerRow })
  })
  const mapping = buildMapping(opts, inspection, { code: Boolean(opts.code), ownerType: Boolean(opts.ownerType) })
  if (mapping.codeColumn === undefined && !opts.code) throw usageError('Give the trigger code with --code, or a column of codes with --code-column.')
  if (mapping.ownerTypeColumn === undefined && !opts.ownerType) {
    throw usageError('Give the CRM type with --owner-type (e.g. deal or 2), or a column of types with --owner-type-column.')
  }
  const ownerTypeId = opts.ownerType ? findOwnerTypeId(opts.ownerType, catalog) : undefined
  // A workbook has no delimiters to mix up.
  const delimiterHint = opts.delimiter === undefined && inspection.format !== 'xlsx' ? await mixedHint(path, inspection.encoding, inspection.delimiter) : undefined
  const plan = await planCsvRun({
    profile: { id: profile.id, name: profile.name, portalUrl: profile.portalUrl, kind: profile.kind },
    kind: opts.kind,
    source: { name: input.name, input: path, ...(input.sourcePath !== undefined && { path: input.sourcePath }), mapping },
    defaults: { ...(ownerTypeId !== undefined && { ownerTypeId }), ...(opts.code && { code: opts.code }) },
    catalog,
    options: { verify: opts.verify, plan: opts.plan, ...(opts.rate && { rate: opts.rate }), ...(opts.operating && { operating: opts.operating }) }
  })
  return delimiterHint === undefined ? plan : { ...plan, delimiterHint }
}

const HEAD_BYTES = 64 * 1024

/** Mixed delimiters in the file's head, in words that say what to do. */
async function mixedHint(path: string, encoding: CsvEncoding, detected: CsvDelimiter | null): Promise<string | undefined> {
  let text: string
  try {
    const handle = await open(path, 'r')
    try {
      const buf = Buffer.alloc(HEAD_BYTES)
      const { bytesRead } = await handle.read(buf, 0, HEAD_BYTES, 0)
      text = new TextDecoder(encoding).decode(buf.subarray(0, bytesRead)).replace(/\r\n?/g, '\n')
    } finally {
      await handle.close()
    }
  } catch {
    return undefined
  }
  const mixed = mixedDelimiters(text, detected)
  if (!mixed) return undefined
  const shown = mixed.map((d) => (d === '\t' ? 'tab' : `"${d}"`)).join(' and ')
  return `The file mixes delimiters (${shown} on different lines). Pass the right one with --delimiter (e.g. --delimiter ";"), or save the file again with one delimiter.`
}

export function validationLines(plan: FileRunPlan): string[] {
  const { total, valid, skipped, examples } = plan.validation
  const lines = [`${total} rows: ${valid} to send, ${total - valid} skipped.`]
  if (plan.delimiterHint) lines.push(`Hint: ${plan.delimiterHint}`)
  for (const [reason, count] of Object.entries(skipped)) lines.push(`  skipped, ${reason}: ${count}`)
  if (examples.length) lines.push('  for example:')
  for (const ex of examples.slice(0, EXAMPLES_SHOWN)) lines.push(`    line ${ex.line}: ${ex.detail}`)
  return lines
}
