// The batch command that fires one row's trigger. App triggers go through
// crm.automation.trigger.execute (OAuth app context only); incoming-webhook triggers made in the
// automation UI go through crm.automation.trigger with target TYPENAME_ID (reference §1.5, §1.6).
import type { TriggerKind } from '../../shared/domain'
import type { BatchCommand } from '../bitrix/types'
import { STATIC_OWNER_TYPES } from '../triggers/owner-types'
import type { RowTable } from './row-table'
import type { RunMeta } from './run-types'

export function triggerMethod(kind: TriggerKind): string {
  return kind === 'app' ? 'crm.automation.trigger.execute' : 'crm.automation.trigger'
}

/** Labels are never numeric: numeric ones make the portal answer with lists. */
export function rowLabel(row: number): string {
  return `r${row}`
}

export function triggerCommand(meta: RunMeta, table: RowTable, row: number): BatchCommand {
  const ownerTypeId = table.ownerTypeId[row] as number
  const ownerId = table.ownerId[row] as number
  const code = table.code(row) || meta.trigger.code || ''
  if (meta.trigger.kind === 'app') {
    return { label: rowLabel(row), method: triggerMethod('app'), params: { CODE: code, OWNER_TYPE_ID: ownerTypeId, OWNER_ID: ownerId } }
  }
  const symbol = meta.ownerSymbols?.[ownerTypeId] ?? STATIC_OWNER_TYPES.find((t) => t.id === ownerTypeId)?.symbol ?? `DYNAMIC_${ownerTypeId}`
  return { label: rowLabel(row), method: triggerMethod('webhook'), params: { target: `${symbol}_${ownerId}`, code } }
}
