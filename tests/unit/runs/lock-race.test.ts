// Many processes race for one run whose lock a crashed process left behind: exactly one may
// take it over, in every trial. (Before run-lock.ts, two resumers could both judge the lock
// stale and one deleted the lock the other had just written; an empty lock file being written
// was taken as free.)
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { lockHolderIn, takeRunLock } from '../../../electron/core/runs/run-lock'

const RACER = fileURLToPath(new URL('./lock-race/racer.ts', import.meta.url))
const PROCESSES = 16
const TRIALS = 10
/** A pid that does not exist: the crashed process's. */
const DEAD_PID = 2147483646

let root: string | undefined
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true })
  root = undefined
})

interface Result {
  trial: number
  won: boolean
  /** When it asked for the lock; a winner's hold is [from, to]. */
  tried: number
  from?: number
  to?: number
  error?: string
}

interface Racer {
  ready: Promise<void>
  start(startAt: number[]): void
  results: Promise<Result[]>
}

function racer(arg: string): Racer {
  const child = spawn(process.execPath, ['--import', 'tsx', RACER, arg], { stdio: ['pipe', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  let markReady: () => void = () => undefined
  const ready = new Promise<void>((resolve) => (markReady = resolve))
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString()
    if (out.startsWith('ready\n')) markReady()
  })
  child.stderr.on('data', (d: Buffer) => (err += d.toString()))
  const results = new Promise<Result[]>((resolve, reject) => {
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`racer exited ${code}: ${err}`))
      else resolve(out.split('\n').slice(1).filter(Boolean).map((l) => JSON.parse(l) as Result))
    })
  })
  return { ready, results, start: (startAt) => child.stdin.end(JSON.stringify(startAt) + '\n') }
}

describe('run lock', () => {
  it(`${PROCESSES} processes racing one stale lock: exactly one wins, ${TRIALS} trials`, async () => {
    root = await mkdtemp(join(tmpdir(), 'b24-lockrace-'))
    const dirs: string[] = []
    for (let i = 0; i < TRIALS; i++) {
      const dir = join(root, `run-${i}`)
      dirs.push(dir)
      await (await import('node:fs/promises')).mkdir(dir)
      // Half the trials: the lock file of older versions; half: a generation of this one.
      await writeFile(join(dir, i % 2 ? 'run.lock' : 'run.lock.7'), i % 2 ? String(DEAD_PID) : `${DEAD_PID}\nabc\n`)
    }
    // Racers start together once every one is loaded (tsx takes a while on a busy machine).
    const holdMs = 1_500
    const racers = Array.from({ length: PROCESSES }, () => racer(JSON.stringify({ dirs, holdMs })))
    await Promise.all(racers.map((x) => x.ready))
    const first = Date.now() + 500
    const startAt = dirs.map((_, i) => first + i * (holdMs + 500))
    for (const x of racers) x.start(startAt)
    const results = (await Promise.all(racers.map((x) => x.results))).flat()
    expect(results.filter((r) => r.error)).toEqual([])
    const winners = dirs.map((_, i) => results.filter((r) => r.trial === i && r.won).sort((x, y) => (x.from ?? 0) - (y.from ?? 0)))
    // Safety, always: no two processes ever held one run's lock at the same time.
    for (const w of winners) for (let k = 1; k < w.length; k++) expect(w[k]!.from).toBeGreaterThanOrEqual(w[k - 1]!.to ?? 0)
    // A racer that asked only after the winner let go may fairly win next (a very busy machine);
    // every trial where all asked while the lock was held has exactly one winner.
    const contested = winners.map((w, i) => w.length > 0 && results.every((r) => r.trial !== i || r.tried < (w[0]!.to ?? 0)))
    const single = winners.filter((w, i) => contested[i] && w.length === 1).length
    console.log(
      `lock race: ${single} of ${contested.filter(Boolean).length} contested trials had a single winner among ${PROCESSES} processes ` +
        `(${TRIALS} trials; winners per trial: ${winners.map((w) => w.length).join(' ')})`
    )
    expect(contested.filter(Boolean).length).toBeGreaterThanOrEqual(TRIALS - 2)
    expect(single).toBe(contested.filter(Boolean).length)
    // Every winner released: the run is free again.
    for (const dir of dirs) expect(await lockHolderIn(dir)).toBeUndefined()
  }, 180_000)

  it('a lock being written is never read as free, and a live holder is refused', async () => {
    root = await mkdtemp(join(tmpdir(), 'b24-lock-'))
    // An empty file (an older version between create and write) is respected for a while.
    await writeFile(join(root, 'run.lock'), '')
    await expect(takeRunLock(root, 'r')).rejects.toMatchObject({ code: 'RUN_LOCKED' })
    await rm(join(root, 'run.lock'))
    await writeFile(join(root, 'run.lock.3'), `${process.ppid}\nnonce\n`)
    await expect(takeRunLock(root, 'r')).rejects.toMatchObject({ code: 'RUN_LOCKED', pid: process.ppid })
    expect(await lockHolderIn(root)).toBe(process.ppid)
  })
})
