// CRM owner types (reference §6): the static table of crm.enum.ownertype, CCrmOwnerType::IsDefined
// and which types crm.automation.trigger.execute acts on.

export interface StaticOwnerType {
  id: number
  name: string
  symbol: string
  short: string
}

/** The documented crm.enum.ownertype rows (SPAs are appended from the portal's state). */
export const STATIC_OWNER_TYPES: readonly StaticOwnerType[] = [
  { id: 1, name: 'Lead', symbol: 'LEAD', short: 'L' },
  { id: 2, name: 'Deal', symbol: 'DEAL', short: 'D' },
  { id: 3, name: 'Contact', symbol: 'CONTACT', short: 'C' },
  { id: 4, name: 'Company', symbol: 'COMPANY', short: 'CO' },
  { id: 5, name: 'Invoice (old version)', symbol: 'INVOICE', short: 'I' },
  { id: 31, name: 'Invoice', symbol: 'SMART_INVOICE', short: 'SI' },
  { id: 7, name: 'Quote', symbol: 'QUOTE', short: 'Q' },
  { id: 8, name: 'Billing Details', symbol: 'REQUISITE', short: 'RQ' },
  { id: 14, name: 'Order', symbol: 'ORDER', short: 'O' },
  { id: 36, name: 'Document', symbol: 'SMART_DOCUMENT', short: 'DO' },
  { id: 39, name: 'Company Document', symbol: 'SMART_B2E_DOC', short: 'SBD' }
]

/** CCrmOwnerTypeAbbr: every short code but the old invoice's, which ResolveID does not know ([owner]). */
const BY_NAME = new Map<string, number>()
for (const t of STATIC_OWNER_TYPES) {
  BY_NAME.set(t.symbol, t.id)
  if (t.id !== 5) BY_NAME.set(t.short, t.id)
}

/** SPA ids ([owner] isPossibleDynamicTypeId): 128..191, and from 1030 on. */
export function isPossibleDynamicTypeId(id: number): boolean {
  return (id >= 128 && id < 192) || id >= 1030
}

/** CCrmOwnerType::ResolveID: trimmed and upper-cased; names, abbreviations (D, L, CO...) and
 * DYNAMIC_<n>; 0 when unknown ([owner]). */
export function resolveOwnerTypeName(name: string): number {
  const key = name.trim().toUpperCase()
  if (key === '') return 0
  const known = BY_NAME.get(key)
  if (known !== undefined) return known
  const dynamic = /^DYNAMIC_(\d+)$/.exec(key)
  if (dynamic) {
    const id = Number(dynamic[1])
    return isPossibleDynamicTypeId(id) ? id : 0
  }
  return 0
}

/** CCrmOwnerType::IsDefined for non-SPA ids: 1..40 (crm 24.800.0) and 1024 (System) ([owner]). */
export function isStaticDefined(id: number): boolean {
  return (id >= 1 && id <= 40) || id === 1024
}

/** The "suspended" (recycle-bin) twin of a SPA id ([owner]): +64 for 128..191, +1 from 1030. */
export function suspendedTwinOf(spaId: number): number {
  return spaId < 192 ? spaId + 64 : spaId + 1
}

/** Types a trigger acts on directly ([base] BaseTrigger::isSupported); SPAs are checked separately.
 * The old invoice (5) is not: since crm 22.1800 automation no longer runs on it, so a trigger
 * there answers true and does nothing. */
export const TRIGGER_TYPES: ReadonlySet<number> = new Set([1, 2, 7, 14, 31, 36])

/** Contacts and companies fan out to the items linked to them ([doc-later]). */
export const FAN_OUT_TYPES: ReadonlySet<number> = new Set([3, 4])

/** SPA short symbol code: "T" + lowercase hex of the id (128 -> T80). */
export function spaShortCode(entityTypeId: number): string {
  return `T${entityTypeId.toString(16)}`
}
