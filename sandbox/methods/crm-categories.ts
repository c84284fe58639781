// Pipelines and stages: crm.category.list (docs: api-reference/crm/universal/category/
// crm-category-list.md) and crm.status.list (docs: api-reference/crm/status/crm-status-list.md),
// enough for choosing a pipeline and its stages by name. Categories come from crm-structure.ts.
import { RestError } from '../envelope'
import type { MethodResult } from '../envelope'
import { int, param, str } from '../params'
import { categoriesOf } from '../crm-structure'
import type { PortalState } from '../state'
import type { MethodContext, MethodDef } from './types'

/** Types whose items have pipelines in crm.category.list: deals, smart invoices, SPAs. Leads and
 * quotes have one fixed set of statuses (crm.status.list STATUS / QUOTE_STATUS). */
const CATEGORY_TYPES = new Set([2, 31])

function requireCrm(ctx: MethodContext): void {
  if (!ctx.caller.user.crmAccess) throw new RestError('ACCESS_DENIED', 'Access denied.', 403)
}

const categoryList: MethodDef = {
  scope: 'crm',
  countsOperating: true,
  handler(ctx, params): MethodResult {
    requireCrm(ctx)
    const entityTypeId = int(param(params, 'entityTypeId'))
    if (!CATEGORY_TYPES.has(entityTypeId) && !ctx.state.spaTypes.has(entityTypeId)) {
      throw new RestError('NOT_FOUND', 'Entity type does not support categories', 400)
    }
    const categories = categoriesOf(ctx.state, entityTypeId).map((c, i) => ({
      id: c.id,
      name: c.name,
      sort: (i + 1) * 100,
      entityTypeId,
      isDefault: c.isDefault ? 'Y' : 'N'
    }))
    return { result: { categories }, total: categories.length }
  }
}

/** The ENTITY_ID crm.status.list files a type's stages under. */
export function stageEntityId(entityTypeId: number, categoryId: number): string | undefined {
  if (entityTypeId === 1) return 'STATUS'
  if (entityTypeId === 7) return 'QUOTE_STATUS'
  if (entityTypeId === 2) return categoryId ? `DEAL_STAGE_${categoryId}` : 'DEAL_STAGE'
  if (entityTypeId === 31) return `SMART_INVOICE_STAGE_${categoryId}`
  if (entityTypeId >= 128 || (entityTypeId >= 1030 && entityTypeId % 2 === 0)) return `DYNAMIC_${entityTypeId}_STAGE_${categoryId}`
  return undefined
}

function allStatuses(state: PortalState): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = []
  const types = [1, 2, 7, 31, ...state.spaTypes.keys()]
  for (const entityTypeId of types) {
    for (const category of categoriesOf(state, entityTypeId)) {
      const entityId = stageEntityId(entityTypeId, category.id)
      if (!entityId) continue
      category.stages.forEach((s, i) => {
        rows.push({
          ID: String(rows.length + 1),
          ENTITY_ID: entityId,
          STATUS_ID: s.id,
          NAME: s.name,
          NAME_INIT: s.name,
          SORT: String((i + 1) * 10),
          SYSTEM: i === 0 ? 'Y' : 'N',
          CATEGORY_ID: entityTypeId === 1 || entityTypeId === 7 ? null : String(category.id)
        })
      })
    }
  }
  return rows
}

const statusList: MethodDef = {
  scope: 'crm',
  countsOperating: true,
  handler(ctx, params): MethodResult {
    requireCrm(ctx)
    const filter = param(params, 'filter')
    const conds = Object.entries(filter && typeof filter === 'object' ? (filter as Record<string, unknown>) : {}).map(([k, v]) => {
      const field = k.replace(/^=/, '').toUpperCase()
      return (row: Record<string, unknown>): boolean => str(row[field]) === str(v)
    })
    const rows = allStatuses(ctx.state).filter((r) => conds.every((c) => c(r)))
    return { result: rows, total: rows.length }
  }
}

export const crmCategoryMethods: Record<string, MethodDef> = {
  'crm.category.list': categoryList,
  'crm.status.list': statusList
}
