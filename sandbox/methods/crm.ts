// The CRM read methods the runner needs: crm.enum.ownertype, crm.type.list, crm.item.get,
// crm.item.list (reference §6), plus `profile`.
import { RestError } from '../envelope'
import type { MethodResult } from '../envelope'
import { int, param, str } from '../params'
import { STATIC_OWNER_TYPES, spaShortCode } from '../ownerTypes'
import type { SandboxItem } from '../types'
import type { SpaType } from '../state'
import type { MethodContext, MethodDef } from './types'

const PAGE = 50
/** Items made without a time (the demo CRM, generateItems) were "created" then. */
const DEFAULT_TIME = '2024-01-01T00:00:00+00:00'
/** Date fields compare as instants, whatever offset or precision the filter value has. */
const DATE_FIELDS = new Set(['createdTime', 'updatedTime'])

/** Types crm.item.* serves (its factories): static types with a factory plus existing SPAs. */
const ITEM_TYPES = new Set([1, 2, 3, 4, 7, 31, 36, 39])

function requireCrm(ctx: MethodContext): void {
  if (!ctx.caller.user.crmAccess) throw new RestError('ACCESS_DENIED', 'Access denied.', 403)
}

function itemType(ctx: MethodContext, raw: unknown): number {
  const entityTypeId = int(raw)
  if (!ITEM_TYPES.has(entityTypeId) && !ctx.state.spaTypes.has(entityTypeId)) {
    throw new RestError('NOT_FOUND', 'Smart process not found', 400)
  }
  return entityTypeId
}

/** Whether the caller may read the item: admins all, other users opened items and their own. */
function canRead(ctx: MethodContext, item: SandboxItem): boolean {
  const { user } = ctx.caller
  return user.admin || item.opened !== false || (item.assignedById ?? 1) === user.id
}

function itemView(item: SandboxItem): Record<string, unknown> {
  return {
    id: item.id,
    title: item.title,
    stageId: item.stageId,
    categoryId: item.categoryId ?? 0,
    assignedById: item.assignedById ?? 1,
    contactId: item.contactId ?? null,
    companyId: item.companyId ?? null,
    entityTypeId: item.entityTypeId,
    createdTime: item.createdTime ?? DEFAULT_TIME,
    updatedTime: item.updatedTime ?? item.createdTime ?? DEFAULT_TIME
  }
}

function pick(view: Record<string, unknown>, select: string[] | undefined): Record<string, unknown> {
  if (!select || select.length === 0 || select.includes('*')) return view
  const out: Record<string, unknown> = { id: view.id }
  for (const f of select) if (f in view) out[f] = view[f]
  return out
}

const ownerTypes: MethodDef = {
  scope: 'crm',
  countsOperating: true,
  handler(ctx): MethodResult {
    const rows = STATIC_OWNER_TYPES.map((t) => ({ ID: t.id, NAME: t.name, SYMBOL_CODE: t.symbol, SYMBOL_CODE_SHORT: t.short }))
    for (const spa of ctx.state.spaTypes.values()) {
      rows.push({ ID: spa.entityTypeId, NAME: spa.title, SYMBOL_CODE: `DYNAMIC_${spa.entityTypeId}`, SYMBOL_CODE_SHORT: spaShortCode(spa.entityTypeId) })
    }
    return { result: rows }
  }
}

function typeView(t: SpaType): Record<string, unknown> {
  const yn = (b: boolean): string => (b ? 'Y' : 'N')
  return {
    id: t.id,
    title: t.title,
    code: t.code,
    entityTypeId: t.entityTypeId,
    isCategoriesEnabled: 'Y',
    isStagesEnabled: yn(t.stages),
    isAutomationEnabled: yn(t.automation),
    isBizProcEnabled: yn(t.automation),
    isClientEnabled: 'Y',
    createdTime: '2024-01-01T00:00:00+00:00',
    updatedTime: '2024-01-01T00:00:00+00:00',
    customSectionId: null
  }
}

const TYPE_FILTER_FIELDS = new Set(['id', 'entityTypeId', 'title', 'code', 'isAutomationEnabled', 'isStagesEnabled', 'isCategoriesEnabled', 'isBizProcEnabled'])

const typeList: MethodDef = {
  scope: 'crm',
  countsOperating: true,
  handler(ctx, params): MethodResult {
    requireCrm(ctx)
    if (!ctx.caller.user.admin) throw new RestError('ACCESS_DENIED', 'Access denied', 400)
    const filter = param(params, 'filter')
    const conds = Object.entries(filter && typeof filter === 'object' ? (filter as Record<string, unknown>) : {}).map(([k, v]) => {
      const field = k.replace(/^[@=]/, '')
      if (!TYPE_FILTER_FIELDS.has(field)) {
        throw new RestError('INVALID_ARG_VALUE', `Invalid filter: field '${field}' is not allowed in filter`, 400)
      }
      const wanted = (Array.isArray(v) ? v : [v]).map(str)
      return (view: Record<string, unknown>): boolean => wanted.includes(str(view[field]))
    })
    const all = [...ctx.state.spaTypes.values()].map(typeView).filter((v) => conds.every((c) => c(v)))
    const start = Math.max(0, int(param(params, 'start')))
    const page = all.slice(start, start + PAGE)
    return { result: { types: page }, total: all.length, ...(all.length > start + PAGE ? { next: start + PAGE } : {}) }
  }
}

const itemGet: MethodDef = {
  scope: 'crm',
  countsOperating: true,
  handler(ctx, params): MethodResult {
    requireCrm(ctx)
    const entityTypeId = itemType(ctx, param(params, 'entityTypeId'))
    const item = ctx.state.getItem(entityTypeId, int(param(params, 'id')))
    // An item the user may not read is not found, as one that does not exist.
    if (!item || !canRead(ctx, item)) throw new RestError('NOT_FOUND', 'Element not found', 400)
    return { result: { item: itemView(item) } }
  }
}

type Predicate = (view: Record<string, unknown>) => boolean

const ITEM_FILTER_FIELDS = new Set(['id', 'title', 'stageId', 'categoryId', 'assignedById', 'contactId', 'companyId', 'createdTime', 'updatedTime'])

/** crm.item.list filter operators: =, @, !@, !, !=, >, >=, <, <= (plain key = equality). */
function itemPredicate(key: string, value: unknown): { field: string; op: string; values: unknown[]; test: Predicate } {
  const [, op = '', field = ''] = /^(!@|@|>=|<=|!=|>|<|=|!)?(.*)$/.exec(key) ?? []
  if (!ITEM_FILTER_FIELDS.has(field)) throw new RestError('INVALID_ARG_VALUE', `Invalid filter: field '${field}' is not allowed in filter`, 400)
  const values = Array.isArray(value) ? value : value && typeof value === 'object' ? Object.values(value) : [value]
  const wanted = new Set(values.map(str))
  const num = Number(str(values[0]))
  const when = DATE_FIELDS.has(field) ? Date.parse(str(values[0])) : NaN
  if (DATE_FIELDS.has(field) && Number.isNaN(when)) {
    throw new RestError('INVALID_ARG_VALUE', `Invalid filter: value of '${field}' is not a date`, 400)
  }
  const cmp = (v: unknown): number =>
    DATE_FIELDS.has(field) ? Date.parse(str(v)) - when : typeof v === 'number' ? v - num : str(v).localeCompare(str(values[0]))
  const tests: Record<string, Predicate> = {
    '': (r) => wanted.has(str(r[field])),
    '=': (r) => wanted.has(str(r[field])),
    '@': (r) => wanted.has(str(r[field])),
    '!@': (r) => !wanted.has(str(r[field])),
    '!': (r) => !wanted.has(str(r[field])),
    '!=': (r) => !wanted.has(str(r[field])),
    '>': (r) => cmp(r[field]) > 0,
    '>=': (r) => cmp(r[field]) >= 0,
    '<': (r) => cmp(r[field]) < 0,
    '<=': (r) => cmp(r[field]) <= 0
  }
  return { field, op, values, test: tests[op] as Predicate }
}

const itemList: MethodDef = {
  scope: 'crm',
  countsOperating: true,
  handler(ctx, params): MethodResult {
    requireCrm(ctx)
    const entityTypeId = itemType(ctx, param(params, 'entityTypeId'))
    const filter = param(params, 'filter')
    const preds = Object.entries(filter && typeof filter === 'object' ? (filter as Record<string, unknown>) : {}).map(([k, v]) => itemPredicate(k, v))
    // An id filter is served from the map: verification of thousands of rows never scans the table.
    const idPred = preds.find((p) => p.field === 'id' && (p.op === '' || p.op === '=' || p.op === '@'))
    // Items the caller may not read are left out, as if they did not exist.
    const visible = (id: number): boolean => {
      const item = ctx.state.getItem(entityTypeId, id)
      return !!item && canRead(ctx, item)
    }
    let ids: number[]
    if (idPred) {
      ids = [...new Set(idPred.values.map(int))].filter(visible).sort((a, b) => a - b)
    } else {
      ids = ctx.caller.user.admin ? ctx.state.sortedIds(entityTypeId) : ctx.state.sortedIds(entityTypeId).filter(visible)
    }
    const order = param(params, 'order')
    const desc = !!order && typeof order === 'object' && str((order as Record<string, unknown>).id).toUpperCase() === 'DESC'
    const rest = preds.filter((p) => p !== idPred)
    const select = param(params, 'select')
    const selectList = Array.isArray(select) ? select.map(str) : undefined
    const viewOf = (id: number): Record<string, unknown> => itemView(ctx.state.getItem(entityTypeId, id) as SandboxItem)
    // start = -1: one page, no count, no `next` (docs: api-reference/performance/huge-data.md),
    // the way to enumerate with a `>id` filter. Served by walking the ids from that bound.
    if (int(param(params, 'start')) === -1) {
      const items = firstPage(ids, desc, rest, viewOf).map((v) => pick(v, selectList))
      return { result: { items }, total: 0 }
    }
    const start = Math.max(0, int(param(params, 'start')))
    const ordered = desc ? [...ids].reverse() : ids
    let total: number
    let page: Record<string, unknown>[]
    if (rest.length === 0) {
      // No other predicate: page over the ids without building a view per item.
      total = ordered.length
      page = ordered.slice(start, start + PAGE).map(viewOf)
    } else {
      const matches = ordered.map(viewOf).filter((v) => rest.every((p) => p.test(v)))
      total = matches.length
      page = matches.slice(start, start + PAGE)
    }
    const items = page.map((v) => pick(v, selectList))
    const res: MethodResult = { result: { items }, total }
    if (total > start + PAGE) res.next = start + PAGE
    return res
  }
}

/** Up to a page of matches in id order, starting at the bound of an `>id`/`>=id` predicate (so
 * keyset paging costs a page, not a scan from the first item). */
function firstPage(
  ids: number[],
  desc: boolean,
  preds: { field: string; op: string; values: unknown[]; test: Predicate }[],
  viewOf: (id: number) => Record<string, unknown>
): Record<string, unknown>[] {
  let from = 0
  if (!desc) {
    for (const p of preds) {
      if (p.field !== 'id' || (p.op !== '>' && p.op !== '>=')) continue
      const bound = Number(str(p.values[0]))
      if (!Number.isFinite(bound)) continue
      // First index whose id passes the bound (ids are sorted ascending).
      let lo = 0
      let hi = ids.length
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        const id = ids[mid] as number
        if (p.op === '>' ? id > bound : id >= bound) hi = mid
        else lo = mid + 1
      }
      from = Math.max(from, lo)
    }
  }
  const out: Record<string, unknown>[] = []
  for (let i = 0; i < ids.length && out.length < PAGE; i++) {
    const id = desc ? (ids[ids.length - 1 - i] as number) : (ids[from + i] as number | undefined)
    if (id === undefined) break
    const view = viewOf(id)
    if (preds.every((p) => p.test(view))) out.push(view)
  }
  return out
}

const profile: MethodDef = {
  scope: 'basic',
  countsOperating: true,
  handler(ctx): MethodResult {
    const { user } = ctx.caller
    return { result: { ID: String(user.id), ADMIN: user.admin, NAME: user.name, LAST_NAME: user.lastName, PERSONAL_GENDER: '', TIME_ZONE: '', TIME_ZONE_OFFSET: 0 } }
  }
}

export const crmMethods: Record<string, MethodDef> = {
  'crm.enum.ownertype': ownerTypes,
  'crm.type.list': typeList,
  'crm.item.get': itemGet,
  'crm.item.list': itemList,
  profile
}
