// Pipelines (categories) and their stages as crm.category.list and crm.status.list show them,
// and bulk seeding of items with categories, stages, owners and creation times. Categories are
// derived from the stage ids the portal holds (C3:NEW is deal category 3, DT177_1:NEW category 1
// of SPA 177, a bare NEW deal category 0); names come from `addCategory` or from the codes.
import type { PortalState } from './state'
import type { SeedCrmOptions } from './types'

export interface SandboxCategory {
  id: number
  name: string
  isDefault: boolean
  stages: { id: string; name: string }[]
}

const names = new WeakMap<PortalState, Map<string, string>>()

function nameMap(state: PortalState): Map<string, string> {
  let m = names.get(state)
  if (!m) names.set(state, (m = new Map()))
  return m
}

const STAGE_NAMES: Record<string, string> = {
  NEW: 'New',
  PREPARATION: 'Preparing documents',
  PREPAYMENT_INVOICE: 'Prepayment invoice',
  EXECUTING: 'In progress',
  FINAL_INVOICE: 'Final invoice',
  WON: 'Deal won',
  LOSE: 'Deal lost',
  IN_PROCESS: 'In progress',
  PROCESSED: 'Processed',
  CONVERTED: 'Good lead',
  JUNK: 'Junk lead',
  DRAFT: 'New',
  SENT: 'Sent to client',
  RECEIVED: 'Received',
  APPROVED: 'Approved',
  DECLAINED: 'Declined',
  SUCCESS: 'Success',
  FAIL: 'Failure',
  CLIENT: 'Client'
}

/** The category a stage id belongs to: C3:NEW → 3, DT177_1:NEW → 1, NEW → 0. */
export function categoryOfStage(stageId: string): number {
  const i = stageId.indexOf(':')
  if (i < 0) return 0
  const prefix = stageId.slice(0, i)
  const m = /^C(\d+)$/.exec(prefix) ?? /^DT\d+_(\d+)$/.exec(prefix)
  return m ? Number(m[1]) : 0
}

function stageName(state: PortalState, entityTypeId: number, stageId: string): string {
  const named = nameMap(state).get(`${entityTypeId}:stage:${stageId}`)
  if (named) return named
  const code = stageId.slice(stageId.indexOf(':') + 1)
  return STAGE_NAMES[code] ?? code.charAt(0) + code.slice(1).toLowerCase().replace(/_/g, ' ')
}

export function categoriesOf(state: PortalState, entityTypeId: number): SandboxCategory[] {
  const byId = new Map<number, SandboxCategory>()
  for (const stageId of state.pipelineStages(entityTypeId)) {
    const id = categoryOfStage(stageId)
    let cat = byId.get(id)
    if (!cat) {
      const name = nameMap(state).get(`${entityTypeId}:category:${id}`) ?? (byId.size === 0 ? 'General' : `Pipeline ${id}`)
      byId.set(id, (cat = { id, name, isDefault: byId.size === 0, stages: [] }))
    }
    cat.stages.push({ id: stageId, name: stageName(state, entityTypeId, stageId) })
  }
  return [...byId.values()]
}

export function addCategory(state: PortalState, entityTypeId: number, category: { id: number; name: string; stages: { id: string; name: string }[] }): void {
  state.addStages(entityTypeId, category.stages.map((s) => s.id))
  nameMap(state).set(`${entityTypeId}:category:${category.id}`, category.name)
  for (const s of category.stages) nameMap(state).set(`${entityTypeId}:stage:${s.id}`, s.name)
}

const pad = (n: number): string => String(n).padStart(2, '0')

function iso(ms: number): string {
  const d = new Date(ms)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}+00:00`
}

export function seedCrmItems(state: PortalState, o: SeedCrmOptions): void {
  const start = Date.parse(o.createdFrom ?? '2026-01-01T00:00:00+00:00')
  const step = (o.stepMinutes ?? 60) * 60_000
  const owners = o.assignedByIds?.length ? o.assignedByIds : [1]
  state.addStages(o.entityTypeId, o.stageIds)
  for (let i = 0; i < o.count; i++) {
    const created = iso(start + i * step)
    state.addItem({
      entityTypeId: o.entityTypeId,
      id: o.fromId + i,
      title: `Item ${o.entityTypeId}/${o.fromId + i}`,
      stageId: o.stageIds[i % o.stageIds.length] as string,
      categoryId: o.categoryId ?? 0,
      assignedById: owners[i % owners.length] as number,
      createdTime: created,
      updatedTime: created
    })
  }
}
