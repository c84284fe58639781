// Portal profiles as the app and the CLI use them: the non-secret half in profiles.json
// (profile-store.ts), the secret half in the keychain (secret-store.ts), and a REST client per
// profile whose token rotations are written back to the keychain before the new token is used.
// What leaves this module (Profile) never holds a secret: only hasSecret / needsSignIn.
import { randomUUID } from 'node:crypto'
import type { PlanPreset, Profile } from '../../shared/domain'
import { normalizeWebhookUrl } from '../bitrix/auth'
import { createBitrixClient } from '../bitrix/client'
import { BitrixError } from '../bitrix/errors'
import { buildAuthorizeUrl, exchangeAuthorizationCode, type OAuthCredentials } from '../bitrix/oauth'
import { registerSecret } from '../bitrix/redact'
import type { BitrixClient, BitrixClientOptions, Credentials } from '../bitrix/types'
import { isLoopbackHost, secureUrl } from '../bitrix/url-policy'
import type { ProfilePatch, ProfileStore, StoredProfile } from './profile-store'
import type { SecretStore } from './secret-store'

/** The cloud's OAuth server (reference §5.1). A loopback portal (the sandbox) is its own. */
export const CLOUD_OAUTH_SERVER = 'https://oauth.bitrix.info'

export type ProfileErrorCode = 'invalid-input' | 'not-found' | 'no-secret' | 'needs-sign-in' | 'wrong-kind'

export class ProfileError extends Error {
  /** Same as message: lets plainMessage() and the IPC layer treat it like an ErrorInfo. */
  readonly description: string
  constructor(
    readonly code: ProfileErrorCode,
    message: string
  ) {
    super(message)
    this.name = 'ProfileError'
    this.description = message
  }
}

/** A pasted access/refresh pair (e.g. from the install callback). */
export interface PastedTokens {
  accessToken: string
  refreshToken: string
  /** Unix seconds; default 0 = already expired, so the first call refreshes and learns the real values. */
  expires?: number
}

export interface ProfileServiceOptions {
  store: ProfileStore
  secrets: SecretStore
  /** Shared by every client this service builds (user agent, timeout, logging, pacing hooks). */
  clientOptions?: Omit<BitrixClientOptions, 'credentials' | 'persist' | 'onResponse'> & {
    onResponse?: (profileId: string, info: Parameters<NonNullable<BitrixClientOptions['onResponse']>>[0]) => void
  }
  /** Injectable for tests; default the real client. */
  createClient?: (options: BitrixClientOptions) => BitrixClient
}

export type ProfileService = ReturnType<typeof createProfileService>

export function createProfileService(opts: ProfileServiceOptions) {
  const { store, secrets } = opts
  const makeClient = opts.createClient ?? createBitrixClient
  // One client per profile: two clients refreshing the same token pair would invalidate each
  // other's refresh token (the pair rotates). Dropped whenever the credentials change.
  const clients = new Map<string, BitrixClient>()

  async function stored(id: string): Promise<StoredProfile> {
    const profile = await store.get(id)
    if (!profile) throw new ProfileError('not-found', `No profile with id ${id}.`)
    return profile
  }

  async function credentialsOrNull(id: string): Promise<Credentials | null> {
    try {
      return await secrets.get(id)
    } catch {
      // Keychain down or item unreadable: the profile is listed as having no secret.
      return null
    }
  }

  /** For listing: the credentials, or why the keychain could not tell (locked, unavailable). */
  async function listed(profile: StoredProfile): Promise<Profile> {
    try {
      return publicView(profile, await secrets.get(profile.id))
    } catch (err) {
      const code = (err as { code?: string }).code
      const view = publicView(profile, null)
      if (code === 'locked' || code === 'unavailable') view.keychain = code
      return view
    }
  }

  async function assertNameFree(name: string, exceptId?: string): Promise<void> {
    const wanted = name.trim().toLocaleLowerCase()
    if (!wanted) throw new ProfileError('invalid-input', 'The profile name is empty.')
    const profiles = await store.list()
    if (profiles.some((p) => p.id !== exceptId && p.name.trim().toLocaleLowerCase() === wanted)) {
      throw new ProfileError('invalid-input', `A profile named "${name.trim()}" already exists.`)
    }
  }

  /** Keychain first, profiles.json second; undo the keychain item if the second step fails. */
  async function createWith(credentials: Credentials, fields: Omit<StoredProfile, 'id' | 'createdAt' | 'updatedAt'>): Promise<Profile> {
    await assertNameFree(fields.name)
    const id = randomUUID()
    await secrets.set(id, credentials)
    try {
      return publicView(await store.create({ ...fields, id }), credentials)
    } catch (err) {
      await secrets.delete(id).catch(() => false)
      throw err
    }
  }

  async function replaceCredentials(id: string, credentials: Credentials): Promise<void> {
    await secrets.set(id, credentials)
    clients.delete(id)
  }

  async function oauthCredentials(id: string): Promise<OAuthCredentials> {
    const credentials = await secrets.get(id)
    if (!credentials) throw new ProfileError('no-secret', 'The keychain holds no credentials for this profile; enter the client secret again.')
    if (credentials.kind !== 'oauth') throw new ProfileError('wrong-kind', 'This is a webhook profile; it has no OAuth sign-in.')
    return credentials
  }

  return {
    publicView,

    async list(): Promise<Profile[]> {
      const profiles = await store.list()
      return Promise.all(profiles.map(listed))
    },

    async get(id: string): Promise<Profile> {
      const profile = await stored(id)
      return publicView(profile, await credentialsOrNull(id))
    },

    /** By id, or by name (case-insensitive), as the CLI's --profile takes it. */
    async resolve(ref: string): Promise<Profile> {
      const profiles = await store.list()
      const wanted = ref.trim().toLocaleLowerCase()
      const profile = profiles.find((p) => p.id === ref) ?? profiles.find((p) => p.name.toLocaleLowerCase() === wanted)
      if (!profile) throw new ProfileError('not-found', `No profile "${ref}".`)
      return publicView(profile, await credentialsOrNull(profile.id))
    },

    async addWebhookProfile(input: { name: string; webhookUrl: string; plan?: PlanPreset }): Promise<Profile> {
      const webhook = parseWebhookUrl(input.webhookUrl)
      return createWith(
        { kind: 'webhook', webhookUrl: webhook.url },
        { name: input.name, kind: 'webhook', portalUrl: webhook.portalUrl, userId: webhook.userId, plan: input.plan ?? 'standard' }
      )
    },

    /** Without `tokens` the profile needs a sign-in (signInUrl + completeSignIn). */
    async addOAuthProfile(input: {
      name: string
      portalUrl: string
      clientId: string
      clientSecret: string
      tokens?: PastedTokens
      plan?: PlanPreset
      /** Default: the cloud OAuth server, or the portal itself when it is on this machine. */
      oauthServer?: string
    }): Promise<Profile> {
      const portalUrl = parsePortalUrl(input.portalUrl)
      const clientId = required(input.clientId, 'client ID')
      const clientSecret = required(input.clientSecret, 'client secret')
      registerSecret(clientSecret)
      const credentials: OAuthCredentials = {
        kind: 'oauth',
        clientId,
        clientSecret,
        ...tokenFields(input.tokens),
        clientEndpoint: `${portalUrl}/rest/`,
        oauthServer: input.oauthServer ? secureOrigin(input.oauthServer, 'The OAuth server') : defaultOAuthServer(portalUrl)
      }
      return createWith(credentials, { name: input.name, kind: 'oauth', portalUrl, clientId, plan: input.plan ?? 'standard' })
    },

    /** Where to send the admin to sign in; the portal redirects to the app's configured URI with `code`. */
    async signInUrl(id: string, state: string): Promise<string> {
      const profile = await stored(id)
      const credentials = await oauthCredentials(id)
      return buildAuthorizeUrl(profile.portalUrl, credentials.clientId, state)
    },

    /** Trades the sign-in `code` (valid 30 s) for tokens and stores them in the keychain. */
    async completeSignIn(id: string, code: string, extra: { redirectUri?: string } = {}): Promise<Profile> {
      const profile = await stored(id)
      const current = await oauthCredentials(id)
      const next = await exchangeAuthorizationCode({
        portalUrl: profile.portalUrl,
        oauthServer: current.oauthServer,
        clientId: current.clientId,
        clientSecret: current.clientSecret,
        code: required(code, 'authorization code'),
        ...(extra.redirectUri ? { redirectUri: extra.redirectUri } : {}),
        ...(opts.clientOptions?.userAgent ? { userAgent: opts.clientOptions.userAgent } : {})
      })
      await replaceCredentials(id, next)
      // The token answer names the portal it works for (its address may have changed).
      const patch: ProfilePatch = { portalUrl: new URL(next.clientEndpoint).origin }
      if (next.userId !== undefined) patch.userId = next.userId
      return publicView(await store.update(id, patch), next)
    },

    async update(
      id: string,
      patch: {
        name?: string
        plan?: PlanPreset
        /** Webhook profiles: a new URL (new secret or user). */
        webhookUrl?: string
        /** OAuth profiles. A new portal or client ID drops the tokens (they belong to the old ones). */
        portalUrl?: string
        clientId?: string
        clientSecret?: string
        tokens?: PastedTokens
      }
    ): Promise<Profile> {
      const profile = await stored(id)
      if (patch.name !== undefined) await assertNameFree(patch.name, id)
      const fields: ProfilePatch = {}
      if (patch.name !== undefined) fields.name = patch.name
      if (patch.plan !== undefined) fields.plan = patch.plan
      const webhookOnly = patch.webhookUrl !== undefined
      const oauthOnly = [patch.portalUrl, patch.clientId, patch.clientSecret, patch.tokens].some((v) => v !== undefined)
      if ((webhookOnly && profile.kind !== 'webhook') || (oauthOnly && profile.kind !== 'oauth')) {
        throw new ProfileError('wrong-kind', `These settings do not apply to a ${profile.kind} profile.`)
      }
      let credentials: Credentials | null = null
      if (patch.webhookUrl !== undefined) {
        const webhook = parseWebhookUrl(patch.webhookUrl)
        credentials = { kind: 'webhook', webhookUrl: webhook.url }
        fields.portalUrl = webhook.portalUrl
        fields.userId = webhook.userId
      } else if (oauthOnly) {
        const current = await oauthCredentials(id)
        const portalUrl = patch.portalUrl !== undefined ? parsePortalUrl(patch.portalUrl) : profile.portalUrl
        const clientId = patch.clientId !== undefined ? required(patch.clientId, 'client ID') : current.clientId
        const clientSecret = patch.clientSecret !== undefined ? required(patch.clientSecret, 'client secret') : current.clientSecret
        registerSecret(clientSecret)
        const sameApp = portalUrl === profile.portalUrl && clientId === current.clientId
        const next: OAuthCredentials = { ...current, clientId, clientSecret, clientEndpoint: sameApp ? current.clientEndpoint : `${portalUrl}/rest/` }
        if (!sameApp) Object.assign(next, tokenFields(undefined))
        if (portalUrl !== profile.portalUrl) next.oauthServer = defaultOAuthServer(portalUrl)
        if (patch.tokens) Object.assign(next, tokenFields(patch.tokens))
        if (!sameApp || patch.tokens) {
          delete next.userId
          delete next.memberId
          delete next.scope
        }
        credentials = next
        fields.portalUrl = portalUrl
        fields.clientId = clientId
      }
      if (credentials) await replaceCredentials(id, credentials)
      const updated = Object.keys(fields).length ? await store.update(id, fields) : profile
      return publicView(updated, credentials ?? (await credentialsOrNull(id)))
    },

    /** Removes the keychain item and the profile. If the keychain cannot be reached the profile is
     * still removed and `secretRemoved` says the item may remain. */
    async remove(id: string): Promise<{ removed: boolean; secretRemoved: boolean }> {
      clients.delete(id)
      let secretRemoved: boolean
      try {
        await secrets.delete(id)
        secretRemoved = true
      } catch {
        secretRemoved = false
      }
      return { removed: await store.remove(id), secretRemoved }
    },

    /** The REST client for a profile (the same one until its credentials change). */
    async clientFor(id: string): Promise<BitrixClient> {
      const cached = clients.get(id)
      if (cached) return cached
      const profile = await stored(id)
      const credentials = await secrets.get(id)
      if (!credentials) {
        const what = profile.kind === 'webhook' ? 'enter the webhook URL again' : 'enter the client secret and sign in again'
        throw new ProfileError('no-secret', `The keychain holds no credentials for profile "${profile.name}"; ${what}.`)
      }
      if (credentials.kind === 'oauth' && !credentials.refreshToken) {
        throw new ProfileError('needs-sign-in', `Profile "${profile.name}" is not signed in yet.`)
      }
      const { onResponse, ...rest } = opts.clientOptions ?? {}
      const client = makeClient({
        ...rest,
        credentials,
        // Rotated tokens (and a moved portal) reach the keychain before the client uses them.
        persist: async (next) => {
          await secrets.set(id, next)
          const origin = next.kind === 'webhook' ? new URL(next.webhookUrl).origin : new URL(next.clientEndpoint).origin
          const current = await store.get(id)
          if (current && current.portalUrl !== origin) await store.update(id, { portalUrl: origin })
        },
        ...(onResponse ? { onResponse: (info) => onResponse(id, info) } : {})
      })
      clients.set(id, client)
      return client
    },

    /** Scopes granted to an OAuth profile's token, when the token answer said. */
    async scopes(id: string): Promise<string[] | undefined> {
      const credentials = await credentialsOrNull(id)
      if (credentials?.kind !== 'oauth' || !credentials.scope) return undefined
      return credentials.scope.split(',').map((s) => s.trim()).filter(Boolean)
    }
  }
}

/** The renderer's view: never a secret, only whether one is stored. */
export function publicView(profile: StoredProfile, credentials: Credentials | null): Profile {
  const view: Profile = { ...profile, hasSecret: credentials !== null }
  if (credentials?.kind === 'oauth' && !credentials.refreshToken) view.needsSignIn = true
  return view
}

/** Checks and normalises an incoming-webhook URL: https (or loopback http), /rest/{userId}/{secret}/,
 * anything pasted after the secret (a method name, a query) dropped. Errors never quote the URL. */
export function parseWebhookUrl(raw: string): { url: string; portalUrl: string; userId: number } {
  const origin = secureOrigin(withScheme(raw.trim()), 'The webhook URL')
  const path = new URL(withScheme(raw.trim())).pathname.replace(/\/{2,}/g, '/')
  const match = /^\/rest\/(\d+)\/([^/]+)(?:\/|$)/.exec(path)
  if (!match) throw new ProfileError('invalid-input', 'The webhook URL must look like https://<portal>/rest/<user id>/<secret>/.')
  const userId = Number(match[1])
  if (!Number.isSafeInteger(userId) || userId <= 0) throw new ProfileError('invalid-input', 'The user id in the webhook URL must be a number above 0.')
  registerSecret(match[2])
  return { url: normalizeWebhookUrl(`${origin}${match[0].replace(/\/?$/, '/')}`), portalUrl: origin, userId }
}

/** A portal address as typed ("portal.bitrix24.ru", "https://portal.bitrix24.ru/crm/") → its origin. */
export function parsePortalUrl(raw: string): string {
  return secureOrigin(withScheme(raw.trim()), 'The portal address')
}

function secureOrigin(raw: string, what: string): string {
  try {
    return secureUrl(raw, what).origin
  } catch (err) {
    throw new ProfileError('invalid-input', err instanceof BitrixError ? err.description : `${what} is not valid.`)
  }
}

function withScheme(text: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`
}

function defaultOAuthServer(portalUrl: string): string {
  return isLoopbackHost(new URL(portalUrl).hostname) ? portalUrl : CLOUD_OAUTH_SERVER
}

function required(value: string, what: string): string {
  const text = value.trim()
  if (!text) throw new ProfileError('invalid-input', `The ${what} is empty.`)
  return text
}

function tokenFields(tokens: PastedTokens | undefined): Pick<OAuthCredentials, 'accessToken' | 'refreshToken' | 'expires'> {
  if (!tokens) return { accessToken: '', refreshToken: '', expires: 0 }
  const accessToken = required(tokens.accessToken, 'access token')
  const refreshToken = required(tokens.refreshToken, 'refresh token')
  registerSecret(accessToken)
  registerSecret(refreshToken)
  return { accessToken, refreshToken, expires: tokens.expires ?? 0 }
}
