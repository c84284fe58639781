// A full disk for real: a small tmpfs (we mount one; the test is skipped, saying why, where
// mounting is not allowed) and a file handle that writes part of a buffer. On a full disk
// `write` can store part of a record and still resolve; an intent counts only when every byte is
// on disk, so a short write must stop the batch before it is sent, and resume must send every
// row exactly once.
import { execFileSync } from 'node:child_process'
import { appendFileSync, existsSync, statSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DiskFullError, writeAll, writeFileDurable } from '../../../electron/core/durable-write'
import { createRunManager } from '../../../electron/core/runs'
import { JournalWriter, replayJournal, rowRecords } from '../../../electron/core/runs/journal'
import { journalPath, loadRun } from '../../../electron/core/runs/run-store'
import { createProfileStore } from '../../../electron/core/profiles/profile-store'
import { exportResults, type ExportRow } from '../../../electron/core/runs/export'
import { dealRows, executions, range, rig, spec, type Rig } from './helpers'
import { fillDisk } from '../../support/fill-disk'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

function tryMountTmpfs(dir: string, size: string): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' })
    return undefined
  } catch (err) {
    return (err as { stderr?: Buffer }).stderr?.toString().trim() || String(err)
  }
}

/** A fresh tmpfs of `size`, unmounted after the test; undefined (with the reason logged) when
 * this machine does not let us mount one. */
async function smallDisk(size = '1m'): Promise<string | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'b24-diskfull-'))
  const why = tryMountTmpfs(dir, size)
  if (why !== undefined) {
    await rm(dir, { recursive: true, force: true })
    console.warn(`disk-full test skipped: cannot mount a tmpfs here (${why})`)
    return undefined
  }
  cleanups.push(async () => {
    execFileSync('umount', [dir])
    await rm(dir, { recursive: true, force: true })
  })
  return dir
}

/** Pads the journal with blank lines (which readers skip) so that its last page has exactly
 * `room` bytes free: with the disk full, the next record longer than that is a short write. */
function leaveRoom(journal: string, room: number): void {
  const size = statSync(journal).size
  const pad = (4096 - ((size + room) % 4096)) % 4096
  appendFileSync(journal, '\n'.repeat(pad))
}

describe('a short write of a record never counts as durable', () => {
  it('writeAll finishes a partial write, and calls a write that stores nothing a full disk', async () => {
    const chunks: Buffer[] = []
    let calls = 0
    // Writes half of what it is given, then nothing (the file system's pages ran out).
    const half = {
      write: async (buf: Uint8Array, offset = 0, length = buf.length - offset) => {
        calls++
        const n = calls > 3 ? 0 : Math.ceil(length / 2)
        chunks.push(Buffer.from(buf.subarray(offset, offset + n)))
        return { bytesWritten: n, buffer: buf }
      }
    }
    await expect(writeAll(half as never, 'x'.repeat(100), 'f')).rejects.toBeInstanceOf(DiskFullError)
    expect(Buffer.concat(chunks).length).toBe(50 + 25 + 13)
    calls = -100
    chunks.length = 0
    await writeAll(half as never, 'abcdefgh', 'f')
    expect(Buffer.concat(chunks).toString()).toBe('abcdefgh')
  })

  it('an intent written in part is refused, and the journal keeps only whole records', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'b24-short-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const file = join(dir, 'journal.jsonl')
    let budget = Infinity
    const journal = await JournalWriter.open(file, {
      // A handle that stores at most `budget` more bytes, like a disk with that much room left.
      writer: (handle) => ({
        write: (async (buf: Uint8Array, offset: number, length: number) => {
          const n = Math.max(0, Math.min(length, budget))
          budget -= n
          return handle.write(buf, offset, n)
        }) as never
      })
    })
    const rows = dealRows(range(1, 4)).map((r) => ({ ...r }))
    await journal.durable([...rowRecords(rows)])
    await journal.durable([{ t: 'intent', batch: 1, rows: [0], at: 1 }])
    budget = 12
    await expect(journal.intent([{ t: 'intent', batch: 2, rows: [1, 2], at: 2 }])).rejects.toBeInstanceOf(DiskFullError)
    expect(journal.diskFull).toBeInstanceOf(DiskFullError)
    // Once the disk filled up no intent is written, even if a few bytes free up...
    budget = Infinity
    await expect(journal.intent([{ t: 'intent', batch: 3, rows: [3], at: 3 }])).rejects.toBeInstanceOf(DiskFullError)
    // ...but what already happened (an answer, the pause) is still recorded.
    await journal.durable([{ t: 'outcome', row: 0, outcome: 'succeeded', attempt: 1, at: 4 }])
    await journal.close()
    const text = await readFile(file, 'utf8')
    expect(text.endsWith('\n')).toBe(true)
    expect(text).not.toContain('"batch":2')
    const replay = await replayJournal(file, 4)
    expect(replay.lastBatch).toBe(1)
    expect(replay.damaged).toEqual([])
    expect(replay.table.outcomeOf(0)).toBe('succeeded')
    expect(replay.table.outcomeOf(1)).toBe('pending')
  })
})

describe('on a real full disk (tmpfs)', () => {
  let r: Rig | undefined
  afterEach(async () => {
    await r?.close()
    r = undefined
  })

  it('a torn intent is not sent; the run pauses saying the disk is full; resume sends every row once', async (ctx) => {
    const disk = await smallDisk('2m')
    if (!disk) return ctx.skip()
    r = await rig({ deals: 120 })
    const rig_ = r
    let filler: string | undefined
    const dataDir = join(disk, 'data')
    const manager = createRunManager({
      dataDir,
      clientFor: () => rig_.client(),
      hooks: {
        beforeIntent: (batch) => {
          if (batch !== 3) return
          leaveRoom(journalPath(dataDir, id), 10)
          filler = fillDisk(disk)
        }
      }
    })
    const { id } = await manager.createRun(spec(r, dealRows(range(1, 120)), { options: { maxInFlight: 1 } }))
    const paused = await (await manager.start(id)).done
    expect(filler).toBeDefined()
    expect(paused.status).toBe('paused')
    expect(paused.pauseReason).toBe('The disk is full: free space, then resume.')
    // Only the first two batches ran: the third's intent never reached the disk whole.
    const sent = r.sandbox.ledger().length
    expect(sent).toBe(paused.counts.succeeded)
    expect(sent).toBeLessThan(120)
    // The journal ends in a whole record; the pause itself was recorded with the space held in
    // reserve, which is given back when the session ends.
    expect((await readFile(journalPath(dataDir, id), 'utf8')).endsWith('\n')).toBe(true)
    const stored = await loadRun(dataDir, id)
    expect(stored.status).toBe('paused')
    expect(stored.pauseReason).toBe('The disk is full: free space, then resume.')
    expect(existsSync(`${journalPath(dataDir, id)}.reserve`)).toBe(false)

    await rm(filler!)
    const resumed = createRunManager({ dataDir, clientFor: () => rig_.client() })
    const view = await (await resumed.resume(id)).done
    expect(view.status).toBe('finished')
    expect(view.counts.succeeded).toBe(120)
    const ran = executions(r.sandbox)
    expect(ran.size).toBe(120)
    expect([...ran.values()].every((n) => n === 1)).toBe(true)
  })

  it('run.json and profiles.json: a full disk fails the write and leaves the old file whole', async (ctx) => {
    const disk = await smallDisk('256k')
    if (!disk) return ctx.skip()
    const file = join(disk, 'run.json')
    await writeFile(file, '{"old":true}')
    fillDisk(disk)
    await expect(writeFileDurable(file, JSON.stringify({ big: 'x'.repeat(20_000) }))).rejects.toBeInstanceOf(DiskFullError)
    expect(await readFile(file, 'utf8')).toBe('{"old":true}')
    expect((await readdir(disk)).sort()).toEqual(['filler', 'run.json'])

    await rm(join(disk, 'filler'))
    const store = createProfileStore({ dataDir: disk })
    await store.create({ name: 'Kept', portalUrl: 'https://kept.bitrix24.ru', kind: 'webhook', plan: 'standard' } as never)
    const before = await readFile(store.filePath, 'utf8')
    fillDisk(disk)
    await expect(store.create({ name: 'x'.repeat(5000), portalUrl: 'https://new.bitrix24.ru', kind: 'webhook', plan: 'standard' } as never)).rejects.toBeInstanceOf(DiskFullError)
    expect(await readFile(store.filePath, 'utf8')).toBe(before)
  })

  it('an export on a full disk fails saying so, and leaves neither the file nor a .partial', async (ctx) => {
    const disk = await smallDisk('256k')
    if (!disk) return ctx.skip()
    fillDisk(disk)
    const rows: ExportRow[] = Array.from({ length: 5000 }, (_, i) => ({ line: i + 2, ownerTypeId: 2, ownerId: i + 1, code: 'go', outcome: 'succeeded' }))
    const out = join(disk, 'results.csv')
    await expect(exportResults(rows, 'csv', out)).rejects.toBeInstanceOf(DiskFullError)
    expect((await readdir(disk)).sort()).toEqual(['filler'])
  })
})
