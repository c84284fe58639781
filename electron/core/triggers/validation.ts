// Local checks with the portal's own rules, run BEFORE any request. The portal either rejects
// these inputs with a terse text ("Wrong trigger code!") or, worse, answers `true` and does
// nothing (unsupported owner types), so catching them here gives every row a precise reason.
// Each issue has a stable `code` (the renderer translates by it) and an English `message`.
import type { OwnerType } from '../../shared/domain'
import { MAX_OWNER_ID, parseOwnerId } from '../../shared/owner-id'
import { isPossibleSpaId, ownerTypeLabel, resolveOwnerType, STATIC_CATALOG, STATIC_OWNER_TYPES, type OwnerTypeCatalog } from './owner-types'

export type IssueSeverity = 'error' | 'warning'
export type IssueField = 'code' | 'name' | 'ownerTypeId' | 'ownerId'

export type IssueCode =
  | 'code-empty'
  | 'code-zero'
  | 'code-chars'
  | 'code-not-lowercase'
  | 'name-empty'
  | 'owner-type-empty'
  | 'owner-type-unknown'
  | 'owner-type-unverified'
  | 'owner-type-unsupported'
  | 'owner-type-retired'
  | 'owner-type-fan-out'
  | 'owner-type-spa-disabled'
  | 'owner-type-spa-unverified'
  | 'owner-type-target-unsupported'
  | 'owner-id-empty'
  | 'owner-id-not-integer'
  | 'owner-id-not-positive'
  | 'owner-id-too-large'

export interface ValidationIssue {
  field: IssueField
  code: IssueCode
  severity: IssueSeverity
  message: string
  /** Values the message mentions, for translations. */
  params?: Record<string, string | number>
}

/** The portal's mask (#^[a-z0-9\.\-_]+$#i, reference §1.1). */
export const TRIGGER_CODE_PATTERN = /^[a-z0-9.\-_]+$/i
/** OWNER_ID is an int column; larger values can never name an item. */
export { MAX_OWNER_ID }

export function hasErrors(issues: readonly ValidationIssue[]): boolean {
  return issues.some((i) => i.severity === 'error')
}

function issue(field: IssueField, code: IssueCode, message: string, params?: ValidationIssue['params'], severity: IssueSeverity = 'error'): ValidationIssue {
  return params ? { field, code, severity, message, params } : { field, code, severity, message }
}

/** The rules of crm.automation.trigger.add/execute/delete for CODE. */
export function validateTriggerCode(code: string): ValidationIssue[] {
  if (code.length === 0) return [issue('code', 'code-empty', 'The trigger code is empty.')]
  // PHP empty() treats "0" as empty: the portal answers "Empty trigger code!".
  if (code === '0') return [issue('code', 'code-zero', 'The trigger code "0" counts as empty on the portal; choose another code.')]
  if (!TRIGGER_CODE_PATTERN.test(code)) {
    const bad = [...new Set([...code].filter((ch) => !/[a-z0-9.\-_]/i.test(ch)))]
    const shown = bad.map((ch) => (ch === ' ' ? 'space' : ch)).join(' ')
    return [
      issue('code', 'code-chars', `The trigger code may contain only Latin letters, digits, ".", "-" and "_" (found: ${shown}).`, {
        chars: shown
      })
    ]
  }
  return []
}

export function validateTriggerName(name: string): ValidationIssue[] {
  return name.trim() === '' ? [issue('name', 'name-empty', 'The trigger name is empty.')] : []
}

/** Checks for registering an app trigger (crm.automation.trigger.add). */
export function validateNewTrigger(input: { code: string; name: string }): ValidationIssue[] {
  const issues = [...validateTriggerCode(input.code), ...validateTriggerName(input.name)]
  if (!hasErrors(issues) && input.code !== input.code.toLowerCase()) {
    issues.push(
      issue(
        'code',
        'code-not-lowercase',
        `Prefer a lowercase code: the portal compares codes case-sensitively, so "${input.code}" and "${input.code.toLowerCase()}" would be different triggers.`,
        { code: input.code },
        'warning'
      )
    )
  }
  return issues
}

export type OwnerIdCheck = { ok: true; value: number } | { ok: false; issue: ValidationIssue }

/** OWNER_ID as typed or read from a CSV cell: a whole number from 1 to 2147483647. */
export function checkOwnerId(raw: unknown): OwnerIdCheck {
  let value: number
  if (typeof raw === 'number') {
    value = raw
  } else if (typeof raw === 'string') {
    // Text goes through the same rule as a CSV cell (electron/shared/owner-id), so a typed ID
    // and a spreadsheet ID are refused for the same reasons.
    const text = raw.trim()
    const parsed = parseOwnerId(text)
    if (parsed.ok) return { ok: true, value: parsed.id }
    if (parsed.reason === 'empty') return { ok: false, issue: issue('ownerId', 'owner-id-empty', 'The item ID is empty.') }
    if (parsed.reason === 'not-integer') {
      return { ok: false, issue: issue('ownerId', 'owner-id-not-integer', `The item ID "${text}" is not a whole number.`, { value: text }) }
    }
    if (parsed.reason === 'not-positive') {
      return { ok: false, issue: issue('ownerId', 'owner-id-not-positive', `The item ID must be greater than 0 (got ${text}).`, { value: text }) }
    }
    return {
      ok: false,
      issue: issue('ownerId', 'owner-id-too-large', `The item ID ${text} is larger than any ID the portal can store (${MAX_OWNER_ID}).`, { value: text })
    }
  } else {
    return { ok: false, issue: issue('ownerId', 'owner-id-empty', 'The item ID is empty.') }
  }
  if (!Number.isInteger(value)) {
    return { ok: false, issue: issue('ownerId', 'owner-id-not-integer', `The item ID ${value} is not a whole number.`, { value: String(value) }) }
  }
  if (value <= 0) {
    return { ok: false, issue: issue('ownerId', 'owner-id-not-positive', `The item ID must be greater than 0 (got ${value}).`, { value }) }
  }
  if (value > MAX_OWNER_ID) {
    return {
      ok: false,
      issue: issue('ownerId', 'owner-id-too-large', `The item ID ${value} is larger than any ID the portal can store (${MAX_OWNER_ID}).`, { value: String(value) })
    }
  }
  return { ok: true, value }
}

export interface OwnerTypeCheck {
  /** Set when the type was resolved, even if it carries warnings. */
  type?: OwnerType
  /** The numeric id to send (also for an unverified SPA id not in the catalog). */
  id?: number
  issues: ValidationIssue[]
}

/** Resolves OWNER_TYPE_ID (id, symbol, short code or name) and says whether a trigger can act on it. */
export function checkOwnerType(raw: string | number, catalog: OwnerTypeCatalog = STATIC_CATALOG): OwnerTypeCheck {
  const text = String(raw).trim()
  if (text === '') return { issues: [issue('ownerTypeId', 'owner-type-empty', 'The owner type is empty.')] }
  // The portal's own list leaves out types it still defines (6 Activity...): sent, they would get
  // `true` and do nothing, so the built-in list names them for a precise rejection.
  const type = resolveOwnerType(raw, catalog.types) ?? resolveOwnerType(raw, STATIC_OWNER_TYPES)
  if (!type) {
    const numeric = spaIdOf(text)
    if (numeric !== undefined && catalog.source === 'static' && isPossibleSpaId(numeric)) {
      return {
        id: numeric,
        issues: [
          issue(
            'ownerTypeId',
            'owner-type-unverified',
            `Owner type ${numeric} may be a smart process; it cannot be checked without the portal. If it has no automation or stages, the portal will answer true and do nothing.`,
            { id: numeric },
            'warning'
          )
        ]
      }
    }
    return {
      issues: [issue('ownerTypeId', 'owner-type-unknown', `Owner type "${text}" does not exist on this portal.`, { value: text })]
    }
  }
  return { type, id: type.id, issues: supportIssues(type, catalog) }
}

/** An id written as a number, DYNAMIC_177 or a short code (Tb1 = 0xb1 = 177). */
function spaIdOf(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text)
  const symbol = /^DYNAMIC_(\d+)$/i.exec(text)
  if (symbol) return Number(symbol[1])
  const short = /^T([0-9a-f]+)$/i.exec(text)
  return short ? parseInt(short[1] as string, 16) : undefined
}

/** The old invoice: still defined, but since crm 22.1800 automation does not run on it. */
const OLD_INVOICE = 5

function supportIssues(type: OwnerType, catalog: OwnerTypeCatalog): ValidationIssue[] {
  const label = ownerTypeLabel(type)
  const params = { id: type.id, name: type.name }
  if (type.fanOut) {
    return [
      issue(
        'ownerTypeId',
        'owner-type-fan-out',
        `${label} has no triggers of its own: the portal fires the trigger for ONE linked deal (the most recently modified one still in progress), plus the linked orders and smart-process items; the other deals of this ${type.id === 3 ? 'contact' : 'company'} do not move.`,
        params,
        'warning'
      )
    ]
  }
  if (type.isSmartProcess) {
    if (!catalog.spaSettingsKnown) {
      return [
        issue(
          'ownerTypeId',
          'owner-type-spa-unverified',
          `Could not check that automation and stages are enabled for ${label}; if they are not, the portal will answer true and do nothing.`,
          params,
          'warning'
        )
      ]
    }
    if (!type.supportsTriggers) {
      return [
        issue(
          'ownerTypeId',
          'owner-type-spa-disabled',
          `${label} needs both automation and stages enabled in its settings; otherwise the portal answers true and does nothing.`,
          params
        )
      ]
    }
    return []
  }
  if (type.id === OLD_INVOICE) {
    return [
      issue(
        'ownerTypeId',
        'owner-type-retired',
        `${label}: automation no longer runs on old invoices (crm 22.1800 and later), so the portal would answer true and do nothing. Use the new invoice (type 31, SMART_INVOICE).`,
        params
      )
    ]
  }
  if (!type.supportsTriggers) {
    return [
      issue(
        'ownerTypeId',
        'owner-type-unsupported',
        `${label} has no automation triggers: the portal would answer true and do nothing.`,
        params
      )
    ]
  }
  return []
}

export interface CheckedExecute {
  issues: ValidationIssue[]
  /** Present when there are no errors: the exact parameters to send. */
  params?: { CODE: string; OWNER_TYPE_ID: number; OWNER_ID: number }
  ownerType?: OwnerType
}

/** Checks for firing an app trigger (crm.automation.trigger.execute). */
export function validateExecute(
  input: { code: string; ownerTypeId: string | number; ownerId: unknown },
  catalog: OwnerTypeCatalog = STATIC_CATALOG
): CheckedExecute {
  const issues = validateTriggerCode(input.code)
  const type = checkOwnerType(input.ownerTypeId, catalog)
  issues.push(...type.issues)
  const owner = checkOwnerId(input.ownerId)
  if (!owner.ok) issues.push(owner.issue)
  if (hasErrors(issues) || !owner.ok || type.id === undefined) return { issues, ...(type.type ? { ownerType: type.type } : {}) }
  return {
    issues,
    params: { CODE: input.code, OWNER_TYPE_ID: type.id, OWNER_ID: owner.value },
    ...(type.type ? { ownerType: type.type } : {})
  }
}

export interface CheckedWebhookTrigger {
  issues: ValidationIssue[]
  /** Present when there are no errors: `target` (TYPENAME_ID) and `code` to send. */
  params?: { target: string; code: string }
  ownerType?: OwnerType
}

/** Checks for firing an incoming-webhook trigger (crm.automation.trigger, target = TYPENAME_ID).
 * The portal splits `target` on its LAST "_" (proxy.php since 2022), so SMART_INVOICE_5 is type
 * 31, item 5. Webhook triggers do not act on smart processes at all (webhooktrigger.php:
 * areDynamicTypesSupported() is false): the portal would answer true and do nothing. */
export function validateWebhookTrigger(
  input: { code: string; ownerType: string | number; ownerId: unknown },
  catalog: OwnerTypeCatalog = STATIC_CATALOG
): CheckedWebhookTrigger {
  // Webhook-trigger codes are generated by the automation UI; the app-trigger mask does not apply.
  const issues: ValidationIssue[] = input.code.trim() === '' ? [issue('code', 'code-empty', 'The trigger code is empty.')] : []
  const type = checkOwnerType(input.ownerType, catalog)
  const owner = checkOwnerId(input.ownerId)
  if (!owner.ok) issues.push(owner.issue)
  const spaId = type.type?.isSmartProcess ? type.type.id : !type.type && type.id !== undefined ? type.id : undefined
  if (spaId !== undefined) {
    issues.push(
      issue(
        'ownerTypeId',
        'owner-type-target-unsupported',
        `Incoming-webhook triggers do not work on smart processes (type ${spaId}): the portal would answer true and do nothing. Use an app trigger (OAuth profile) instead.`,
        { id: spaId, ...(type.type && { name: type.type.name, symbol: type.type.symbol }) }
      )
    )
  } else {
    issues.push(...type.issues)
  }
  if (hasErrors(issues) || !owner.ok || !type.type) return { issues, ...(type.type ? { ownerType: type.type } : {}) }
  return { issues, params: { target: `${type.type.symbol}_${owner.value}`, code: input.code.trim() }, ownerType: type.type }
}
