// What a run is: the request as stored in run.json, and the options the runner obeys.
// No secret ever belongs here: the profile is named by id, name and portal origin only.
import type {
  CrmSelection,
  CsvColumnMapping,
  CsvSourceLayout,
  ImportedRow,
  OperatingLimits,
  PlanPreset,
  ProfileKind,
  RateLimits,
  TriggerKind
} from '../../shared/domain'
import type { RerunInclude } from '../../shared/ipc'

export interface RunProfileRef {
  id: string
  name: string
  /** Portal origin, e.g. https://example.bitrix24.com */
  portalUrl: string
  kind: ProfileKind
}

export interface RunSource {
  /** File name shown in history ("pasted list" for pasted input). */
  name: string
  path?: string
  mapping?: CsvColumnMapping
  /** How the file was read, so the export can re-read its columns. */
  layout?: CsvSourceLayout
  /** Items chosen in the CRM: the selection and the exact crm.item.list filter that produced
   * the rows, frozen into the journal before the first trigger was sent. */
  crm?: CrmSourceRecord
}

export interface CrmSourceRecord {
  entityTypeId: number
  selection: CrmSelection
  /** The filter sent to crm.item.list (without the `>id` paging bound). */
  filter: Record<string, unknown>
  /** When the IDs were read (ISO 8601). */
  frozenAt: string
}

export interface RunSettings {
  /** Read each item's stage before and after (crm.item.list) and report moved / unchanged / not found. */
  verify: boolean
  plan: PlanPreset
  rate: RateLimits
  operating: OperatingLimits
  /** Sends per row that the platform rejected before running (QUERY_LIMIT_EXCEEDED, OPERATION_TIME_LIMIT per row). */
  maxAttempts: number
  /** Batches in flight at most. */
  maxInFlight: number
  /** Server seconds one batch should take at most (the cloud cuts requests at 60 s). */
  targetBatchSec: number
}

export const DEFAULT_SETTINGS: Omit<RunSettings, 'plan' | 'rate' | 'operating'> = {
  verify: false,
  maxAttempts: 5,
  maxInFlight: 6,
  targetBatchSec: 20
}

export interface RunMeta {
  version: 1
  id: string
  createdAt: string
  profile: RunProfileRef
  trigger: { kind: TriggerKind; /** Default code for rows without one. */ code?: string }
  defaultOwnerTypeId?: number
  /** Owner type id → SYMBOL_CODE, for webhook triggers (target = SYMBOL_ID) of types outside the built-in list. */
  ownerSymbols?: Record<number, string>
  source: RunSource
  options: RunSettings
  totalRows: number
  parentRunId?: string
  /** For re-runs: which rows of the parent were taken. */
  rerunOf?: RerunInclude
}

export type PlannedRow = Pick<ImportedRow, 'line' | 'ownerTypeId' | 'ownerId' | 'code' | 'verdict' | 'raw' | 'duplicateOf' | 'idCell'>

export interface RunSpec {
  profile: RunProfileRef
  trigger: RunMeta['trigger']
  defaultOwnerTypeId?: number
  ownerSymbols?: Record<number, string>
  source: RunSource
  options?: Partial<RunSettings>
  /** Valid and skipped rows, in file order (the importer's output). */
  rows: readonly PlannedRow[]
  parentRunId?: string
  rerunOf?: RerunInclude
}
