// The public face of the sandbox portal: what tests, benchmarks, the e2e harness and
// `npm run sandbox` use. The implementation lives beside this file (sandbox/*.ts).

export interface SandboxOptions {
  /** Always 127.0.0.1. Port 0 (default) = ephemeral. */
  port?: number
  /** Request bucket; false disables it. Default { burst: 50, drainPerSec: 2 }. */
  rate?: { burst: number; drainPerSec: number } | false
  /** Operating budget per (auth type, app or webhook, method); false disables it.
   * Default { limitSec: 480, windowSec: 600 } split into ten buckets of windowSec/10. */
  operating?: { limitSec: number; windowSec: number } | false
  /** Server time each trigger execution really spends (a real wait), ms. Default 5.
   * Also settable per trigger code via `setTriggerCost`. */
  triggerCostMs?: number
  /** Requests are cut at this duration (cloud: 60 000 ms); the connection is then closed without a body. */
  requestCapMs?: number
  /** Access-token lifetime in seconds. Default 3600. */
  tokenTtlSec?: number
  /** Operating runs shorter than this are not recorded ([src] LoadLimiter: 0.1 s). Default 0.1; 0 records every run. */
  operatingMinRecordedSec?: number
  /** What the operating budget is charged per call. 'measured' (default): the handler's real
   * processing time, as on a portal. 'nominal': only the configured trigger cost it spent (0 for
   * other methods), so a loaded machine's pauses cannot push a compressed budget over. */
  operatingAccounting?: 'measured' | 'nominal'
  /** How `time` is written. 'whole-second' (default, current cloud): `start` in whole seconds and
   * `processing: 0`, so `duration` carries up to a second never spent. 'fractional': the older
   * format with a microsecond `start` and the real processing time. */
  timeFormat?: 'whole-second' | 'fractional'
  /** Redirect URI of the main app (default `${url}/local-app/handler`, which serves a small page). */
  redirectUri?: string
  /** Seed for the deterministic fault generator. */
  seed?: number
  /** Clock in ms (default Date.now); lets tests compress time. */
  now?: () => number
  /** Items to create at start; default: a small demo CRM (leads, deals, a quote, a smart invoice, one SPA). */
  seedData?: boolean
  /** Print a line per request to stderr. */
  log?: boolean
}

export interface SandboxTokenPair {
  access_token: string
  refresh_token: string
  expires: number
  expires_in: number
  client_endpoint: string
  server_endpoint: string
  domain: string
  member_id: string
  scope: string
  status: string
  user_id: number
}

export interface LedgerEntry {
  /** 'app' = crm.automation.trigger.execute, 'webhook' = crm.automation.trigger */
  via: 'app' | 'webhook'
  code: string
  ownerTypeId: number
  ownerId: number
  /** ms, from the sandbox clock */
  at: number
  /** client_id for app calls, webhook id for webhook calls */
  caller: string
}

/** Faults are consumed in order per matching request; deterministic. */
export interface FaultRule {
  /** Which requests: a REST method name ('batch', 'crm.automation.trigger.execute', ...) or '*'. */
  method: string
  /** What happens.
   * - latency: add `ms` before answering;
   * - error500: answer 500 {"error":"INTERNAL_SERVER_ERROR",...} WITHOUT running the method;
   * - error500-after: run the method (ledger records it) then answer 500 with no code (empty/HTML body);
   * - html: run the method, then answer 200/502 with an HTML body (like a proxy error page);
   * - drop-after: run the method, then destroy the socket without a response;
   * - hang: never answer (until requestCapMs, then close the socket);
   * - refuse: destroy the socket before reading the body (nothing ran). */
  fault: 'latency' | 'error500' | 'error500-after' | 'html' | 'drop-after' | 'hang' | 'refuse'
  ms?: number
  /** 'html' only: the status of the HTML answer (default 502; 200 = an HTML page with success status). */
  status?: number
  /** How many matching requests this applies to (default 1). */
  times?: number
  /** Skip this many matching requests first (default 0). */
  after?: number
  /** Alternatively: apply with this probability per matching request (uses the seed). */
  probability?: number
}

export interface SandboxItem {
  entityTypeId: number
  id: number
  title: string
  stageId: string
  categoryId?: number
  /** A contact/company link: triggers executed on that contact (3) or company (4) fan out to this item. */
  contactId?: number
  companyId?: number
  /** Owner user (default 1, the admin). The non-admin user may fire webhook triggers only on own items. */
  assignedById?: number
  /** ISO 8601 with offset, as crm.item.* returns it (default 2024-01-01T00:00:00+00:00). */
  createdTime?: string
  updatedTime?: string
  /** OPENED: false = only admins and the assigned user may read it (crm.item.list leaves it out,
   * crm.item.get answers NOT_FOUND). Default true. */
  opened?: boolean
}

/** Bulk seeding for the CRM-selection tests and benchmark (crm.item.list filters and paging). */
export interface SeedCrmOptions {
  entityTypeId: number
  fromId: number
  count: number
  /** Category (pipeline) of every item; its stage ids get its prefix (C3:NEW for deals, DT177_1:NEW for SPAs). */
  categoryId?: number
  /** Stage ids (already prefixed) cycled over the items. */
  stageIds: string[]
  /** Owner users cycled over the items (default [1]). */
  assignedByIds?: number[]
  /** createdTime of the first item, then one `stepMinutes` later each (default 2026-01-01T00:00:00+00:00, 60). */
  createdFrom?: string
  stepMinutes?: number
}

export interface Sandbox {
  /** http://127.0.0.1:PORT (the portal origin; acts as the OAuth server too) */
  readonly url: string
  readonly port: number
  /** Incoming webhook of an admin user: `${url}/rest/1/<secret>/` */
  readonly adminWebhookUrl: string
  /** Incoming webhook of a non-admin user */
  readonly userWebhookUrl: string
  /** Incoming webhook of the admin created without the crm scope (crm.* -> 401 insufficient_scope) */
  readonly noCrmWebhookUrl: string
  /** Webhook ids (operating-limit key and ledger `caller` of webhook calls). */
  readonly webhookIds: { admin: string; user: string; noCrm: string }
  /** Portal member_id, as in token answers and the authorize redirect. */
  readonly memberId: string
  /** The installed local app. Its redirect URI is where /oauth/authorize/ sends the code. */
  readonly app: { clientId: string; clientSecret: string; redirectUri: string }
  /** A second installed app (triggers are per app: it must not see the first app's triggers). */
  readonly otherApp: { clientId: string; clientSecret: string; redirectUri: string }
  /** Issue a fresh token pair as if the install callback ran, for the admin (userId 1) by default. */
  issueTokens(opts?: { userId?: number; clientId?: string; ttlSec?: number }): SandboxTokenPair
  /** Make every current access token expired (next call answers 401 expired_token). */
  expireAccessTokens(): void
  /** Revoke every refresh token (next refresh answers invalid_grant). */
  revokeRefreshTokens(): void
  /** Trigger executions that really happened, in order. */
  ledger(): LedgerEntry[]
  clearLedger(): void
  /** Register an app trigger directly (as if crm.automation.trigger.add had been called by that app). */
  addAppTrigger(clientId: string, code: string, name: string): void
  /** Delete an app trigger (as if crm.automation.trigger.delete had been called): later executions answer "not registered". */
  removeAppTrigger(clientId: string, code: string): void
  /** Bind a trigger code to a stage: executing it on an item of that type moves the item there. */
  bindTrigger(binding: { via: 'app' | 'webhook'; code: string; entityTypeId: number; stageId: string; clientId?: string; allowBackwards?: boolean }): void
  /** Server time one execution of this code spends, ms. */
  setTriggerCost(code: string, ms: number): void
  addItems(items: SandboxItem[]): void
  /** Create `count` items of a type with ids from `fromId`, at `stageId`. */
  generateItems(entityTypeId: number, fromId: number, count: number, stageId: string): void
  /** Many items with categories, stages, owners and creation times spread out (tens of thousands in well under a second). */
  seedCrm(options: SeedCrmOptions): void
  /** A pipeline (category) of a type with its stages, for crm.category.list / crm.status.list. */
  addCategory(entityTypeId: number, category: { id: number; name: string; stages: { id: string; name: string }[] }): void
  getItem(entityTypeId: number, id: number): SandboxItem | undefined
  addFaults(rules: FaultRule[]): void
  clearFaults(): void
  stats(): { requests: number; rejected503: number; rejected429: number; executes: number; batches: number }
  close(): Promise<void>
}

// sandbox/index.ts: export async function startSandbox(options?: SandboxOptions): Promise<Sandbox>
