// The run lock: one process at a time sends a run (two writers would interleave one journal and
// could send a row twice). The app and the CLI share it, and a process that crashed leaves its
// lock behind, so taking over a dead holder's lock is part of taking the lock, and must be as
// atomic as taking a free one.
//
// Generations. The lock is the highest-numbered file `run.lock.<n>` in the run folder. It holds
// the holder's pid and a nonce, or `free` once released. To take the lock a process reads the
// highest generation n; if that holder is alive it is refused; otherwise it creates generation
// n + 1 exclusively (a complete temporary file hard-linked into place: `link` fails if the name
// exists, and a reader never sees a half-written lock). Of many processes that judged n dead or
// free at once, exactly one creates n + 1; the others find it there and re-judge, now seeing a
// live holder. The winner then checks that no higher generation exists (a process that read a
// listing long ago could otherwise re-create a number a winner had cleaned up) and removes the
// generations below its own. A generation, once created, is never reused while a higher one
// exists, which is what makes "create n + 1" a compare-and-swap on n.
//
// (proper-lockfile was considered: its stale takeover removes the lock and re-creates it, which
// lets two processes that both judged it stale both win.)
import { randomBytes } from 'node:crypto'
import { link, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises'
import { uptime } from 'node:os'
import { join } from 'node:path'

const PREFIX = 'run.lock'
const GENERATION = /^run\.lock\.(\d+)$/
const FREE = 'free'
/** Clock steps and the uptime's rounding must not make a fresh lock look older than the boot. */
const BOOT_SLACK_MS = 60_000
/** A lock file we cannot read as ours or anyone's (written by hand, an old version mid-write)
 * is respected this long after it was last written. */
const UNREADABLE_GRACE_MS = 5_000
const MAX_TRIES = 50

export class RunLockedError extends Error {
  readonly code = 'RUN_LOCKED'
  constructor(
    readonly runId: string,
    readonly pid: number
  ) {
    super(
      `Run ${runId} is being sent by another process (pid ${pid}: the desktop app or another b24-triggers). ` +
        'Pause it there, or wait until it stops, then try again.'
    )
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** When this machine started (ms), give or take a second. */
function bootTime(): number {
  return Date.now() - uptime() * 1000
}

/** Generations present, highest first. The lock file of older versions (`run.lock`) is 0. */
async function generations(dir: string): Promise<number[]> {
  const names = await readdir(dir)
  const out: number[] = []
  for (const name of names) {
    if (name === PREFIX) out.push(0)
    const m = GENERATION.exec(name)
    if (m) out.push(Number(m[1]))
  }
  return out.sort((a, b) => b - a)
}

function fileOf(dir: string, generation: number): string {
  return join(dir, generation === 0 ? PREFIX : `${PREFIX}.${generation}`)
}

type Judgement = { held: false } | { held: true; pid: number } | { gone: true }

/** Who holds generation `g`: a live process, nobody (free, or its process is dead), or the file
 * went away while we looked (re-list). */
async function judge(dir: string, g: number): Promise<Judgement> {
  const file = fileOf(dir, g)
  let text: string
  let mtimeMs: number
  try {
    ;[text, { mtimeMs }] = await Promise.all([readFile(file, 'utf8'), stat(file)])
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { gone: true }
    throw err
  }
  if (text.trim() === FREE) return { held: false }
  const pid = Number(text.split('\n')[0])
  if (!Number.isInteger(pid) || pid <= 0) {
    return Date.now() - mtimeMs < UNREADABLE_GRACE_MS ? { held: true, pid: 0 } : { held: false }
  }
  // The same process may take its own lock again (the manager guards against a double start).
  if (pid === process.pid) return { held: false }
  // A lock written before the machine started is stale even if its pid now names another process.
  return mtimeMs >= bootTime() - BOOT_SLACK_MS && alive(pid) ? { held: true, pid } : { held: false }
}

/** The pid of a live process that holds the run, if any. */
export async function lockHolderIn(dir: string): Promise<number | undefined> {
  try {
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const [top] = await generations(dir)
      if (top === undefined) return undefined
      const j = await judge(dir, top)
      if ('gone' in j) continue
      return j.held && j.pid > 0 ? j.pid : undefined
    }
  } catch {
    // An unreadable folder holds no lock we can honour; taking it will say what is wrong.
  }
  return undefined
}

/** Takes the run in `dir` for this process, or throws RunLockedError. Returns the release. */
export async function takeRunLock(dir: string, runId: string): Promise<() => Promise<void>> {
  const nonce = randomBytes(8).toString('hex')
  const mine = `${process.pid}\n${nonce}\n`
  const tmp = join(dir, `${PREFIX}.tmp-${process.pid}-${nonce}`)
  await writeFile(tmp, mine)
  try {
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const [top = -1] = await generations(dir)
      if (top >= 0) {
        const j = await judge(dir, top)
        if ('gone' in j) continue
        if (j.held) throw new RunLockedError(runId, j.pid)
      }
      const next = top + 1
      try {
        await createExclusive(tmp, fileOf(dir, next), mine)
      } catch (err) {
        // Another process took generation `next` first: judge again, its holder is alive.
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue
        throw err
      }
      const [highest = next] = await generations(dir)
      if (highest > next) {
        // We re-created a generation a winner had already cleaned up: not the lock.
        await unlink(fileOf(dir, next)).catch(() => undefined)
        continue
      }
      for (const g of await generations(dir)) if (g < next) await unlink(fileOf(dir, g)).catch(() => undefined)
      await removeDeadTemporaries(dir)
      return () => release(dir, next, mine)
    }
    throw new Error(`Could not take the lock of run ${runId}: it kept changing hands.`)
  } finally {
    await unlink(tmp).catch(() => undefined)
  }
}

/** `target` appears with all of `content`, or not at all (EEXIST). File systems without hard
 * links (FAT, some network shares) get an exclusive create instead, which may be seen empty for
 * an instant: judge() respects an unreadable lock for a few seconds. */
async function createExclusive(tmp: string, target: string, content: string): Promise<void> {
  try {
    await link(tmp, target)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') throw err
    await writeFile(target, content, { flag: 'wx' })
  }
}

/** Temporary lock files of processes that died between writing and linking them. */
async function removeDeadTemporaries(dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const m = /^run\.lock\.tmp-(\d+)-/.exec(name)
    if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) await unlink(join(dir, name)).catch(() => undefined)
  }
}

/** Marks our generation free, unless it is no longer ours (never the case while we are alive,
 * but a lock is only ever released by its holder). */
async function release(dir: string, generation: number, mine: string): Promise<void> {
  const file = fileOf(dir, generation)
  const text = await readFile(file, 'utf8').catch(() => undefined)
  if (text !== mine) return
  const tmp = `${file}.tmp-free-${process.pid}`
  try {
    await writeFile(tmp, FREE)
    await rename(tmp, file)
  } catch {
    await unlink(tmp).catch(() => undefined)
  }
}
