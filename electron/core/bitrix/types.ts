// Contract of the REST core (electron/core/bitrix). The runner, trigger service, CLI and main
// process depend on these shapes only.
import type { ErrorInfo, ProfileKind, RestTime } from '../../shared/domain'

/** Credentials as kept in the keychain (one JSON item per profile). Never logged. */
export type Credentials =
  | { kind: 'webhook'; /** full incoming-webhook URL: https://portal/rest/{userId}/{secret}/ */ webhookUrl: string }
  | {
      kind: 'oauth'
      clientId: string
      clientSecret: string
      accessToken: string
      refreshToken: string
      /** Unix seconds when the access token expires */
      expires: number
      /** REST base from the token answer, e.g. https://portal/rest/ */
      clientEndpoint: string
      /** OAuth server origin: https://oauth.bitrix.info for the cloud; the portal origin works too (sandbox). */
      oauthServer: string
      userId?: number
      memberId?: string
      scope?: string
    }

export interface RestResponse<T = unknown> {
  result: T
  time?: RestTime
  next?: number
  total?: number
  status: number
}

export interface CallOptions {
  signal?: AbortSignal
  /** Overrides the client's default timeout (which is > 60 s, the cloud request cap). */
  timeoutMs?: number
}

export interface BatchCommand {
  /** Non-numeric label, e.g. "r17" (numeric labels make the portal answer with lists). */
  label: string
  method: string
  params: Record<string, unknown>
}

/** One label's fate inside a batch response. */
export type BatchItemResult =
  | { label: string; state: 'ok'; result: unknown; time?: RestTime; total?: number; next?: number }
  | { label: string; state: 'error'; error: ErrorInfo; time?: RestTime }
  /** Not in result nor result_error: under halt=1 it never ran. */
  | { label: string; state: 'absent' }

export interface BatchResponse {
  items: BatchItemResult[]
  /** The envelope's time (the batch call itself). */
  time?: RestTime
  status: number
}

/** Called with the rotated pair BEFORE the new access token is used (store it in the keychain). */
export type PersistCredentials = (next: Credentials) => Promise<void>

/** What pacing learns from every HTTP answer of a REST call (503 and 429 included). */
export interface ResponseInfo {
  method: string
  status: number
  /** The portal's error code when the answer was an error envelope ("" allowed). */
  code?: string
  time?: RestTime
  /** Wall time of the exchange, redirect hops included. */
  durationMs: number
  /** ms, from the client's clock, when the request was handed to the network. */
  sentAt: number
}

export interface BitrixClientOptions {
  credentials: Credentials
  /** Required for OAuth profiles that should survive a token rotation or a domain change. */
  persist?: PersistCredentials
  /** Default `b24-trigger-runner/<version>`. */
  userAgent?: string
  /** Default 75 000 ms, above the 60 s cloud request cap. */
  timeoutMs?: number
  /** ms clock used for token expiry and `sentAt`; default Date.now. */
  now?: () => number
  onResponse?: (info: ResponseInfo) => void
  /** Receives already-redacted lines (token renewals, domain changes). */
  log?: (line: string) => void
}

/** No automatic retries, except re-sending once after a successful refresh on expired_token
 * (the portal rejected the first attempt before running anything). Retry policy is the caller's. */
export interface BitrixClient {
  call<T = unknown>(method: string, params?: Record<string, unknown>, opts?: CallOptions): Promise<RestResponse<T>>
  /** ≤ 50 commands with non-numeric labels. An envelope-level failure throws a BitrixError for the
   * whole batch; per-command results and errors come back as items. */
  batch(commands: BatchCommand[], opts?: { halt?: boolean } & CallOptions): Promise<BatchResponse>
  describe(): { portalUrl: string; kind: ProfileKind }
  /** OAuth only: renew the token pair now (single-flight with any renewal in progress). */
  refreshNow?(): Promise<void>
}
