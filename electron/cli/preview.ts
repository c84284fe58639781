// `--dry-run --preview`: where the selected items are now (pipeline and stage), which are not
// found or not visible, and how long the run would take at the limits. Reads only.
import type { RunPreview } from '../shared/domain'
import type { RunOptions } from '../shared/ipc'
import { limitsOf } from '../core/runs/crm-run'
import { listCategories } from '../core/runs/crm-source'
import { previewRun } from '../core/runs/preview'
import type { OwnerTypeCatalog } from '../core/triggers/owner-types'
import type { Profile } from '../shared/domain'
import type { Ctx } from './context'
import type { Core } from './core'

function duration(sec: number): string {
  if (sec < 1) return 'under a second'
  const s = Math.round(sec)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const r = s % 60
  return [h ? `${h} h` : '', m ? `${m} min` : '', r && !h ? `${r} s` : ''].filter(Boolean).join(' ')
}

export function previewLines(p: RunPreview, typeName: (id: number) => string): string[] {
  const lines = [`Preview: ${p.items} item(s).`]
  for (const s of p.byStage) {
    lines.push(`  ${typeName(s.ownerTypeId)}, pipeline ${s.categoryId}, ${s.stageId}${s.stageName ? ` "${s.stageName}"` : ''}: ${s.count}`)
  }
  if (p.notFound) lines.push(`  not found or not visible: ${p.notFound} (e.g. ${p.notFoundSample.slice(0, 5).join(', ')})`)
  if (p.unreadable) lines.push(`  without stages (not read): ${p.unreadable}`)
  if (p.failed) lines.push(`  could not be read: ${p.failed}`)
  const e = p.estimate
  const why = e.binding === 'operating' ? 'the operating budget binds' : 'the request limit binds'
  lines.push(`Estimated duration: ${duration(e.seconds)} (${e.requests} request(s) of up to 50 triggers; ${why}).`)
  return lines
}

export async function printPreview(
  ctx: Ctx,
  core: Core,
  profile: Profile,
  catalog: OwnerTypeCatalog,
  rows: Iterable<{ ownerTypeId: number; ownerId: number }>,
  options: RunOptions
): Promise<void> {
  const client = await core.profiles.clientFor(profile.id)
  const limits = limitsOf(options)
  const profileRef = { id: profile.id, name: profile.name, portalUrl: profile.portalUrl, kind: profile.kind }
  const governors = core.runs.governors(profileRef, limits)
  const list = [...rows]
  // Stage names, for the types the rows have (a few at most).
  const stageNames = new Map<string, string>()
  for (const type of [...new Set(list.map((r) => r.ownerTypeId))].slice(0, 5)) {
    try {
      for (const c of await listCategories(client, type, governors)) for (const s of c.stages) stageNames.set(s.id, s.name)
    } catch {
      // Names are a nicety: the ids are shown without them.
    }
  }
  const smart = new Set(catalog.types.filter((t) => t.id >= 128).map((t) => t.id))
  const preview = await previewRun(client, { rows: list, ...limits, governors, stageNames, smartProcessTypes: smart })
  ctx.out.record({ type: 'preview', ...preview })
  const name = (id: number): string => catalog.types.find((t) => t.id === id)?.name ?? `type ${id}`
  for (const line of previewLines(preview, name)) ctx.out.line(line)
}
