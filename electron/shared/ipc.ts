// The IPC contract between the renderer and the main process: one list of method names, the
// request/result types, and the push events. The preload builds `window.api` from API_METHODS;
// the main process registers one handler per name; the e2e harness bridges the same list, so a
// drifted channel breaks a test. Types and constants only: no runtime imports.
import type {
  BindingConstraint,
  CrmCategoryInfo,
  CrmSelection,
  CrmSelectionCount,
  RunPreview,
  ErrorInfo,
  Outcome,
  OwnerType,
  PlanPreset,
  Profile,
  RateLimits,
  OperatingLimits,
  RestTime,
  TriggerKind,
  Verification
} from './domain'

/** Every handler answers with data or a plain error; never throws across the bridge. */
export type IpcResult<T> = { ok: true; data: T } | { ok: false; error: IpcError }

export interface IpcError {
  /** Stable code: a portal code (e.g. ACCESS_DENIED), or VALIDATION, KEYCHAIN_UNAVAILABLE, NOT_FOUND, INTERNAL... */
  code: string
  /** Words an admin understands (redacted). */
  message: string
  /** The portal's own text, when there is one (redacted). */
  portalText?: string
  kind?: ErrorInfo['kind']
}

// ---- Profiles --------------------------------------------------------------------------------

export interface AddWebhookProfileRequest {
  name: string
  webhookUrl: string
  plan: PlanPreset
}

export interface AddOAuthProfileRequest {
  name: string
  portalUrl: string
  clientId: string
  clientSecret: string
  plan: PlanPreset
  /** Optional pasted token pair (otherwise use signIn). */
  accessToken?: string
  refreshToken?: string
}

export interface UpdateProfileRequest {
  id: string
  name?: string
  plan?: PlanPreset
  /** Replace the webhook URL (webhook profiles) */
  webhookUrl?: string
  /** Replace the client secret (OAuth profiles) */
  clientSecret?: string
  /** Correct the portal address (OAuth profiles; its tokens are dropped: they belong to the old one) */
  portalUrl?: string
  /** Correct the client ID (OAuth profiles; likewise drops the tokens) */
  clientId?: string
}

export interface ConnectionReport {
  ok: boolean
  user?: { id: number; name: string; isAdmin: boolean }
  /** The token is an installed app's: app triggers can be registered and fired. */
  appContext: boolean
  scopes: string[]
  canRunAppTriggers: boolean
  canRunWebhookTriggers: boolean
  /** One sentence for the admin. */
  message: string
  error?: IpcError
}

// ---- Triggers and single runs ---------------------------------------------------------------

export interface AppTrigger {
  code: string
  name: string
}

export interface RunOneRequest {
  profileId: string
  kind: TriggerKind
  code: string
  ownerTypeId: number
  ownerId: number
  verify: boolean
}

export interface RunOneResult {
  outcome: Outcome
  error?: IpcError
  time?: RestTime
  /** Wall time measured by the app, ms. */
  elapsedMs: number
  verification?: Verification
  /** Warnings from local validation, e.g. contact/company fan-out. */
  warnings: string[]
}

// ---- CSV sources -----------------------------------------------------------------------------

export type CsvSource = { path: string } | { name: string; bytes: Uint8Array } | { name: string; text: string; pasted: true }

export interface CsvColumn {
  index: number
  name: string
  sample: string[]
}

export interface CsvInspection {
  sourceName: string
  encoding: string
  delimiter: string
  hasHeader: boolean
  columns: CsvColumn[]
  /** The file's first rows as parsed, the header row INCLUDED when there is one (as core's
   * inspectCsv gives them), so the renderer can let the admin overrule header detection. */
  previewRows: string[][]
  /** The line each preview row starts on (optional). */
  previewLines?: number[]
  /** Data rows, estimated from the file's line count (optional). */
  totalRowsEstimate?: number
  suggested: { idColumn?: number; ownerTypeColumn?: number; codeColumn?: number }
  /** 'xlsx' for an Excel workbook (optional; absent: CSV). */
  format?: 'csv' | 'xlsx'
  /** Workbook: every sheet's name, in order. */
  sheets?: string[]
  /** Workbook: the sheet shown. */
  sheet?: string
  /** Workbook: the header's row number as the spreadsheet shows it. */
  headerRow?: number
}

/** Workbook choices for csv.inspect (a CSV ignores them). */
export interface CsvInspectOptions {
  sheet?: string
  /** The header's row number; 0 = no header row. */
  headerRow?: number
}

export interface CsvMapping {
  idColumn: number
  ownerTypeColumn?: number
  codeColumn?: number
  hasHeader: boolean
  delimiter?: string
  /** Workbook: the sheet to read. */
  sheet?: string
  /** Workbook: the header's row number (rows above are skipped); 0 = none. */
  headerRow?: number
}

export interface ValidationSummary {
  total: number
  valid: number
  /** count per skip reason code */
  skipped: Record<string, number>
  /** first skipped rows, for the preview: line, reason text */
  examples: { line: number; reason: string; detail: string; /** the offending cell */ value?: string }[]
  /** Skipped rows grouped by reason, most frequent first: every line of each reason (as ranges)
   * and a few examples of each, so a file can be fixed from the check alone. */
  groups?: SkipGroup[]
  /** Blank lines passed over (not counted as rows). */
  blankLines?: number
  /** A pasted list's first line, taken as a header rather than an ID. */
  header?: string
}

export interface SkipGroup {
  reason: string
  count: number
  /** Line numbers (the spreadsheet's row numbers) as [first, last] ranges, ascending. */
  ranges: [number, number][]
  /** Lines of this reason not listed in `ranges` (past the listing cap). */
  unlisted: number
  examples: { line: number; detail: string; value?: string }[]
}

// ---- Runs ------------------------------------------------------------------------------------

export interface RunOptions {
  verify: boolean
  plan: PlanPreset
  /** Only with plan 'custom' */
  rate?: RateLimits
  operating?: OperatingLimits
  maxAttempts?: number
}

export interface CreateRunRequest {
  profileId: string
  kind: TriggerKind
  /** Default trigger code when no code column is mapped. */
  code?: string
  /** Default owner type when no owner-type column is mapped. */
  ownerTypeId?: number
  source: CsvSource
  mapping: CsvMapping
  options: RunOptions
}

/** A run on items chosen in the CRM (electron/core/runs/crm-run.ts). */
export interface CreateCrmRunRequest {
  profileId: string
  kind: TriggerKind
  code: string
  selection: CrmSelection
  options: RunOptions
}

/** What to preview: the rows of a file or pasted list, or the items of a CRM selection. */
export type PreviewRequest = { file: CreateRunRequest } | { crm: Omit<CreateCrmRunRequest, 'code'> & { code?: string } }

export type RunStatus = 'ready' | 'running' | 'paused' | 'cancelling' | 'cancelled' | 'finished' | 'interrupted'

export interface RunCounts {
  total: number
  pending: number
  succeeded: number
  failed: number
  uncertain: number
  skipped: number
  'not-run': number
}

export interface RunSummaryView {
  id: string
  createdAt: string
  finishedAt?: string
  profileId: string
  profileName: string
  portalUrl: string
  kind: TriggerKind
  code?: string
  ownerTypeId?: number
  sourceName: string
  status: RunStatus
  counts: RunCounts
  verify: boolean
  parentRunId?: string
  /** For a re-run: which rows of the parent it took. */
  rerunOf?: RerunInclude
  /** The rows were pasted, not read from a file: History names the run by date and trigger. */
  pasted?: boolean
  /** When paused by a run-fatal error: why, in plain words. */
  pauseReason?: string
  /** The same error with its code and the portal's own text, so the renderer can explain it in
   * the admin's language (optional; pauseReason stays the fallback). */
  pauseError?: IpcError
}

export interface RunProgressEvent {
  runId: string
  status: RunStatus
  counts: RunCounts
  rowsPerSecond: number
  etaSeconds?: number
  binding: BindingConstraint
  /** Unix ms until which the run waits for an operating-budget reset. */
  waitingUntil?: number
  pauseReason?: string
  /** See RunSummaryView.pauseError. */
  pauseError?: IpcError
}

export interface RunRowView {
  index: number
  line: number
  ownerTypeId: number
  ownerId: number
  code: string
  outcome: Outcome | 'pending'
  errorCode?: string
  errorText?: string
  attempts: number
  verification?: Verification
  finishedAt?: string
  /** Skipped rows: the owner-ID cell as it was in the file (ownerId is 0 when it did not parse). */
  sourceValue?: string
}

export interface RowsQuery {
  runId: string
  offset: number
  limit: number
  outcome?: Outcome | 'pending'
  search?: string
}

export interface RowsPage {
  total: number
  rows: RunRowView[]
}

/** Which rows a re-run takes: 'unchanged' = succeeded but their item did not move (verified
 * runs); 'not-run' = the rows a cancel left unsent. */
export type RerunInclude = 'failed' | 'failed+uncertain' | 'unchanged' | 'not-run'

export interface RerunOptions {
  /** With 'failed+uncertain': also the uncertain rows whose stage check saw the item move (their
   * trigger ran; sending them again fires it twice). Left out by default. */
  includeMoved?: boolean
}

/** What a re-run would take, for its confirmation. */
export interface RerunPreview {
  include: RerunInclude
  /** Rows the re-run would send. */
  rows: number
  failed: number
  uncertain: number
  /** Succeeded rows whose item did not move. */
  unchanged: number
  notRun: number
  /** Uncertain rows seen to move and left out (see RerunOptions.includeMoved). */
  movedLeftOut: number
  /** Of the rows taken, how many were seen to move. */
  movedIncluded: number
}

/** A new run's rows that a recent run of the same trigger on the same portal already sent. */
export interface RunOverlap {
  /** Rows of the new run already sent (succeeded or uncertain) by a recent run. */
  rows: number
  succeeded: number
  uncertain: number
  /** The recent runs they were sent in, newest first. */
  runs: { id: string; createdAt: string; sourceName: string; rows: number }[]
}

export interface AppInfo {
  version: string
  platform: string
  dataDir: string
  locale: string
}

// ---- The API ---------------------------------------------------------------------------------

type Api<T extends Record<string, (...args: never[]) => unknown>> = {
  [K in keyof T]: (...args: Parameters<T[K]>) => Promise<IpcResult<Awaited<ReturnType<T[K]>>>>
}

/** What main implements (plain return values; the wiring wraps them into IpcResult). */
export interface ApiHandlers {
  'app.info': () => AppInfo
  'profiles.list': () => Profile[]
  'profiles.addWebhook': (req: AddWebhookProfileRequest) => Profile
  'profiles.addOAuth': (req: AddOAuthProfileRequest) => Profile
  /** Opens the portal's /oauth/authorize/ and completes the code exchange. */
  'profiles.signIn': (profileId: string) => Profile
  'profiles.update': (req: UpdateProfileRequest) => Profile
  'profiles.remove': (profileId: string) => void
  'profiles.test': (profileId: string) => ConnectionReport
  'triggers.list': (profileId: string) => AppTrigger[]
  'triggers.add': (profileId: string, trigger: AppTrigger) => AppTrigger[]
  'triggers.remove': (profileId: string, code: string) => AppTrigger[]
  'triggers.ownerTypes': (profileId: string) => OwnerType[]
  'triggers.runOne': (req: RunOneRequest) => RunOneResult
  'triggers.curl': (req: RunOneRequest) => string
  /** Shows an open dialog in main; null when cancelled. */
  'csv.open': () => { path: string; name: string } | null
  'csv.inspect': (source: CsvSource, options?: CsvInspectOptions) => CsvInspection
  'csv.validate': (req: CreateRunRequest) => ValidationSummary
  'runs.create': (req: CreateRunRequest) => RunSummaryView
  'runs.start': (runId: string) => RunSummaryView
  'runs.pause': (runId: string) => RunSummaryView
  'runs.resume': (runId: string) => RunSummaryView
  'runs.cancel': (runId: string) => RunSummaryView
  'runs.list': () => RunSummaryView[]
  'runs.get': (runId: string) => RunSummaryView
  'runs.rows': (query: RowsQuery) => RowsPage
  'runs.rerun': (runId: string, include: RerunInclude, options?: RerunOptions) => RunSummaryView
  /** What runs.rerun would take, without creating anything. */
  'runs.rerunPreview': (runId: string, include: RerunInclude, options?: RerunOptions) => RerunPreview
  /** Rows of a run not started yet that a recent run of the same trigger on the portal already
   * sent; null when none. */
  'runs.overlap': (runId: string) => RunOverlap | null
  /** Marks those rows skipped ("already sent in run …") before the run starts. */
  'runs.skipDone': (runId: string) => RunSummaryView
  /** Shows a save dialog in main; null when cancelled. */
  'runs.export': (runId: string, format: 'csv' | 'json') => { path: string } | null
  'shell.openExternal': (url: string) => void
  /** Puts text on the system clipboard (main's clipboard module: the page has no clipboard permission). */
  'clipboard.writeText': (text: string) => void
  /** Pipelines of a CRM type with their stages. */
  'crm.categories': (profileId: string, entityTypeId: number) => CrmCategoryInfo[]
  /** How many items a selection matches now, its filter and the first items. */
  'crm.count': (profileId: string, selection: CrmSelection) => CrmSelectionCount
  /** Reads every matching ID into a new run (frozen before anything is sent); not started. */
  'runs.createFromCrm': (req: CreateCrmRunRequest) => RunSummaryView
  /** Where the selected items are now, and how long the run would take. Reads only. */
  'runs.preview': (req: PreviewRequest) => RunPreview
}

export type ApiMethod = keyof ApiHandlers

/** The runtime list the preload and the e2e bridge iterate over. Must match ApiHandlers. */
export const API_METHODS = [
  'app.info',
  'profiles.list',
  'profiles.addWebhook',
  'profiles.addOAuth',
  'profiles.signIn',
  'profiles.update',
  'profiles.remove',
  'profiles.test',
  'triggers.list',
  'triggers.add',
  'triggers.remove',
  'triggers.ownerTypes',
  'triggers.runOne',
  'triggers.curl',
  'csv.open',
  'csv.inspect',
  'csv.validate',
  'runs.create',
  'runs.start',
  'runs.pause',
  'runs.resume',
  'runs.cancel',
  'runs.list',
  'runs.get',
  'runs.rows',
  'runs.rerun',
  'runs.export',
  'runs.rerunPreview',
  'runs.overlap',
  'runs.skipDone',
  'shell.openExternal',
  'clipboard.writeText',
  'crm.categories',
  'crm.count',
  'runs.createFromCrm',
  'runs.preview'
] as const satisfies readonly ApiMethod[]

/** Push events from main to the renderer. */
/** An application-menu item the renderer carries out (File → Open CSV…, View → Toggle dark theme):
 * 'open-csv' = go to the CSV import and call csv.open(); 'toggle-theme' = flip light/dark. */
export interface AppCommandEvent {
  command: 'open-csv' | 'toggle-theme' | 'open-run'
  /** For 'open-run' (a click on the run-ended notification): the run to show. */
  runId?: string
}

export interface ApiEvents {
  'runs.progress': RunProgressEvent
  'app.command': AppCommandEvent
}
export type ApiEvent = keyof ApiEvents
export const API_EVENTS = ['runs.progress', 'app.command'] as const satisfies readonly ApiEvent[]

type Split<S extends string> = S extends `${infer NS}.${infer M}` ? [NS, M] : never
type Namespaces = Split<ApiMethod>[0]
type MethodsOf<NS extends string> = {
  [K in ApiMethod as Split<K>[0] extends NS ? Split<K>[1] : never]: ApiHandlers[K]
}

/** `window.api`: api.profiles.list(), api.runs.start(id), api.on('runs.progress', cb) → unsubscribe. */
export type TriggerRunnerApi = {
  [NS in Namespaces]: Api<MethodsOf<NS>>
} & {
  on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void
}
