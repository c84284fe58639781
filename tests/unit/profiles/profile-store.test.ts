// profiles.json on real files in a temp dir: CRUD, atomic writes, and a corrupt file kept, not wiped.
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createProfileStore, ProfileStoreError, type NewProfile } from '../../../electron/core/profiles/profile-store'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'b24tr-store-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const webhook = (name: string): NewProfile => ({ name, kind: 'webhook', portalUrl: 'https://a.bitrix24.com', userId: 1, plan: 'standard' })

describe('profile store', () => {
  it('starts empty without a file and creates the data dir on first write', async () => {
    const store = createProfileStore({ dataDir: join(dir, 'nested', 'data') })
    expect(await store.list()).toEqual([])
    await store.create(webhook('Main'))
    const onDisk = JSON.parse(await readFile(store.filePath, 'utf8'))
    expect(onDisk.version).toBe(1)
    expect(onDisk.profiles).toHaveLength(1)
  })

  it('creates, reads, updates and removes', async () => {
    let clock = Date.parse('2026-01-01T00:00:00Z')
    const store = createProfileStore({ dataDir: dir, now: () => new Date(clock) })
    const a = await store.create(webhook('Main'))
    expect(a).toMatchObject({ name: 'Main', createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' })
    expect(a.id).toMatch(/^[0-9a-f-]{36}$/)
    clock += 60_000
    const b = await store.update(a.id, { name: 'Renamed', plan: 'enterprise', userId: undefined })
    expect(b).toMatchObject({ name: 'Renamed', plan: 'enterprise', userId: 1, createdAt: a.createdAt, updatedAt: '2026-01-01T00:01:00.000Z' })
    // A second store on the same directory sees the same data.
    expect(await createProfileStore({ dataDir: dir }).get(a.id)).toEqual(b)
    expect(await store.remove(a.id)).toBe(true)
    expect(await store.remove(a.id)).toBe(false)
    expect(await store.list()).toEqual([])
  })

  it('refuses duplicate names (case-insensitive), unknown ids and invalid fields', async () => {
    const store = createProfileStore({ dataDir: dir })
    const a = await store.create(webhook('Main'))
    await expect(store.create(webhook(' main '))).rejects.toMatchObject({ code: 'duplicate-name' })
    await expect(store.update('nope', { name: 'x' })).rejects.toMatchObject({ code: 'not-found' })
    await expect(store.create({ ...webhook('Bad'), portalUrl: 'ftp://x' })).rejects.toMatchObject({ code: 'invalid' })
    await expect(store.update(a.id, { userId: -1 })).rejects.toMatchObject({ code: 'invalid' })
    expect((await store.list()).map((p) => p.name)).toEqual(['Main'])
  })

  it('serialises concurrent writes so none is lost', async () => {
    const store = createProfileStore({ dataDir: dir })
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.create(webhook(`P${i}`))))
    expect((await createProfileStore({ dataDir: dir }).list()).length).toBe(20)
    // Only the file itself is left: no temp files.
    expect(await readdir(dir)).toEqual(['profiles.json'])
  })

  it('writes the file readable by the owner only', async () => {
    const store = createProfileStore({ dataDir: dir })
    await store.create(webhook('Main'))
    expect((await stat(store.filePath)).mode & 0o077).toBe(0)
  })

  it('backs up a corrupt file, explains, and never overwrites it', async () => {
    const store = createProfileStore({ dataDir: dir, now: () => new Date('2026-02-03T04:05:06.789Z') })
    await writeFile(store.filePath, '{"version":1,"profiles":[{"id":"x"', 'utf8')
    const err = await store.list().then(
      () => undefined,
      (e: unknown) => e
    )
    expect(err).toBeInstanceOf(ProfileStoreError)
    const e = err as ProfileStoreError
    expect(e.code).toBe('corrupt')
    expect(e.message).toContain('not valid JSON')
    expect(e.message).toContain(e.backupPath)
    expect(await readFile(e.backupPath!, 'utf8')).toBe('{"version":1,"profiles":[{"id":"x"')
    await expect(store.create(webhook('New'))).rejects.toMatchObject({ code: 'corrupt' })
    expect(await readFile(store.filePath, 'utf8')).toBe('{"version":1,"profiles":[{"id":"x"')
    // Retrying does not pile up copies.
    await expect(store.list()).rejects.toThrow()
    expect((await readdir(dir)).filter((f) => f.includes('corrupt'))).toHaveLength(1)
  })

  it('rejects a file that is JSON but not a profile list, naming the field', async () => {
    const store = createProfileStore({ dataDir: dir })
    await writeFile(store.filePath, JSON.stringify({ version: 1, profiles: [{ id: 'a', name: 'x', kind: 'ftp' }] }), 'utf8')
    await expect(store.list()).rejects.toThrow(/profiles\.0\.kind/)
  })
})
