// Secrets (webhook URL with its secret, OAuth client secret and tokens) live only in the OS
// keychain: one JSON item per profile, service "b24-trigger-runner", account = profile id.
// keytar is imported lazily: on a Linux without libsecret, or without a Secret Service on the
// session bus, the app must still start and say "keychain unavailable" instead of crashing.
// Error messages here never quote stored content.
import { z } from 'zod'
import { secretServiceLocked, type LockProbe } from './keychain-lock'
import type { Credentials } from '../bitrix/types'
import { createRequire } from 'node:module'

export const KEYCHAIN_SERVICE = 'b24-trigger-runner'

export type SecretStoreAvailability = { ok: true } | { ok: false; reason: string }

export interface SecretStore {
  get(profileId: string): Promise<Credentials | null>
  set(profileId: string, credentials: Credentials): Promise<void>
  delete(profileId: string): Promise<boolean>
  available(): Promise<SecretStoreAvailability>
}

export class SecretStoreError extends Error {
  constructor(
    readonly code: 'unavailable' | 'corrupt' | 'locked',
    message: string
  ) {
    super(message)
    this.name = 'SecretStoreError'
  }
}

const credentialsSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('webhook'), webhookUrl: z.string().min(1) }),
  z.object({
    kind: z.literal('oauth'),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
    // Empty until the first sign-in (the profile then reports needsSignIn).
    accessToken: z.string(),
    refreshToken: z.string(),
    expires: z.number(),
    clientEndpoint: z.string().min(1),
    oauthServer: z.string().min(1),
    userId: z.number().int().optional(),
    memberId: z.string().optional(),
    scope: z.string().optional()
  })
])

function decode(profileId: string, text: string): Credentials {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  const parsed = credentialsSchema.safeParse(json)
  if (!parsed.success) {
    throw new SecretStoreError('corrupt', `The keychain item for profile ${profileId} is not a valid credential; enter the secret again.`)
  }
  return parsed.data
}

function encode(credentials: Credentials): string {
  const parsed = credentialsSchema.safeParse(credentials)
  if (!parsed.success) throw new SecretStoreError('corrupt', 'Refusing to store malformed credentials.')
  return JSON.stringify(parsed.data)
}

/** The subset of keytar used here. */
export interface KeytarApi {
  getPassword(service: string, account: string): Promise<string | null>
  setPassword(service: string, account: string, password: string): Promise<void>
  deletePassword(service: string, account: string): Promise<boolean>
}

// require(), not import(): in the packaged app keytar lives in app.asar (its keytar.node unpacked
// next to it), and only the CommonJS loader, which Electron patches, reads from the asar.
// createRequire keeps this a runtime lookup, so the bundler leaves the native module external.
async function importKeytar(): Promise<KeytarApi> {
  const mod = createRequire(import.meta.url)('keytar') as KeytarApi & { default?: KeytarApi }
  return mod.default ?? mod
}

const MAX_REASON = 200

function reasonOf(err: unknown): string {
  const text = (err instanceof Error ? err.message : String(err)).split('\n')[0]?.trim() || 'unknown error'
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON)}…` : text
}

/** On Linux the usual cause is a session without a Secret Service; say what is missing. */
const LINUX_HINT = process.platform === 'linux' ? ' It needs a Secret Service (GNOME Keyring or KWallet) on the session D-Bus.' : ''

/** A locked keychain, told apart from an item that is not there (keychain-lock.ts). */
export const KEYCHAIN_LOCKED_MESSAGE =
  'The system keychain is locked, so the secret cannot be read (it is most likely still there). Unlock it (log in to the desktop session, or open "Passwords and Keys"), then try again; do not remove the profile.'

export function createKeytarSecretStore(opts: { service?: string; loadKeytar?: () => Promise<KeytarApi>; lockProbe?: LockProbe } = {}): SecretStore {
  const service = opts.service ?? KEYCHAIN_SERVICE
  const load = opts.loadKeytar ?? importKeytar
  const locked = opts.lockProbe ?? secretServiceLocked
  let keytar: Promise<KeytarApi> | undefined

  // Every failure of the keychain itself becomes one plain "unavailable" error.
  async function withKeytar<T>(consequence: string, fn: (k: KeytarApi) => Promise<T>): Promise<T> {
    let k: KeytarApi
    try {
      keytar ??= load()
      k = await keytar
    } catch (err) {
      keytar = undefined
      throw new SecretStoreError('unavailable', `The system keychain is unavailable (keytar could not load: ${reasonOf(err)}); ${consequence}.${LINUX_HINT}`)
    }
    try {
      return await fn(k)
    } catch (err) {
      throw new SecretStoreError('unavailable', `The system keychain is unavailable (${reasonOf(err)}); ${consequence}.${LINUX_HINT}`)
    }
  }

  return {
    async get(profileId) {
      const text = await withKeytar('the secret could not be read', (k) => k.getPassword(service, profileId))
      // Nothing found: a locked keychain says the same, so ask before calling the secret missing.
      if (text === null && (await locked()) === true) throw new SecretStoreError('locked', KEYCHAIN_LOCKED_MESSAGE)
      return text === null ? null : decode(profileId, text)
    },
    async set(profileId, credentials) {
      const text = encode(credentials)
      try {
        await withKeytar('nothing was stored', (k) => k.setPassword(service, profileId, text))
      } catch (err) {
        if ((await locked()) === true) throw new SecretStoreError('locked', KEYCHAIN_LOCKED_MESSAGE.replace('the secret cannot be read (it is most likely still there)', 'nothing could be stored'))
        throw err
      }
    },
    delete: (profileId) => withKeytar('the secret was not removed', (k) => k.deletePassword(service, profileId)),
    async available() {
      try {
        // A read of an account that never exists proves the library loads and the service answers.
        await withKeytar('secrets cannot be stored', (k) => k.getPassword(service, '__availability-check__'))
        return { ok: true }
      } catch (err) {
        return { ok: false, reason: err instanceof Error ? err.message : String(err) }
      }
    }
  }
}

/** In-memory store for tests that are not about the keychain. Never used by the app. */
export function createMemorySecretStore(): SecretStore & { size(): number } {
  const items = new Map<string, string>()
  return {
    async get(profileId) {
      const text = items.get(profileId)
      return text === undefined ? null : decode(profileId, text)
    },
    async set(profileId, credentials) {
      items.set(profileId, encode(credentials))
    },
    async delete(profileId) {
      return items.delete(profileId)
    },
    async available() {
      return { ok: true }
    },
    size: () => items.size
  }
}
