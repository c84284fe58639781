// Contract of the REST core (electron/core/bitrix). The runner, trigger service, CLI and main
// process depend on these shapes only.
import type { ErrorInfo, RestTime } from '../../shared/domain'

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
