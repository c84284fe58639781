// Turns `run --csv FILE ...` into a run the core can start: inspect the file, map its columns,
// judge every row (the same import the desktop app uses), and describe the result.
import { basename, resolve } from 'node:path'
import type { ImportSummary, PlanPreset, Profile, TriggerKind } from '../shared/domain'
import type { RunSpec } from '../core/runs'
import { importCsv } from '../core/runs/csv-import'
import { inspectCsv } from '../core/runs/csv-inspect'
import { verdictText } from '../core/runs/csv-verdicts'
import type { OwnerTypeCatalog } from '../core/triggers/owner-types'
import { checkOwnerType, hasErrors } from '../core/triggers/validation'
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

export interface PreparedRun {
  spec: RunSpec
  summary: ImportSummary
  /** The first skipped rows, for the person deciding whether to go on. */
  examples: { line: number; reason: string }[]
}

const EXAMPLES = 5

export async function prepareFileRun(profile: Profile, catalog: OwnerTypeCatalog, opts: FileRunOptions): Promise<PreparedRun> {
  const path = resolve(opts.path)
  // A row's type must be one a trigger can act on: for any other the portal answers true and does nothing.
  const resolveOwnerType = (raw: string): number | undefined => {
    const checked = checkOwnerType(raw, catalog)
    return hasErrors(checked.issues) ? undefined : checked.id
  }
  const inspection = await inspectCsv(path, { resolveOwnerType, ...(opts.header !== undefined ? { hasHeader: opts.header } : {}) })
  const mapping = buildMapping(opts, inspection, { code: Boolean(opts.code), ownerType: Boolean(opts.ownerType) })
  if (mapping.codeColumn === undefined && !opts.code) throw usageError('Give the trigger code with --code, or a column of codes with --code-column.')
  if (mapping.ownerTypeColumn === undefined && !opts.ownerType) {
    throw usageError('Give the CRM type with --owner-type (e.g. deal or 2), or a column of types with --owner-type-column.')
  }
  const defaultOwnerTypeId = opts.ownerType ? findOwnerTypeId(opts.ownerType, catalog) : undefined
  const defaults = { ...(defaultOwnerTypeId !== undefined && { ownerTypeId: defaultOwnerTypeId }), ...(opts.code && { code: opts.code }) }
  const { rows, summary } = await importCsv(path, mapping, defaults, { resolveOwnerType })

  const spec: RunSpec = {
    profile: { id: profile.id, name: profile.name, portalUrl: profile.portalUrl, kind: profile.kind },
    trigger: { kind: opts.kind, ...(opts.code && { code: opts.code }) },
    source: { name: basename(path), path, mapping, ...(summary.source && { layout: summary.source }) },
    options: { verify: opts.verify, plan: opts.plan },
    rows
  }
  if (defaultOwnerTypeId !== undefined) spec.defaultOwnerTypeId = defaultOwnerTypeId
  // Webhook triggers name the type by symbol (DEAL_57); the run must know the portal's own types too.
  if (opts.kind === 'webhook') spec.ownerSymbols = Object.fromEntries(catalog.types.map((t) => [t.id, t.symbol]))
  const examples = rows
    .filter((r) => r.verdict !== 'valid')
    .slice(0, EXAMPLES)
    .map((r) => ({ line: r.line, reason: verdictText(r) }))
  return { spec, summary, examples }
}

export function validationLines(prepared: PreparedRun): string[] {
  const { summary, examples } = prepared
  const lines = [`${summary.total} rows: ${summary.valid} to send, ${summary.skipped} skipped.`]
  for (const [reason, count] of Object.entries(summary.byReason)) if (count > 0) lines.push(`  skipped, ${reason}: ${count}`)
  if (examples.length) lines.push('  for example:')
  for (const ex of examples) lines.push(`    line ${ex.line}: ${ex.reason}`)
  return lines
}
