// Domain types shared by core, main, preload, CLI and renderer. Types only: no runtime imports
// (the renderer bundles this file, core imports it with `import type`).

/** How a portal is reached. Secrets are never part of these objects (they live in the keychain). */
export type ProfileKind = 'webhook' | 'oauth'

export interface Profile {
  id: string
  name: string
  kind: ProfileKind
  /** Portal origin, e.g. https://example.bitrix24.com (http only for loopback). */
  portalUrl: string
  /** Webhook: the user id in /rest/{userId}/{secret}/. OAuth: the user the token was issued for. */
  userId?: number
  /** OAuth only: the local app's client_id (not secret). */
  clientId?: string
  /** Request-rate preset of the portal's plan. */
  plan: PlanPreset
  createdAt: string
  updatedAt: string
  /** The renderer only ever learns whether a secret exists, never the secret. */
  hasSecret: boolean
  /** OAuth only: the client secret is stored but there is no token pair yet (sign in first). */
  needsSignIn?: boolean
  /** Set when the keychain could not be asked: hasSecret is then unknown, not false (a locked
   * keychain must not make a healthy profile look as if its secret were missing). */
  keychain?: 'locked' | 'unavailable'
}

export type PlanPreset = 'standard' | 'enterprise' | 'custom'

export interface RateLimits {
  /** Requests the bucket holds before 503 QUERY_LIMIT_EXCEEDED (50 standard, 250 enterprise). */
  burst: number
  /** Requests drained per second (2 standard, 5 enterprise). */
  drainPerSec: number
}

export interface OperatingLimits {
  /** Seconds of server time per method per window (480 in the cloud). */
  limitSec: number
  /** Rolling window length in seconds (600 in the cloud). */
  windowSec: number
}

/** Error classes (DESIGN.md, Outcomes; reference §7). */
export type ErrorKind =
  /** The platform guarantees it did not run: QUERY_LIMIT_EXCEEDED, OPERATION_TIME_LIMIT, expired_token, connection never opened. */
  | 'retry-safe'
  /** The portal answered with an error for this call/row. */
  | 'definite'
  /** Sent, no trustworthy answer: timeout, reset, 5xx without a code, a body that is not JSON. */
  | 'ambiguous'
  /** Would fail every row the same way: auth, ACCESS_DENIED, trigger not registered, OVERLOAD_LIMIT, PAYMENT_REQUIRED... */
  | 'run-fatal'

export interface ErrorInfo {
  /** The portal's `error` string as received ("" allowed); synthetic codes for transport faults. */
  code: string
  /** The portal's `error_description`, redacted. */
  description: string
  /** HTTP status, 0 when there was no response. */
  status: number
  kind: ErrorKind
}

export type Outcome = 'succeeded' | 'failed' | 'uncertain' | 'skipped' | 'not-run'
export const OUTCOMES: readonly Outcome[] = ['succeeded', 'failed', 'uncertain', 'skipped', 'not-run']

export type Verification =
  | { state: 'moved'; from: string; to: string }
  | { state: 'unchanged'; stage: string }
  | { state: 'not-found' }

/** Trigger kinds: app triggers (crm.automation.trigger.execute, OAuth app context only) and
 * incoming-webhook triggers made in the automation UI (crm.automation.trigger, target + code). */
export type TriggerKind = 'app' | 'webhook'

export interface OwnerType {
  id: number
  name: string
  symbol: string
  short: string
  /** Whether crm.automation.trigger.execute acts on it directly. */
  supportsTriggers: boolean
  /** Contacts and companies fan out to linked deals/items. */
  fanOut: boolean
  isSmartProcess: boolean
}

export interface RestTime {
  start?: number
  finish?: number
  duration?: number
  processing?: number
  operating?: number
  operating_reset_at?: number
  date_start?: string
  date_finish?: string
}

export type BindingConstraint = 'rate' | 'operating' | 'latency' | 'none'

// ---- CSV import (electron/core/runs/csv-import.ts): preview, mapping, per-row verdicts ----

/** How a CSV file's bytes were decoded (UTF-16 only with a byte-order mark). */
export type CsvEncoding = 'utf-8' | 'windows-1251' | 'utf-16le' | 'utf-16be'
export const CSV_ENCODINGS: readonly CsvEncoding[] = ['utf-8', 'windows-1251', 'utf-16le', 'utf-16be']

/** Field separators the importer knows, in detection order. A one-column file has none (null). */
export type CsvDelimiter = ';' | '\t' | ',' | '|'
export const CSV_DELIMITERS: readonly CsvDelimiter[] = [';', '\t', ',', '|']

/** Why an input row is not run. The renderer translates by code; core has English texts. */
export type SkipReason =
  | 'empty'
  | 'not-integer'
  | 'not-positive'
  | 'too-large'
  | 'unknown-owner-type'
  /** The type exists but a trigger cannot act on it (activity, requisite, a smart process
   * without automation or stages): the portal would answer true and do nothing. */
  | 'unsupported-owner-type'
  | 'missing-owner-type'
  | 'bad-code'
  | 'missing-code'
  | 'duplicate'
  /** The row is longer than the importer reads (1 MiB by default); its cells are not read. */
  | 'too-long'
  /** A quoted field is not closed properly; the row is dropped and reading resumes on the next line. */
  | 'bad-quotes'
export const SKIP_REASONS: readonly SkipReason[] = [
  'empty',
  'not-integer',
  'not-positive',
  'too-large',
  'unknown-owner-type',
  'unsupported-owner-type',
  'missing-owner-type',
  'bad-code',
  'missing-code',
  'duplicate',
  'too-long',
  'bad-quotes'
]

export type RowVerdict = 'valid' | SkipReason

/** One input row after import. Compact on purpose (a file may hold 1,000,000 of them): the
 * source columns are not kept; the export re-reads them from the file by line number. */
export interface ImportedRow {
  /** 1-based line where the row starts in the file, header counted. For a pasted list: the item's position. */
  line: number
  /** 0 when the ID cell is not a valid ID. */
  ownerId: number
  /** 0 when not resolved. */
  ownerTypeId: number
  /** '' when missing or invalid. */
  code: string
  verdict: RowVerdict
  /** For 'duplicate': the line of the earlier valid row with the same (code, ownerTypeId, ownerId). */
  duplicateOf?: number
  /** For a skip caused by a cell's content: that cell as read, cut to 100 characters. */
  raw?: string
  /** For a skipped row: its owner-ID cell as read (trimmed, cut to 100 characters), so the row
   * can be shown as it was in the file; absent when the cell was empty or could not be read.
   * Valid rows do not carry it: their ownerId says it, and a million of them must stay small. */
  idCell?: string
}

/** How a source file was read: enough for the export to read its columns again. */
export interface CsvSourceLayout {
  encoding: CsvEncoding
  delimiter: CsvDelimiter | null
  hasHeader: boolean
  /** Header cells, or column_1..column_N; as many as the widest row. */
  columns: string[]
  byteLength: number
  /** Hex SHA-256 of the file, so a file changed since the import is refused rather than misread. */
  sha256: string
  /** 'xlsx' for an Excel workbook (encoding and delimiter then mean nothing); absent: CSV. */
  format?: 'xlsx'
  /** Workbook: the sheet read. */
  sheet?: string
  /** Workbook: the header's row number (rows above it are not data); absent: the first non-empty row when hasHeader. */
  headerRow?: number
}

export interface ImportSummary {
  /** Rows read, header excluded. */
  total: number
  valid: number
  skipped: number
  /** Count per reason; reasons that never occurred are 0. */
  byReason: Record<SkipReason, number>
  /** How the file was read; absent for a pasted list. */
  source?: CsvSourceLayout
  /** Lines with nothing in them, passed over: not rows, so not skips either. */
  blankLines?: number
  /** A pasted list's first line, read as a column header (e.g. "ID") rather than as an ID. */
  header?: string
}

export interface CsvColumnInfo {
  index: number
  /** Header cell, or "column_N" without a header. */
  name: string
  /** First non-empty values below the header. */
  sample: string[]
}

/** What inspectCsv learns from a file's head, for the column-mapping preview. */
export interface CsvInspection {
  encoding: CsvEncoding
  delimiter: CsvDelimiter | null
  hasHeader: boolean
  columns: CsvColumnInfo[]
  /** The first rows as parsed, the header row included when there is one; cells cut to 200
   * characters; a row too long or malformed to read is []. */
  previewRows: string[][]
  /** The line each preview row starts on. */
  previewLines: number[]
  /** Data rows, from the file's line count (rows with multi-line cells make it an over-estimate). */
  totalRowsEstimate?: number
  suggested: { idColumn?: number; ownerTypeColumn?: number; codeColumn?: number }
  /** 'xlsx' for an Excel workbook; absent: CSV. */
  format?: 'csv' | 'xlsx'
  /** Workbook: every sheet's name, in order. */
  sheets?: string[]
  /** Workbook: the sheet shown (the one asked for, or the first that looks like a list of IDs). */
  sheet?: string
  /** Workbook: the header's row number as the spreadsheet shows it (rows above are titles). */
  headerRow?: number
}

/** The user's choices after the preview (0-based column indexes). */
export interface CsvColumnMapping {
  idColumn: number
  ownerTypeColumn?: number
  codeColumn?: number
  hasHeader: boolean
  /** Omitted: detected. null: one column, no separator. */
  delimiter?: CsvDelimiter | null
  /** Omitted: detected. */
  encoding?: CsvEncoding
  /** Workbook: the sheet to read (omitted: the first). */
  sheet?: string
  /** Workbook: the header's row number; rows above it are skipped (omitted: the first non-empty row when hasHeader). */
  headerRow?: number
}

/** Values for rows whose mapping has no owner-type or code column, or whose cell is empty. */
export interface ImportDefaults {
  ownerTypeId?: number
  code?: string
}

// ---- Items chosen in the CRM (electron/core/runs/crm-source.ts) -----------------------------

/** Which CRM items a run fires on, as filters of crm.item.list. Dates are days (YYYY-MM-DD),
 * both ends included, in the portal's time. */
export interface CrmSelection {
  entityTypeId: number
  /** Pipeline (crm.category.list id); absent: every pipeline. */
  categoryId?: number
  /** Stage ids (C3:NEW), any of them; absent: every stage. */
  stageIds?: string[]
  createdFrom?: string
  createdTo?: string
  updatedFrom?: string
  updatedTo?: string
  /** Responsible users (assignedById), any of them. */
  assignedByIds?: number[]
  /** Extra crm.item.list filter for experts, as JSON ({"opportunity": 0, ">=opportunity": 1000}). */
  rawFilter?: string
}

/** A pipeline and its stages, to choose from. */
export interface CrmCategoryInfo {
  id: number
  name: string
  isDefault: boolean
  stages: { id: string; name: string }[]
}

/** What a selection matches right now: the count and the first few items. */
export interface CrmSelectionCount {
  count: number
  sample: { id: number; title: string; stageId?: string; categoryId?: number; assignedById?: number; createdTime?: string }[]
  /** The crm.item.list filter the selection became. */
  filter: Record<string, unknown>
}

/** Before firing (electron/core/runs/preview.ts): where the selected items are now, and how long
 * the run should take. */
export interface RunPreview {
  /** Distinct items looked at (valid rows). */
  items: number
  /** Items per pipeline and stage, most first. */
  byStage: { ownerTypeId: number; categoryId: number; stageId: string; stageName?: string; count: number }[]
  /** Not found, or not visible to this user (the portal does not tell them apart). */
  notFound: number
  notFoundSample: number[]
  /** Types without stages (contacts, companies): not read. */
  unreadable: number
  /** Reads that failed: their stage is unknown. */
  failed: number
  estimate: {
    /** Requests of up to 50 triggers. */
    requests: number
    /** Time the request limit alone needs (the opening burst is free). */
    rateSec: number
    /** Time the operating budget needs at the known cost per trigger; absent when not yet known. */
    operatingSec?: number
    seconds: number
    binding: 'rate' | 'operating'
  }
}
