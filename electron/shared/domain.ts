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
