// Checks a CRM run makes before reading anything: the type can run triggers, the code is valid.
import { checkOwnerType as check, TRIGGER_CODE_PATTERN } from '../triggers/validation'
import type { OwnerTypeCatalog } from '../triggers/owner-types'
import { CrmSelectionError } from './crm-source'

export function checkOwnerType(entityTypeId: number, catalog: OwnerTypeCatalog): { id: number; name: string } {
  const checked = check(entityTypeId, catalog)
  const error = checked.issues.find((i) => i.severity === 'error')
  if (error || !checked.type) throw new CrmSelectionError('bad-selection', `This CRM type cannot be used: ${error?.message ?? 'unknown type'}`)
  return { id: checked.type.id, name: checked.type.name }
}

export function isValidTriggerCodeText(code: string): boolean {
  return code !== '0' && TRIGGER_CODE_PATTERN.test(code)
}
