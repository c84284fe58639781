// `run --from-crm`: the items of a CRM type that match the given filters become the rows of a
// run. The count and a sample are printed first; with --dry-run nothing more happens. Otherwise
// every matching ID is read into the run's journal (with the filter) before the first trigger.
import type { CrmSelection, PlanPreset, Profile, TriggerKind } from '../shared/domain'
import { createCrmRun, limitsOf } from '../core/runs/crm-run'
import { countSelection, enumerateIds, listCategories, resolveStages, CrmSelectionError } from '../core/runs/crm-source'
import { printPreview } from './preview'
import type { OwnerTypeCatalog } from '../core/triggers/owner-types'
import type { Ctx } from './context'
import type { Core } from './core'
import { usageError } from './errors'
import { EXIT, type ExitCode } from './exit-codes'
import { findOwnerTypeId } from './lookup'
import { driveRun } from './run-session'

/** The --from-crm selection flags, as commander hands them to `run`. */
export interface CrmFilterFlags {
  category?: string
  stage?: string[]
  createdFrom?: string
  createdTo?: string
  modifiedFrom?: string
  modifiedTo?: string
  responsible?: string[]
  filter?: string
}

export interface CrmRunOptions extends CrmFilterFlags {
  ownerType?: string
  code?: string
  dryRun?: boolean
  preview?: boolean
  verify: boolean
  plan: PlanPreset
  kind: TriggerKind
}

/** Options that only mean something with --from-crm. */
export const CRM_ONLY = ['category', 'stage', 'createdFrom', 'createdTo', 'modifiedFrom', 'modifiedTo', 'responsible', 'filter'] as const

function positive(raw: string, flag: string): number {
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1) throw usageError(`${flag} ${raw}: a user id is a whole number above 0.`)
  return Number(raw)
}

async function buildSelection(core: Core, profile: Profile, catalog: OwnerTypeCatalog, opts: CrmRunOptions): Promise<CrmSelection> {
  if (!opts.ownerType) throw usageError('Give the CRM type with --owner-type (deal, lead, quote, invoice or a smart-process id).')
  const entityTypeId = findOwnerTypeId(opts.ownerType, catalog)
  const sel: CrmSelection = { entityTypeId }
  const needsStructure = opts.category !== undefined || (opts.stage?.length ?? 0) > 0
  if (needsStructure) {
    const client = await core.profiles.clientFor(profile.id)
    const categories = await listCategories(client, entityTypeId)
    if (opts.category !== undefined) {
      const text = opts.category.trim()
      const found = /^\d+$/.test(text) ? categories.find((c) => c.id === Number(text)) : categories.find((c) => c.name.toLocaleLowerCase() === text.toLocaleLowerCase())
      if (!found) throw new CrmSelectionError('bad-selection', `No pipeline "${text}". Pipelines: ${categories.map((c) => `${c.id} "${c.name}"`).join(', ')}.`)
      sel.categoryId = found.id
    }
    if (opts.stage?.length) sel.stageIds = resolveStages(opts.stage, categories, sel.categoryId)
  }
  if (opts.createdFrom) sel.createdFrom = opts.createdFrom
  if (opts.createdTo) sel.createdTo = opts.createdTo
  if (opts.modifiedFrom) sel.updatedFrom = opts.modifiedFrom
  if (opts.modifiedTo) sel.updatedTo = opts.modifiedTo
  if (opts.responsible?.length) sel.assignedByIds = opts.responsible.map((u) => positive(u, '--responsible'))
  if (opts.filter) sel.rawFilter = opts.filter
  return sel
}

export async function runFromCrm(ctx: Ctx, core: Core, profile: Profile, opts: CrmRunOptions): Promise<ExitCode> {
  if (!opts.code && !opts.dryRun) throw usageError('Give the trigger code with --code.')
  const catalog = await (await core.triggersFor(profile.id)).ownerTypes()
  const selection = await buildSelection(core, profile, catalog, opts)
  const client = await core.profiles.clientFor(profile.id)
  const options = { verify: opts.verify, plan: opts.plan }
  const profileRef = { id: profile.id, name: profile.name, portalUrl: profile.portalUrl, kind: profile.kind }
  const governors = core.runs.governors(profileRef, limitsOf(options))
  const counted = await countSelection(client, selection, governors)
  ctx.out.record({ type: 'selection', selection, filter: counted.filter, count: counted.count, sample: counted.sample })
  ctx.out.line(`${counted.count} item(s) match. Filter: ${JSON.stringify(counted.filter)}`)
  for (const item of counted.sample.slice(0, 5)) ctx.out.line(`  ${item.id}  ${item.stageId ?? ''}  ${item.title}`)
  if (opts.preview) {
    if (!opts.dryRun) throw usageError('--preview goes with --dry-run.')
    // The IDs as they are now (not frozen: a dry run creates no run).
    const rows: { ownerTypeId: number; ownerId: number }[] = []
    for await (const page of enumerateIds(client, selection, { governors })) for (const ownerId of page) rows.push({ ownerTypeId: selection.entityTypeId, ownerId })
    await printPreview(ctx, core, profile, catalog, rows, options)
  }
  if (opts.dryRun) return EXIT.ok
  if (counted.count === 0) throw usageError('No item matches these filters; nothing to run.')
  ctx.out.line('Reading every matching ID into the run (frozen before the first trigger)...')
  const created = await createCrmRun(core.runs, client, {
    profile: profileRef,
    kind: opts.kind,
    code: opts.code as string,
    selection,
    catalog,
    options
  }, { governors })
  ctx.out.record({ type: 'run', run: created })
  ctx.out.line(`Run ${created.id}: ${created.counts.total} item(s) frozen. Ctrl-C pauses it; resume with: b24-triggers runs resume ${created.id}`)
  return driveRun(ctx, core, created.id, (onProgress) => core.runs.start(created.id, { onProgress }))
}
