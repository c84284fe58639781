// "Items in the CRM" as a run source: a selection (type, pipeline, stages, dates, responsible
// users, an expert filter) becomes a crm.item.list filter; the count and a sample are read
// before anything is fired; and the matching IDs are enumerated fast and within the limits:
// keyset paging (`>id`, order id ASC, start -1: no COUNT per page; docs:
// api-reference/performance/huge-data.md) with up to 50 list calls per `batch`, each call taking
// its bound from the previous one's last item through `$result[pN][items][49][id]` (docs:
// api-reference/how-to-call-rest-api/batch.md). Every batch waits for the same request and
// operating governors a run uses.
import type { CrmCategoryInfo, CrmSelection, CrmSelectionCount, ErrorInfo } from '../../shared/domain'
import { SyntheticCode } from '../bitrix/classify'
import { isBitrixError } from '../bitrix/errors'
import type { OperatingGovernor } from '../bitrix/pacing/operating-governor'
import type { RequestGovernor } from '../bitrix/pacing/request-governor'
import type { BatchCommand, BatchItemResult, BitrixClient } from '../bitrix/types'

export const LIST_METHOD = 'crm.item.list'
/** crm.item.list's page: a shorter page is the last one. */
export const PAGE_SIZE = 50
export const MAX_CALLS_PER_BATCH = 50
const SAMPLE_SIZE = 10
const MAX_RAW_KEYS = 20
const MAX_RETRIES = 8

export type CrmSelectionErrorCode = 'bad-selection' | 'bad-filter' | 'portal-refused' | 'enumeration-broken'

export class CrmSelectionError extends Error {
  override readonly name = 'CrmSelectionError'
  constructor(
    readonly code: CrmSelectionErrorCode,
    message: string,
    readonly portalError?: ErrorInfo
  ) {
    super(message)
  }
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/

function day(raw: string, what: string): string {
  const m = DAY.exec(raw.trim())
  const ok = m && !Number.isNaN(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])))
  const d = ok ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined
  if (!d || d.getUTCDate() !== Number(m![3])) throw new CrmSelectionError('bad-selection', `${what} "${raw}" is not a date; write it as YYYY-MM-DD (2026-03-01).`)
  return raw.trim()
}

function nextDay(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + 1)
  return d.toISOString().slice(0, 10)
}

/** Keys an expert filter may use: an operator prefix and a field name, as crm.item.list takes them. */
const RAW_KEY = /^(!@|@|>=|<=|!=|>|<|=|!|%|!%)?([a-zA-Z][a-zA-Z0-9_]*)$/
/** The paging bound is ours: a filter on id order would break the keyset walk. */
const RESERVED = new Set(['>id', '>=id', '<id', '<=id'])

type Scalar = string | number | boolean | null

function isScalar(v: unknown): v is Scalar {
  return v === null || ['string', 'number', 'boolean'].includes(typeof v)
}

/** Parses and checks the expert filter before anything is sent: a JSON object of operator+field
 * keys and scalar or list values. The portal then judges the field names (see countSelection). */
export function parseRawFilter(text: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new CrmSelectionError('bad-filter', `The filter is not valid JSON: ${(err as Error).message}.`)
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CrmSelectionError('bad-filter', 'The filter must be a JSON object, e.g. {"opportunity": 0} or {">=opportunity": 1000}.')
  }
  const entries = Object.entries(value as Record<string, unknown>)
  if (entries.length > MAX_RAW_KEYS) throw new CrmSelectionError('bad-filter', `The filter has ${entries.length} conditions; at most ${MAX_RAW_KEYS}.`)
  for (const [key, v] of entries) {
    if (!RAW_KEY.test(key)) throw new CrmSelectionError('bad-filter', `"${key}" is not a filter key: an optional operator (=, !, >, >=, <, <=, @, !@, %) and a field name.`)
    if (RESERVED.has(key.toLowerCase())) throw new CrmSelectionError('bad-filter', `"${key}" is not allowed: the runner pages by id itself.`)
    const ok = isScalar(v) || (Array.isArray(v) && v.length > 0 && v.length <= 1000 && v.every(isScalar))
    if (!ok) throw new CrmSelectionError('bad-filter', `The value of "${key}" must be a number, text, true/false, null or a list of them.`)
  }
  return value as Record<string, unknown>
}

/** The crm.item.list filter of a selection (without the paging bound). */
export function selectionFilter(sel: CrmSelection): Record<string, unknown> {
  if (!Number.isInteger(sel.entityTypeId) || sel.entityTypeId < 1) throw new CrmSelectionError('bad-selection', 'Choose a CRM type.')
  const filter: Record<string, unknown> = {}
  if (sel.categoryId !== undefined) {
    if (!Number.isInteger(sel.categoryId) || sel.categoryId < 0) throw new CrmSelectionError('bad-selection', `Pipeline ${sel.categoryId} is not a pipeline id.`)
    filter.categoryId = sel.categoryId
  }
  if (sel.stageIds?.length) filter['@stageId'] = [...new Set(sel.stageIds)]
  const range = (field: string, from: string | undefined, to: string | undefined, label: string): void => {
    const f = from ? day(from, `${label} from`) : undefined
    const t = to ? day(to, `${label} to`) : undefined
    if (f && t && f > t) throw new CrmSelectionError('bad-selection', `${label}: "${f}" is after "${t}".`)
    if (f) filter[`>=${field}`] = `${f}T00:00:00`
    // The whole last day counts.
    if (t) filter[`<${field}`] = `${nextDay(t)}T00:00:00`
  }
  range('createdTime', sel.createdFrom, sel.createdTo, 'Created')
  range('updatedTime', sel.updatedFrom, sel.updatedTo, 'Modified')
  if (sel.assignedByIds?.length) {
    if (!sel.assignedByIds.every((u) => Number.isInteger(u) && u > 0)) throw new CrmSelectionError('bad-selection', 'A responsible user is a user id above 0.')
    filter['@assignedById'] = [...new Set(sel.assignedByIds)]
  }
  if (sel.rawFilter?.trim()) {
    for (const [k, v] of Object.entries(parseRawFilter(sel.rawFilter))) {
      if (k in filter) throw new CrmSelectionError('bad-filter', `"${k}" is already set by the choices above; remove it from the filter.`)
      filter[k] = v
    }
  }
  return filter
}

export interface Governors {
  request: RequestGovernor
  operating: OperatingGovernor
}

function infoOf(err: unknown): ErrorInfo {
  if (isBitrixError(err)) return err.info
  return { code: SyntheticCode.NETWORK_ERROR, description: err instanceof Error ? err.message : String(err), status: 0, kind: 'ambiguous' }
}

function refused(what: string, error: ErrorInfo): CrmSelectionError {
  const said = error.description ? `${error.code}: ${error.description}` : error.code
  return new CrmSelectionError('portal-refused', `${what}: the portal said ${said}`, error)
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** One call through the governors, retried while the portal says "later" (reads are harmless to repeat). */
async function governedCall<T>(client: BitrixClient, g: Governors | undefined, method: string, params: Record<string, unknown>, what: string): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    if (g) {
      const admitted = g.operating.admit(method, 1)
      if (admitted.calls === 0) await sleep(Math.min(admitted.waitMs, 60_000))
      await g.request.acquire()
    }
    const reservation = g?.operating.reserve(method, 1)
    try {
      const answer = await client.call<T>(method, params)
      g?.request.onAccepted()
      reservation?.settle(answer.time?.duration !== undefined ? [Math.max(answer.time.duration, answer.time.processing ?? 0)] : [], answer.time ? 0 : 1)
      g?.operating.observe(method, answer.time)
      return answer.result
    } catch (err) {
      reservation?.release()
      const info = infoOf(err)
      const code = info.code.toUpperCase()
      if (code === 'QUERY_LIMIT_EXCEEDED') g?.request.onRateLimited()
      if (code === 'OPERATION_TIME_LIMIT') g?.operating.onLimitExceeded(method)
      if ((info.kind === 'retry-safe' || info.kind === 'ambiguous') && attempt < MAX_RETRIES) {
        await sleep(Math.min(8000, 250 * 2 ** attempt))
        continue
      }
      throw refused(what, info)
    }
  }
}

interface ListAnswer {
  items?: { id?: unknown; title?: unknown; stageId?: unknown; categoryId?: unknown; assignedById?: unknown; createdTime?: unknown }[]
}

const num = (v: unknown): number | undefined => (v === undefined || v === null || v === '' ? undefined : Number(v))

/** How many items match now, and the first few: one crm.item.list call with the count on. The
 * portal judges the filter here, so an unknown field is refused before any run exists. */
export async function countSelection(client: BitrixClient, sel: CrmSelection, g?: Governors): Promise<CrmSelectionCount> {
  const filter = selectionFilter(sel)
  const params = {
    entityTypeId: sel.entityTypeId,
    filter,
    order: { id: 'ASC' },
    select: ['id', 'title', 'stageId', 'categoryId', 'assignedById', 'createdTime'],
    start: 0
  }
  let total: number
  let items: NonNullable<ListAnswer['items']>
  for (let attempt = 0; ; attempt++) {
    if (g) await g.request.acquire()
    try {
      const answer = await client.call<ListAnswer>(LIST_METHOD, params)
      g?.request.onAccepted()
      g?.operating.observe(LIST_METHOD, answer.time)
      total = answer.total ?? answer.result.items?.length ?? 0
      items = answer.result.items ?? []
      break
    } catch (err) {
      const info = infoOf(err)
      if (info.code.toUpperCase() === 'QUERY_LIMIT_EXCEEDED') g?.request.onRateLimited()
      if ((info.kind === 'retry-safe' || info.kind === 'ambiguous') && attempt < MAX_RETRIES) {
        await sleep(Math.min(8000, 250 * 2 ** attempt))
        continue
      }
      throw refused('The selection was not accepted', info)
    }
  }
  const sample = items.slice(0, SAMPLE_SIZE).map((it) => {
    const row: CrmSelectionCount['sample'][number] = { id: Number(it.id), title: String(it.title ?? '') }
    if (it.stageId !== undefined && it.stageId !== null) row.stageId = String(it.stageId)
    const c = num(it.categoryId)
    if (c !== undefined) row.categoryId = c
    const a = num(it.assignedById)
    if (a !== undefined) row.assignedById = a
    if (typeof it.createdTime === 'string') row.createdTime = it.createdTime
    return row
  })
  return { count: total, sample, filter }
}

export interface EnumerateOptions {
  governors?: Governors
  /** List calls per batch (1..50; default 50). */
  callsPerBatch?: number
  signal?: AbortSignal
  /** After each batch: IDs read so far. */
  onProgress?: (ids: number) => void
}

/** The commands of one batch: call 0 starts after `after`, each next one after the last item of
 * the one before it, resolved by the portal inside the same request. */
export function chainCommands(entityTypeId: number, filter: Record<string, unknown>, after: number, calls: number): BatchCommand[] {
  const commands: BatchCommand[] = []
  for (let i = 0; i < calls; i++) {
    const bound = i === 0 ? after : `$result[p${i - 1}][items][${PAGE_SIZE - 1}][id]`
    commands.push({
      label: `p${i}`,
      method: LIST_METHOD,
      params: { entityTypeId, filter: { ...filter, '>id': bound }, order: { id: 'ASC' }, select: ['id'], start: -1 }
    })
  }
  return commands
}

/** Every matching ID in ascending order, a page at a time. */
export async function* enumerateIds(client: BitrixClient, sel: CrmSelection, opts: EnumerateOptions = {}): AsyncGenerator<number[]> {
  const filter = selectionFilter(sel)
  const g = opts.governors
  const maxCalls = Math.max(1, Math.min(MAX_CALLS_PER_BATCH, opts.callsPerBatch ?? MAX_CALLS_PER_BATCH))
  let after = 0
  let read = 0
  let attempt = 0
  for (;;) {
    if (opts.signal?.aborted) throw new CrmSelectionError('enumeration-broken', 'Stopped before all matching items were read.')
    let calls = maxCalls
    if (g) {
      const admitted = g.operating.admit(LIST_METHOD, maxCalls)
      if (admitted.calls === 0) {
        await sleep(Math.max(1, Math.min(admitted.waitMs, 60_000)))
        continue
      }
      calls = admitted.calls
      await g.request.acquire(opts.signal)
    }
    const commands = chainCommands(sel.entityTypeId, filter, after, calls)
    const reservation = g?.operating.reserve(LIST_METHOD, calls)
    let items: BatchItemResult[]
    try {
      items = (await client.batch(commands, { halt: true, ...(opts.signal && { signal: opts.signal }) })).items
      g?.request.onAccepted()
    } catch (err) {
      reservation?.release()
      const info = infoOf(err)
      if (info.code.toUpperCase() === 'QUERY_LIMIT_EXCEEDED') g?.request.onRateLimited()
      if ((info.kind === 'retry-safe' || info.kind === 'ambiguous') && attempt++ < MAX_RETRIES) {
        await sleep(Math.min(8000, 250 * 2 ** attempt))
        continue
      }
      throw refused('Reading the matching items failed', info)
    }
    const costs: number[] = []
    let ended = false
    let failure: ErrorInfo | undefined
    for (const item of items) {
      if (item.state === 'absent') break
      if (item.time?.duration !== undefined) costs.push(Math.max(item.time.duration, item.time.processing ?? 0))
      if (item.state === 'error') {
        failure = item.error
        break
      }
      const page = ((item.result as ListAnswer | undefined)?.items ?? []).map((it) => Number(it.id))
      // Keyset paging only works if every page continues the one before; anything else (a
      // reference the portal could not resolve) must not be taken for IDs.
      let last = after
      for (const id of page) {
        if (!Number.isInteger(id) || id <= last) throw new CrmSelectionError('enumeration-broken', `The portal's pages are out of order (item ${id} after ${last}); nothing was fired.`)
        last = id
      }
      if (page.length > 0) {
        read += page.length
        after = last
        yield page
      }
      if (page.length < PAGE_SIZE) {
        ended = true
        break
      }
    }
    reservation?.settle(costs, Math.max(0, items.filter((i) => i.state !== 'absent').length - costs.length))
    const counters = items.map((i) => (i.state === 'absent' ? undefined : i.time)).filter((t) => t?.operating !== undefined).pop()
    g?.operating.observe(LIST_METHOD, counters)
    opts.onProgress?.(read)
    if (failure) {
      const code = failure.code.toUpperCase()
      if (code === 'OPERATION_TIME_LIMIT') g?.operating.onLimitExceeded(LIST_METHOD)
      if ((failure.kind === 'retry-safe' || code === 'OPERATION_TIME_LIMIT' || code === 'QUERY_LIMIT_EXCEEDED') && attempt++ < MAX_RETRIES) {
        // The pages before the failure are kept; the next batch continues after them.
        await sleep(Math.min(8000, 250 * 2 ** attempt))
        continue
      }
      throw refused('Reading the matching items failed', failure)
    }
    attempt = 0
    if (ended) return
  }
}

interface CategoryAnswer {
  categories?: { id?: unknown; name?: unknown; isDefault?: unknown }[]
}
interface StatusRow {
  STATUS_ID?: unknown
  NAME?: unknown
}

/** The ENTITY_ID crm.status.list files a type's stages under (docs: crm/status). */
export function stageEntityId(entityTypeId: number, categoryId: number): string | undefined {
  if (entityTypeId === 1) return 'STATUS'
  if (entityTypeId === 7) return 'QUOTE_STATUS'
  if (entityTypeId === 2) return categoryId ? `DEAL_STAGE_${categoryId}` : 'DEAL_STAGE'
  if (entityTypeId === 31) return `SMART_INVOICE_STAGE_${categoryId}`
  if (entityTypeId >= 128) return `DYNAMIC_${entityTypeId}_STAGE_${categoryId}`
  return undefined
}

/** Pipelines of a type with their stages. Types without pipelines (leads, quotes) get one, id 0. */
export async function listCategories(client: BitrixClient, entityTypeId: number, g?: Governors): Promise<CrmCategoryInfo[]> {
  let categories: { id: number; name: string; isDefault: boolean }[]
  if (entityTypeId === 1 || entityTypeId === 7) {
    categories = [{ id: 0, name: '', isDefault: true }]
  } else {
    const answer = await governedCall<CategoryAnswer>(client, g, 'crm.category.list', { entityTypeId }, 'Reading the pipelines failed')
    categories = (answer.categories ?? []).map((c) => ({ id: Number(c.id), name: String(c.name ?? ''), isDefault: c.isDefault === 'Y' || c.isDefault === true }))
  }
  const out: CrmCategoryInfo[] = []
  for (const c of categories) {
    const entityId = stageEntityId(entityTypeId, c.id)
    const rows = entityId ? await governedCall<StatusRow[]>(client, g, 'crm.status.list', { filter: { ENTITY_ID: entityId }, order: { SORT: 'ASC' } }, 'Reading the stages failed') : []
    out.push({ ...c, stages: (rows ?? []).map((r) => ({ id: String(r.STATUS_ID), name: String(r.NAME ?? r.STATUS_ID) })) })
  }
  return out
}

/** Stage ids from what an admin typed: an id (C3:NEW), the code within the pipeline (NEW), or
 * the stage's name (any case). Throws listing the stages when one is unknown. */
export function resolveStages(wanted: readonly string[], categories: readonly CrmCategoryInfo[], categoryId?: number): string[] {
  const pool = categoryId === undefined ? categories : categories.filter((c) => c.id === categoryId)
  if (categoryId !== undefined && pool.length === 0) {
    throw new CrmSelectionError('bad-selection', `No pipeline ${categoryId}. Pipelines: ${categories.map((c) => `${c.id} "${c.name}"`).join(', ')}.`)
  }
  const stages = pool.flatMap((c) => c.stages)
  return wanted.map((raw) => {
    const text = raw.trim()
    const lower = text.toLocaleLowerCase()
    const found =
      stages.find((s) => s.id === text) ??
      stages.find((s) => s.id.slice(s.id.indexOf(':') + 1) === text.toUpperCase()) ??
      stages.find((s) => s.name.toLocaleLowerCase() === lower)
    if (!found) {
      throw new CrmSelectionError('bad-selection', `No stage "${text}"${categoryId !== undefined ? ` in pipeline ${categoryId}` : ''}. Stages: ${stages.map((s) => `${s.id} "${s.name}"`).join(', ')}.`)
    }
    return found.id
  })
}
