// CRM owner types (OWNER_TYPE_ID): which ones a trigger can act on, read from the portal
// (crm.enum.ownertype + crm.type.list) or, offline, from the built-in list below.
// Which types support triggers follows crm BaseTrigger::isSupported (reference §6): leads, deals,
// quotes, the new invoice, orders, smart documents, and SPAs with automation AND stages enabled.
// The old invoice (5) no longer runs automation (crm 22.1800, current-cloud.md).
// For anything else the portal answers `true` and does nothing.
import { z } from 'zod'
import type { OwnerType } from '../../shared/domain'
import type { RestResponse } from '../bitrix/types'

/** The part of the REST client this module needs. */
export interface RestCaller {
  call<T = unknown>(method: string, params?: Record<string, unknown>): Promise<RestResponse<T>>
}

export interface OwnerTypeCatalog {
  types: OwnerType[]
  /** portal = read from the portal; static = the built-in list (no portal consulted). */
  source: 'portal' | 'static'
  /** False when SPA automation/stage settings are unknown (crm.type.list failed or offline). */
  spaSettingsKnown: boolean
  /** Why the catalog is incomplete, in plain words. */
  note?: string
}

const FAN_OUT_IDS = new Set([3, 4])
const TRIGGER_IDS = new Set([1, 2, 7, 14, 31, 36])

// Ids and codes from CCrmOwnerType / CCrmOwnerTypeAbbr; names as crm.enum.ownertype gives them
// in English. Types without automation are listed too so that they get a precise rejection.
const STATIC_ROWS: Array<[number, string, string, string]> = [
  [1, 'Lead', 'LEAD', 'L'],
  [2, 'Deal', 'DEAL', 'D'],
  [3, 'Contact', 'CONTACT', 'C'],
  [4, 'Company', 'COMPANY', 'CO'],
  [5, 'Invoice (old version)', 'INVOICE', 'I'],
  [6, 'Activity', 'ACTIVITY', ''],
  [7, 'Quote', 'QUOTE', 'Q'],
  [8, 'Requisite', 'REQUISITE', 'RQ'],
  [14, 'Order', 'ORDER', 'O'],
  [31, 'Invoice', 'SMART_INVOICE', 'SI'],
  [36, 'Document', 'SMART_DOCUMENT', 'DO'],
  [39, 'Company Document', 'SMART_B2E_DOC', 'SBD']
]

export const STATIC_OWNER_TYPES: readonly OwnerType[] = STATIC_ROWS.map(([id, name, symbol, short]) =>
  staticOwnerType(id, name, symbol, short)
)

export const STATIC_CATALOG: OwnerTypeCatalog = {
  types: [...STATIC_OWNER_TYPES],
  source: 'static',
  spaSettingsKnown: false,
  note: 'Built-in list: smart processes (SPAs) of the portal are not known offline.'
}

function staticOwnerType(id: number, name: string, symbol: string, short: string): OwnerType {
  return {
    id,
    name,
    symbol,
    short,
    supportsTriggers: TRIGGER_IDS.has(id),
    fanOut: FAN_OUT_IDS.has(id),
    isSmartProcess: false
  }
}

/** Ids the portal reserves for SPAs (CCrmOwnerType::DynamicTypeStart..End; newer portals use
 * larger ids too), so an unknown id there may be a SPA we could not list. */
export function isPossibleSpaId(id: number): boolean {
  return (id >= 128 && id < 192) || id >= 1030
}

/** SPA short code: "T" + lowercase hex of the id (128 → T80). */
export function spaShortCode(entityTypeId: number): string {
  return `T${entityTypeId.toString(16)}`
}

const intLike = z.union([z.number(), z.string().regex(/^\d+$/)]).transform(Number)
const flag = z.union([z.boolean(), z.string(), z.number()]).transform((v) => v === true || v === 'Y' || v === 'y' || v === 1 || v === '1')

const enumRowSchema = z.object({
  ID: intLike,
  NAME: z.string().optional().default(''),
  SYMBOL_CODE: z.string().optional().default(''),
  SYMBOL_CODE_SHORT: z.string().optional().default('')
})
export type EnumOwnerTypeRow = z.input<typeof enumRowSchema>

const spaRowSchema = z.object({
  entityTypeId: intLike,
  title: z.string().optional().default(''),
  isAutomationEnabled: flag.optional().default(false),
  isStagesEnabled: flag.optional().default(false)
})
export type SpaTypeRow = z.input<typeof spaRowSchema>

/** Merge crm.enum.ownertype rows with crm.type.list rows (null when that list could not be read). */
export function mergeOwnerTypes(enumRows: EnumOwnerTypeRow[], spaRows: SpaTypeRow[] | null): OwnerType[] {
  const spas = new Map<number, z.output<typeof spaRowSchema>>()
  for (const raw of spaRows ?? []) {
    const parsed = spaRowSchema.safeParse(raw)
    if (parsed.success) spas.set(parsed.data.entityTypeId, parsed.data)
  }
  const staticById = new Map(STATIC_OWNER_TYPES.map((t) => [t.id, t]))
  const out = new Map<number, OwnerType>()

  for (const raw of enumRows) {
    const parsed = enumRowSchema.safeParse(raw)
    if (!parsed.success) continue
    const row = parsed.data
    const known = staticById.get(row.ID)
    const isSpa = !known && (/^DYNAMIC_\d+$/i.test(row.SYMBOL_CODE) || spas.has(row.ID))
    if (isSpa) {
      out.set(row.ID, spaOwnerType(row.ID, row.NAME, spas.get(row.ID), spaRows !== null, row.SYMBOL_CODE, row.SYMBOL_CODE_SHORT))
    } else {
      out.set(row.ID, {
        ...(known ?? staticOwnerType(row.ID, row.NAME, row.SYMBOL_CODE, row.SYMBOL_CODE_SHORT)),
        name: row.NAME || known?.name || row.SYMBOL_CODE,
        symbol: row.SYMBOL_CODE || known?.symbol || '',
        short: row.SYMBOL_CODE_SHORT || known?.short || ''
      })
    }
  }
  // A SPA the type list knows but the enum did not return (should not happen, but costs nothing).
  for (const spa of spas.values()) {
    if (!out.has(spa.entityTypeId) && !staticById.has(spa.entityTypeId)) {
      out.set(spa.entityTypeId, spaOwnerType(spa.entityTypeId, spa.title, spa, true))
    }
  }
  return [...out.values()]
}

function spaOwnerType(
  id: number,
  enumName: string,
  spa: z.output<typeof spaRowSchema> | undefined,
  settingsKnown: boolean,
  symbol = `DYNAMIC_${id}`,
  short = spaShortCode(id)
): OwnerType {
  // Without crm.type.list the settings are unknown: assume yes and let validation warn.
  const supports = spa ? spa.isAutomationEnabled && spa.isStagesEnabled : !settingsKnown
  return {
    id,
    name: spa?.title || enumName || symbol,
    symbol: symbol || `DYNAMIC_${id}`,
    short: short || spaShortCode(id),
    supportsTriggers: supports,
    fanOut: false,
    isSmartProcess: true
  }
}

/** Read the portal's owner types. crm.type.list needs CRM admin rights; without them the
 * catalog still lists SPAs (from the enum) but says their automation settings are unknown. */
export async function loadOwnerTypes(client: RestCaller): Promise<OwnerTypeCatalog> {
  const enumResponse = await client.call<EnumOwnerTypeRow[]>('crm.enum.ownertype', {})
  const enumRows = Array.isArray(enumResponse.result) ? enumResponse.result : []
  let spaRows: SpaTypeRow[] | null
  let note: string | undefined
  try {
    spaRows = await listSpaTypes(client)
  } catch (err) {
    spaRows = null
    note =
      'Smart-process settings could not be read (crm.type.list needs CRM administrator rights): ' +
      `${describe(err)}. SPAs are listed, but whether their automation and stages are enabled is not checked.`
  }
  return { types: mergeOwnerTypes(enumRows, spaRows), source: 'portal', spaSettingsKnown: spaRows !== null, ...(note ? { note } : {}) }
}

async function listSpaTypes(client: RestCaller): Promise<SpaTypeRow[]> {
  const rows: SpaTypeRow[] = []
  // crm.type.list pages by 50 with `start`; the cap only guards against a portal that loops.
  for (let start: number | undefined = 0, pages = 0; start !== undefined && pages < 100; pages++) {
    const response: RestResponse<{ types?: SpaTypeRow[] }> = await client.call('crm.type.list', { start })
    rows.push(...(response.result?.types ?? []))
    start = response.next
  }
  return rows
}

function describe(err: unknown): string {
  if (err && typeof err === 'object') {
    const info = (err as { info?: { code?: unknown; description?: unknown } }).info
    if (info && typeof info.description === 'string') {
      return info.code ? `${String(info.code)}: ${info.description}` : info.description
    }
    if (err instanceof Error) return err.message
  }
  return String(err)
}

/** Find an owner type by id ("2", 2), symbol (DEAL, deal, DYNAMIC_128), short code (D, T80) or
 * display name (Deal, "сделка"), all case-insensitively. */
export function resolveOwnerType(raw: string | number, types: readonly OwnerType[]): OwnerType | undefined {
  if (typeof raw === 'number') return types.find((t) => t.id === raw)
  const text = raw.trim()
  if (!text) return undefined
  if (/^\d+$/.test(text)) return types.find((t) => t.id === Number(text))
  const upper = text.toUpperCase()
  const lower = text.toLocaleLowerCase()
  return (
    types.find((t) => t.symbol.toUpperCase() === upper) ??
    types.find((t) => t.short !== '' && t.short.toUpperCase() === upper) ??
    types.find((t) => t.name.toLocaleLowerCase() === lower)
  )
}

/** "Deal (2)": how the UI and CLI name a type. */
export function ownerTypeLabel(type: OwnerType): string {
  return `${type.name} (${type.id})`
}
