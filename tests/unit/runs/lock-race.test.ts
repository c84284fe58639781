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

function racer(arg: string): Promise<Result[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', RACER, arg], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`racer exited ${code}: ${err}`))
      else resolve(out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Result))
    })
  })
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
    // Racers start together once all are loaded (tsx takes a while on a busy machine).
    const first = Date.now() + 8_000
    const holdMs = 1_500
    const startAt = dirs.map((_, i) => first + i * (holdMs + 500))
    const arg = JSON.stringify({ dirs, startAt, holdMs })
    const results = (await Promise.all(Array.from({ length: PROCESSES }, () => racer(arg)))).flat()
    expect(results.filter((r) => r.error)).toEqual([])
    // Every racer asked while the first winner still held the lock (else a later win is fair).
    const late = results.filter((r) => r.tried > (startAt[r.trial] as number) + holdMs / 2)
    expect(late).toEqual([])
    const winners = dirs.map((_, i) => results.filter((r) => r.trial === i && r.won).length)
    console.log(`lock race: ${winners.filter((n) => n === 1).length} of ${TRIALS} trials had a single winner among ${PROCESSES} processes (winners per trial: ${winners.join(' ')})`)
    expect(winners).toEqual(dirs.map(() => 1))
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
