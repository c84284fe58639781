// How each request is authenticated, and the lifecycle of OAuth tokens (reference §5.1, §8.9).
// Refresh rules: when `expires` has passed or the portal says expired_token; one refresh at a
// time for every caller; the rotated pair is handed to `persist` and stored before the new access
// token is ever sent, because the old refresh token stops working the moment the new one exists.
import { SyntheticCode } from './classify'
import { BitrixError } from './errors'
import { refreshCredentials, withTrailingSlash, type OAuthCredentials, type TokenRequestOptions } from './oauth'
import { registerSecret } from './redact'
import type { Credentials, PersistCredentials } from './types'
import { secureUrl } from './url-policy'

/** What one request needs: where to send it and, for OAuth, the token to put in the body. */
export interface RequestAuth {
  base: URL
  accessToken?: string
}

export interface AuthSession {
  readonly kind: Credentials['kind']
  portalOrigin(): string
  /** Refreshes first when the token has expired (or an earlier rotation is not stored yet). */
  prepare(signal?: AbortSignal): Promise<RequestAuth>
  /** After expired_token for a request sent with `usedToken`: renew unless another caller already did. */
  renewAfterExpired(usedToken: string | undefined, signal?: AbortSignal): Promise<void>
  /** The portal answered from another origin after a redirect (domain change). */
  moveTo(origin: string): Promise<void>
  refreshNow?(): Promise<void>
}

export interface AuthOptions {
  persist?: PersistCredentials
  /** ms clock */
  now: () => number
  tokenRequest: Omit<TokenRequestOptions, 'signal' | 'now'>
  log: (line: string) => void
}

export function createAuthSession(credentials: Credentials, opts: AuthOptions): AuthSession {
  return credentials.kind === 'webhook' ? webhookSession(credentials, opts) : oauthSession(credentials, opts)
}

/** Canonical webhook base `https://portal/rest/{userId}/{secret}/`, also when a method or
 * query was pasted after it. */
export function normalizeWebhookUrl(raw: string): string {
  const url = secureUrl(raw, 'The webhook URL')
  const match = /^(\/rest\/\d+\/[^/]+)(?:\/|$)/.exec(url.pathname.replace(/\/{2,}/g, '/'))
  if (!match) {
    throw new BitrixError({
      code: SyntheticCode.INVALID_ARGUMENT,
      description: 'The webhook URL must look like https://portal/rest/1/secret/.',
      status: 0,
      kind: 'run-fatal'
    })
  }
  return `${url.origin}${match[1]}/`
}

function webhookSession(credentials: Extract<Credentials, { kind: 'webhook' }>, opts: AuthOptions): AuthSession {
  let base = new URL(normalizeWebhookUrl(credentials.webhookUrl))
  registerSecret(base.pathname.split('/')[3])
  return {
    kind: 'webhook',
    portalOrigin: () => base.origin,
    prepare: async () => ({ base }),
    renewAfterExpired: async () => {},
    async moveTo(origin) {
      base = new URL(`${origin}${base.pathname}`)
      await storeBestEffort(opts, { kind: 'webhook', webhookUrl: base.toString() })
    }
  }
}

function oauthSession(initial: OAuthCredentials, opts: AuthOptions): AuthSession {
  let current: OAuthCredentials = { ...initial, clientEndpoint: withTrailingSlash(secureUrl(initial.clientEndpoint, 'The client endpoint').toString()) }
  secureUrl(current.oauthServer, 'The OAuth server')
  for (const secret of [current.clientSecret, current.accessToken, current.refreshToken]) registerSecret(secret)
  /** A rotated pair that `persist` has not accepted yet must not be used. */
  let unsaved = false
  let refreshing: Promise<void> | undefined
  let saving: Promise<void> | undefined

  const save = (): Promise<void> => {
    const { persist } = opts
    if (!persist) {
      unsaved = false
      return Promise.resolve()
    }
    saving ??= (async () => {
      try {
        await persist({ ...current })
        unsaved = false
      } catch (err) {
        throw new BitrixError({
          code: SyntheticCode.CREDENTIALS_NOT_SAVED,
          description: `Storing the renewed tokens failed: ${err instanceof Error ? err.message : String(err)}`,
          status: 0
        })
      } finally {
        saving = undefined
      }
    })()
    return saving
  }

  const refresh = (): Promise<void> => {
    refreshing ??= (async () => {
      try {
        current = await refreshCredentials(current, { ...opts.tokenRequest, now: opts.now })
        unsaved = true
        opts.log(`OAuth tokens renewed for ${new URL(current.clientEndpoint).origin}; new access token valid until ${new Date(current.expires * 1000).toISOString()}`)
        await save()
      } finally {
        refreshing = undefined
      }
    })()
    return refreshing
  }

  const settled = async (signal?: AbortSignal): Promise<void> => {
    while (refreshing) await abortable(refreshing, signal)
    if (unsaved) await save()
  }

  return {
    kind: 'oauth',
    portalOrigin: () => new URL(current.clientEndpoint).origin,
    async prepare(signal) {
      await settled(signal)
      if (opts.now() >= current.expires * 1000) {
        await abortable(refresh(), signal)
      }
      await settled(signal)
      return { base: new URL(current.clientEndpoint), accessToken: current.accessToken }
    },
    async renewAfterExpired(usedToken, signal) {
      await settled(signal)
      if (usedToken === current.accessToken) await abortable(refresh(), signal)
      await settled(signal)
    },
    async moveTo(origin) {
      await settled()
      const previous = new URL(current.clientEndpoint).origin
      current = { ...current, clientEndpoint: `${origin}${new URL(current.clientEndpoint).pathname}` }
      // Self-hosted portals are their own OAuth server, and move with it.
      if (new URL(current.oauthServer).origin === previous) current.oauthServer = origin
      await storeBestEffort(opts, current)
    },
    async refreshNow() {
      await settled()
      await refresh()
    }
  }
}

/** A domain change must reach the keychain, but failing to store it does not undo the answer
 * already received, so it is logged instead of thrown. */
async function storeBestEffort(opts: AuthOptions, next: Credentials): Promise<void> {
  if (!opts.persist) return
  try {
    await opts.persist({ ...next })
  } catch (err) {
    opts.log(`Could not store the new portal address: ${err instanceof Error ? err.message : String(err)}`)
  }
}

/** Waits for a shared promise without letting one caller's abort cancel it for the others. */
function abortable<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise
  const aborted = (): BitrixError =>
    new BitrixError({ code: SyntheticCode.ABORTED_BEFORE_SEND, description: 'Cancelled while the access token was being renewed.', status: 0 })
  if (signal.aborted) return Promise.reject(aborted())
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(aborted())
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}
