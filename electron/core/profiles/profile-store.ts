// Non-secret portal profiles in <dataDir>/profiles.json. Secrets never come here (they live in
// the keychain, see secret-store.ts). Writes are atomic (temp file + rename) so a crash leaves
// either the old or the new file. A file that fails the schema is copied aside and reported,
// never overwritten: every later write refuses until the user fixes or removes it.
import { randomUUID } from 'node:crypto'
import { copyFile, readFile } from 'node:fs/promises'
import { ensureDir, writeFileDurable } from '../durable-write'
import { join } from 'node:path'
import { z } from 'zod'
import type { Profile } from '../../shared/domain'

/** What profiles.json holds per profile: a Profile minus what only the keychain can tell. */
export type StoredProfile = Omit<Profile, 'hasSecret' | 'needsSignIn'>

export type NewProfile = Omit<StoredProfile, 'id' | 'createdAt' | 'updatedAt'> & { id?: string }
export type ProfilePatch = Partial<Pick<StoredProfile, 'name' | 'portalUrl' | 'userId' | 'clientId' | 'plan'>>

export const PROFILES_FILE = 'profiles.json'

const storedProfileSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  kind: z.enum(['webhook', 'oauth']),
  portalUrl: z.url({ protocol: /^https?$/ }),
  userId: z.number().int().positive().optional(),
  clientId: z.string().min(1).optional(),
  plan: z.enum(['standard', 'enterprise', 'custom']),
  createdAt: z.string(),
  updatedAt: z.string()
})

const fileSchema = z.object({
  version: z.literal(1),
  profiles: z.array(storedProfileSchema)
})

export type ProfileStoreErrorCode = 'corrupt' | 'not-found' | 'duplicate-name' | 'invalid'

export class ProfileStoreError extends Error {
  constructor(
    readonly code: ProfileStoreErrorCode,
    message: string,
    /** For 'corrupt': where the unreadable file was copied. */
    readonly backupPath?: string
  ) {
    super(message)
    this.name = 'ProfileStoreError'
  }
}

export interface ProfileStore {
  readonly filePath: string
  list(): Promise<StoredProfile[]>
  get(id: string): Promise<StoredProfile | undefined>
  create(input: NewProfile): Promise<StoredProfile>
  update(id: string, patch: ProfilePatch): Promise<StoredProfile>
  remove(id: string): Promise<boolean>
}

export function createProfileStore(opts: { dataDir: string; now?: () => Date }): ProfileStore {
  const filePath = join(opts.dataDir, PROFILES_FILE)
  const now = opts.now ?? (() => new Date())
  // Mutations run one at a time so two quick edits cannot both read the old file.
  let queue: Promise<unknown> = Promise.resolve()
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn)
    queue = next.catch(() => undefined)
    return next
  }

  async function load(): Promise<StoredProfile[]> {
    let text: string
    try {
      text = await readFile(filePath, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw err
    }
    let parsed: ReturnType<typeof fileSchema.safeParse>
    try {
      parsed = fileSchema.safeParse(JSON.parse(text))
    } catch {
      throw await corrupt(text, 'it is not valid JSON')
    }
    if (!parsed.success) {
      const first = parsed.error.issues[0]
      throw await corrupt(text, first ? `${first.path.join('.') || 'file'}: ${first.message}` : 'unexpected content')
    }
    return parsed.data.profiles
  }

  // One backup per distinct broken content, however often the app retries reading it.
  let lastBackup: { text: string; path: string } | undefined
  async function corrupt(text: string, reason: string): Promise<ProfileStoreError> {
    let backupPath = lastBackup?.text === text ? lastBackup.path : undefined
    if (!backupPath) {
      backupPath = `${filePath}.corrupt-${now().toISOString().replace(/[:.]/g, '-')}`
      await copyFile(filePath, backupPath)
      lastBackup = { text, path: backupPath }
    }
    return new ProfileStoreError(
      'corrupt',
      `The profile file ${filePath} cannot be read (${reason}). A copy was saved as ${backupPath}; fix or delete the file to continue.`,
      backupPath
    )
  }

  async function save(profiles: StoredProfile[]): Promise<void> {
    await ensureDir(opts.dataDir)
    // Every byte and an fsync before the rename (durable-write.ts): a full disk leaves the old file.
    await writeFileDurable(filePath, JSON.stringify({ version: 1, profiles }, null, 2) + '\n', 0o600)
  }

  function checkName(profiles: StoredProfile[], name: string, exceptId?: string): void {
    const wanted = name.trim().toLocaleLowerCase()
    if (profiles.some((p) => p.id !== exceptId && p.name.trim().toLocaleLowerCase() === wanted)) {
      throw new ProfileStoreError('duplicate-name', `A profile named "${name.trim()}" already exists.`)
    }
  }

  function checked(profile: StoredProfile): StoredProfile {
    const result = storedProfileSchema.safeParse(profile)
    if (!result.success) {
      const first = result.error.issues[0]
      throw new ProfileStoreError('invalid', `Invalid profile: ${first ? `${first.path.join('.')}: ${first.message}` : 'unexpected content'}`)
    }
    return result.data
  }

  return {
    filePath,
    list: () => load(),
    get: async (id) => (await load()).find((p) => p.id === id),
    create: (input) =>
      serial(async () => {
        const profiles = await load()
        checkName(profiles, input.name)
        const stamp = now().toISOString()
        const profile = checked({ ...input, id: input.id ?? randomUUID(), name: input.name.trim(), createdAt: stamp, updatedAt: stamp })
        if (profiles.some((p) => p.id === profile.id)) throw new ProfileStoreError('invalid', `Profile id ${profile.id} is taken.`)
        await save([...profiles, profile])
        return profile
      }),
    update: (id, patch) =>
      serial(async () => {
        const profiles = await load()
        const index = profiles.findIndex((p) => p.id === id)
        const current = profiles[index]
        if (!current) throw new ProfileStoreError('not-found', `No profile with id ${id}.`)
        if (patch.name !== undefined) checkName(profiles, patch.name, id)
        const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined))
        const next = checked({ ...current, ...defined, ...(patch.name ? { name: patch.name.trim() } : {}), updatedAt: now().toISOString() })
        profiles[index] = next
        await save(profiles)
        return next
      }),
    remove: (id) =>
      serial(async () => {
        const profiles = await load()
        const rest = profiles.filter((p) => p.id !== id)
        if (rest.length === profiles.length) return false
        await save(rest)
        return true
      })
  }
}
