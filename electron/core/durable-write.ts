// Writes that count only when every byte is on disk. On a full disk `FileHandle.write` can write
// part of a buffer and still resolve (tmpfs and most Linux file systems return a short count
// before they return ENOSPC): a caller that ignores `bytesWritten` believes a torn record is
// durable. Everything the app must not lose (journal records, run.json, profiles.json, exports)
// goes through `writeAll`, and whole files through `writeFileDurable` (temp file, every byte,
// fsync, rename).
import { randomUUID } from 'node:crypto'
import { constants } from 'node:fs'
import { access, mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises'
import { dirname, join } from 'node:path'

/** The disk (or the user's quota) is full. Nothing that depended on the write was done. */
export class DiskFullError extends Error {
  readonly code = 'DISK_FULL'
  constructor(
    readonly path: string,
    cause?: unknown
  ) {
    super(`The disk is full (writing ${path}): free space, then try again.`, cause === undefined ? undefined : { cause })
    this.name = 'DiskFullError'
  }
}

/** The folder cannot be written (read-only file system, permissions). */
export class NotWritableError extends Error {
  readonly code = 'NOT_WRITABLE'
  constructor(
    readonly path: string,
    readonly reason: string
  ) {
    super(`Cannot write to ${path}: ${reason}.`)
    this.name = 'NotWritableError'
  }
}

const FULL = new Set(['ENOSPC', 'EDQUOT', 'EFBIG'])
const READ_ONLY: Record<string, string> = {
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied'
}

/** A write failure in the user's words: a full disk or a read-only place, else the error as is. */
export function explainWriteError(err: unknown, path: string): Error {
  if (err instanceof DiskFullError || err instanceof NotWritableError) return err
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  if (code && FULL.has(code)) return new DiskFullError(path, err)
  const readOnly = code ? READ_ONLY[code] : undefined
  if (readOnly) return new NotWritableError((err as NodeJS.ErrnoException).path ?? path, readOnly)
  return err instanceof Error ? err : new Error(String(err))
}

/** The subset of FileHandle `writeAll` needs (tests inject one that writes part of a buffer). */
export type WritableHandle = Pick<FileHandle, 'write'>

/** Writes every byte of `data` or throws: a write that makes no progress is a full disk. With
 * `position` the bytes go there; without it, at the handle's current offset (append). */
export async function writeAll(handle: WritableHandle, data: string | Uint8Array, path: string, position?: number): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
  let done = 0
  while (done < bytes.length) {
    let written: number
    try {
      ;({ bytesWritten: written } = await handle.write(bytes, done, bytes.length - done, position === undefined ? null : position + done))
    } catch (err) {
      throw explainWriteError(err, path)
    }
    // A short write is the file system running out of room: the next call almost always fails
    // with ENOSPC; a write of nothing at all would loop forever.
    if (written <= 0) throw new DiskFullError(path)
    done += written
  }
}

/** Replaces `file` with `data` so that a reader sees the old content or all of the new, never a
 * torn one: a temporary file beside it gets every byte and an fsync before the rename. */
export async function writeFileDurable(file: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`
  let handle: FileHandle | undefined
  try {
    handle = await open(tmp, 'wx', mode)
    await writeAll(handle, data, file)
    await handle.sync()
    await handle.close()
    handle = undefined
    await rename(tmp, file)
  } catch (err) {
    await handle?.close().catch(() => undefined)
    await rm(tmp, { force: true }).catch(() => undefined)
    throw explainWriteError(err, file)
  }
  await syncDir(dirname(file))
}

/** Makes a rename or a new file in `dir` survive a power cut (best effort: not on Windows). */
export async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return
  const handle = await open(dir, 'r').catch(() => undefined)
  if (!handle) return
  try {
    await handle.sync()
  } catch {
    // Some file systems refuse fsync on a folder; the rename itself is still atomic.
  } finally {
    await handle.close()
  }
}

/** Why a run stopped when its journal refused a write, in the words the user acts on. */
export function writeFailureReason(err: unknown): string {
  if (err instanceof DiskFullError) return 'The disk is full: free space, then resume.'
  if (err instanceof NotWritableError) return `Cannot write the run's journal (${err.reason}: ${err.path}): make it writable, then resume.`
  if ((err as { code?: unknown } | undefined)?.code === 'JOURNAL_GONE') {
    return `${(err as Error).message} Nothing more was sent. Rows sent before may have run: check the portal before running the file again.`
  }
  return `Cannot write the run's journal: ${err instanceof Error ? err.message : String(err)}. Fix that, then resume.`
}

/** Creates `dir` (and its parents), saying plainly when the place is read-only or not ours:
 * Node's recursive mkdir reports a read-only file system as ENOENT ("no such file"). */
export async function ensureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') {
      // Find the deepest folder that exists and ask whether it may be written.
      let at = dirname(dir)
      for (;;) {
        const info = await stat(at).catch(() => undefined)
        if (info || dirname(at) === at) break
        at = dirname(at)
      }
      const denied = await access(at, constants.W_OK).then(
        () => undefined,
        (e: NodeJS.ErrnoException) => e
      )
      if (denied) throw explainWriteError(denied, at)
      const ro = await statfsReadOnly(at)
      if (ro) throw new NotWritableError(at, READ_ONLY.EROFS as string)
    }
    throw explainWriteError(err, dir)
  }
}

/** access(W_OK) passes for root on a read-only mount; a probe file tells the truth. */
async function statfsReadOnly(dir: string): Promise<boolean> {
  const probe = join(dir, `.b24tr-write-probe-${process.pid}`)
  try {
    await (await open(probe, 'wx')).close()
    await rm(probe, { force: true })
    return false
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EROFS'
  }
}
