// Turns `run --csv FILE ...` into a run the core can start: inspect the file, map its columns
// from the command line, then plan the run exactly as the desktop app does (core's planCsvRun).
import { basename, resolve } from 'node:path'
import type { PlanPreset, Profile, TriggerKind } from '../shared/domain'
import { ownerTypeResolver, planCsvRun, type CsvRunPlan } from '../core/runs/csv-run'
import { inspectSpreadsheet } from '../core/runs/spreadsheet'
import type { OwnerTypeCatalog } from '../core/triggers/owner-types'
import { buildMapping, type ColumnOptions } from './csv-columns'
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
  const path = resolve(opts.path)
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
  return planCsvRun({
    profile: { id: profile.id, name: profile.name, portalUrl: profile.portalUrl, kind: profile.kind },
    kind: opts.kind,
    source: { name: basename(path), input: path, path, mapping },
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
