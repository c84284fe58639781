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

const BY_SYMBOL = new Map(STATIC_OWNER_TYPES.map((t) => [t.symbol, t.id]))

/** CCrmOwnerType::ResolveID for static names (`DYNAMIC` alone resolves to nothing). */
export function resolveStaticSymbol(symbol: string): number | undefined {
  return BY_SYMBOL.get(symbol.toUpperCase())
}

/** CCrmOwnerType::IsDefined for non-SPA ids: every static id 1..37 ([src]), SMART_B2E_DOC and 1024. */
export function isStaticDefined(id: number): boolean {
  return (id >= 1 && id <= 37) || id === 39 || id === 1024
}

/** Types a trigger acts on directly ([src] BaseTrigger::isSupported); SPAs are checked separately. */
export const TRIGGER_TYPES: ReadonlySet<number> = new Set([1, 2, 5, 7, 14, 31, 36])

/** Contacts and companies fan out to the items linked to them ([doc-later]). */
export const FAN_OUT_TYPES: ReadonlySet<number> = new Set([3, 4])

/** SPA short symbol code: "T" + lowercase hex of the id (128 -> T80). */
export function spaShortCode(entityTypeId: number): string {
  return `T${entityTypeId.toString(16)}`
}
