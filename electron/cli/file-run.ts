// Turns `run --csv FILE ...` into a run the core can start: inspect the file, map its columns
// from the command line, then plan the run exactly as the desktop app does (core's planCsvRun).
import type { PlanPreset, Profile, TriggerKind } from '../shared/domain'
import { ownerTypeResolver, planCsvRun, type CsvRunPlan } from '../core/runs/csv-run'
import { inspectCsv } from '../core/runs/csv-inspect'
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
}

/** Skipped rows described on the terminal (--json gives all the plan has). */
const EXAMPLES_SHOWN = 5

export async function prepareFileRun(profile: Profile, catalog: OwnerTypeCatalog, opts: FileRunOptions): Promise<CsvRunPlan> {
  // A pipe (or `-`, standard input) is read once into a private copy, removed once planned.
  const input = await openCsvInput(opts.path)
  try {
    return await planFile(profile, catalog, opts, input)
  } finally {
    await input.dispose()
  }
}

async function planFile(profile: Profile, catalog: OwnerTypeCatalog, opts: FileRunOptions, input: CsvInputFile): Promise<CsvRunPlan> {
  const { path } = input
  const inspection = await inspectCsv(path, {
    resolveOwnerType: ownerTypeResolver(catalog),
    ...(opts.header !== undefined && { hasHeader: opts.header })
  })
  const mapping = buildMapping(opts, inspection, { code: Boolean(opts.code), ownerType: Boolean(opts.ownerType) })
  if (mapping.codeColumn === undefined && !opts.code) throw usageError('Give the trigger code with --code, or a column of codes with --code-column.')
  if (mapping.ownerTypeColumn === undefined && !opts.ownerType) {
    throw usageError('Give the CRM type with --owner-type (e.g. deal or 2), or a column of types with --owner-type-column.')
  }
  const ownerTypeId = opts.ownerType ? findOwnerTypeId(opts.ownerType, catalog) : undefined
  return planCsvRun({
    profile: { id: profile.id, name: profile.name, portalUrl: profile.portalUrl, kind: profile.kind },
    kind: opts.kind,
    source: { name: input.name, input: path, ...(input.sourcePath !== undefined && { path: input.sourcePath }), mapping },
    defaults: { ...(ownerTypeId !== undefined && { ownerTypeId }), ...(opts.code && { code: opts.code }) },
    catalog,
    options: { verify: opts.verify, plan: opts.plan }
  })
}

export function validationLines(plan: CsvRunPlan): string[] {
  const { total, valid, skipped, examples } = plan.validation
  const lines = [`${total} rows: ${valid} to send, ${total - valid} skipped.`]
  for (const [reason, count] of Object.entries(skipped)) lines.push(`  skipped, ${reason}: ${count}`)
  if (examples.length) lines.push('  for example:')
  for (const ex of examples.slice(0, EXAMPLES_SHOWN)) lines.push(`    line ${ex.line}: ${ex.detail}`)
  return lines
}
