// The OAuth token endpoint (reference §5.1, §5.2, §9): sign-in helpers and the refresh request.
// Requests are form-encoded POSTs so client_secret and tokens never appear in a URL.
import { SyntheticCode } from './classify'
import { parseJsonObject } from './envelope'
import { BitrixError } from './errors'
import { registerSecret } from './redact'
import { post } from './transport'
import type { Credentials } from './types'
import { secureUrl } from './url-policy'
import { DEFAULT_USER_AGENT } from './user-agent'

export type OAuthCredentials = Extract<Credentials, { kind: 'oauth' }>

export interface TokenRequestOptions {
  userAgent?: string
  timeoutMs?: number
  signal?: AbortSignal
  /** ms clock, for computing `expires` when the answer only has `expires_in`. */
  now?: () => number
}

const TOKEN_METHOD = 'oauth/token'
/** wrong_client and invalid_client: the portal's OAuth server does not accept the app's keys. */
export const APP_KEYS_WRONG = "The application's keys are wrong: check the client ID and client secret of the local app in the profile."

const DEFAULT_TIMEOUT_MS = 30_000
/** Documented access-token lifetime, used when an answer states none. */
const DEFAULT_TTL_SEC = 3600

/** Where to send the admin to sign in. The redirect URI is taken from the app's settings on the
 * portal, not from this URL (reference §5.2). */
export function buildAuthorizeUrl(portalUrl: string, clientId: string, state: string): string {
  const url = new URL('/oauth/authorize/', secureUrl(portalUrl, 'The portal address'))
  url.searchParams.set('client_id', clientId)
  url.searchParams.set('state', state)
  return url.toString()
}

/** Trades the one-time `code` from the sign-in redirect (valid 30 s) for the first token pair. */
export async function exchangeAuthorizationCode(
  input: {
    /** Portal origin; also the token server when `oauthServer` is not given. */
    portalUrl?: string
    /** e.g. https://oauth.bitrix.info */
    oauthServer?: string
    clientId: string
    clientSecret: string
    code: string
    redirectUri?: string
  } & TokenRequestOptions
): Promise<OAuthCredentials> {
  registerSecret(input.clientSecret)
  registerSecret(input.code)
  const server = input.oauthServer ?? input.portalUrl
  if (!server) {
    throw new BitrixError({ code: SyntheticCode.INVALID_ARGUMENT, description: 'Either portalUrl or oauthServer is required.', status: 0, method: TOKEN_METHOD })
  }
  const form: Record<string, string> = {
    grant_type: 'authorization_code',
    client_id: input.clientId,
    client_secret: input.clientSecret,
    code: input.code
  }
  if (input.redirectUri) form.redirect_uri = input.redirectUri
  const answer = await requestToken(server, form, input)
  const fallbackEndpoint = input.portalUrl ? new URL('/rest/', secureUrl(input.portalUrl, 'The portal address')).toString() : undefined
  return credentialsFromAnswer(answer, {
    kind: 'oauth',
    clientId: input.clientId,
    clientSecret: input.clientSecret,
    oauthServer: secureUrl(server, 'The OAuth server').origin,
    clientEndpoint: fallbackEndpoint
  }, input.now ?? Date.now)
}

/** One refresh_token grant. Returns the rotated credentials; does not store them. */
export async function refreshCredentials(current: OAuthCredentials, opts: TokenRequestOptions = {}): Promise<OAuthCredentials> {
  const answer = await requestToken(current.oauthServer, {
    grant_type: 'refresh_token',
    client_id: current.clientId,
    client_secret: current.clientSecret,
    refresh_token: current.refreshToken
  }, opts)
  return credentialsFromAnswer(answer, current, opts.now ?? Date.now)
}

async function requestToken(server: string, form: Record<string, string>, opts: TokenRequestOptions): Promise<Record<string, unknown>> {
  const url = new URL('/oauth/token/', secureUrl(server, 'The OAuth server'))
  let answer
  try {
    answer = await post(url, new URLSearchParams(form).toString(), {
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
        'User-Agent': opts.userAgent ?? DEFAULT_USER_AGENT
      },
      timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      signal: opts.signal,
      maxRedirects: 0,
      method: TOKEN_METHOD
    })
  } catch (err) {
    if (err instanceof BitrixError && (err.kind === 'ambiguous' || err.kind === 'retry-safe')) throw tokenRequestFailed(err.description, 0)
    throw err
  }
  const json = parseJsonObject(answer.body)
  if (json && 'error' in json) {
    const code = json.error == null ? '' : String(json.error)
    const description = typeof json.error_description === 'string' ? json.error_description : ''
    const lower = code.toLowerCase()
    const signInAgain = lower === 'invalid_grant'
    // An unknown client_id is answered with HTTP 200 `wrong_client` ([pysdk]): an error all the same.
    const wrongKeys = lower === 'wrong_client' || lower === 'invalid_client'
    throw new BitrixError({
      code,
      description,
      status: answer.status,
      method: TOKEN_METHOD,
      ...(signInAgain && { message: `The saved sign-in is no longer valid (invalid_grant${description ? `: ${description}` : ''}). Sign in again.` }),
      ...(wrongKeys && { message: `${APP_KEYS_WRONG} (${code})` })
    })
  }
  if (!json || typeof json.access_token !== 'string' || typeof json.refresh_token !== 'string') {
    throw tokenRequestFailed(`HTTP ${answer.status} without a token pair.`, answer.status)
  }
  registerSecret(json.access_token)
  registerSecret(json.refresh_token)
  return json
}

function tokenRequestFailed(why: string, status: number): BitrixError {
  return new BitrixError({ code: SyntheticCode.TOKEN_REQUEST_FAILED, description: `The token endpoint failed: ${why}`, status, method: TOKEN_METHOD })
}

function credentialsFromAnswer(
  answer: Record<string, unknown>,
  base: Omit<OAuthCredentials, 'accessToken' | 'refreshToken' | 'expires' | 'clientEndpoint'> & { clientEndpoint?: string },
  now: () => number
): OAuthCredentials {
  const endpoint = typeof answer.client_endpoint === 'string' ? answer.client_endpoint : base.clientEndpoint
  if (!endpoint) throw tokenRequestFailed('the answer has no client_endpoint.', 200)
  const expiresIn = typeof answer.expires_in === 'number' ? answer.expires_in : DEFAULT_TTL_SEC
  const next: OAuthCredentials = {
    ...base,
    kind: 'oauth',
    accessToken: answer.access_token as string,
    refreshToken: answer.refresh_token as string,
    expires: typeof answer.expires === 'number' ? answer.expires : Math.floor(now() / 1000) + expiresIn,
    clientEndpoint: withTrailingSlash(secureUrl(endpoint, 'The client endpoint').toString())
  }
  if (typeof answer.user_id === 'number') next.userId = answer.user_id
  if (typeof answer.member_id === 'string') next.memberId = answer.member_id
  if (typeof answer.scope === 'string') next.scope = answer.scope
  return next
}

export function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`
}
