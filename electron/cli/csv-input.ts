// `--csv` from a pipe: a named pipe, `<(...)`, `/dev/stdin`, or `-` for standard input. The
// importer reads its input more than once (encoding scan, then rows), which a pipe cannot give:
// the second read would wait forever (a named pipe) or find nothing ("The file is empty"). A
// non-seekable source is therefore read once into a private temporary copy (a 0700 folder, a
// 0600 file, in the OS temp folder) that is removed as soon as the run is planned, or when the
// process exits, whichever comes first. Regular files are read in place, as before.
import { createReadStream, createWriteStream, rmSync } from 'node:fs'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join, resolve } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { CsvImportError } from '../core/runs/csv-errors'
import { explainWriteError } from '../core/durable-write'

export interface CsvInputFile {
  /** What to read (the file itself, or the private copy). */
  path: string
  /** The name shown in the history. */
  name: string
  /** The user's file, to find again for export; undefined for a pipe (gone once read). */
  sourcePath?: string
  /** Removes the copy of a pipe; a no-op for a file. */
  dispose(): Promise<void>
}

const STDIN_PATHS = new Set(['/dev/stdin', '/dev/fd/0', '/proc/self/fd/0'])
const copies = new Set<string>()
let watching = false

function removeCopiesAtExit(): void {
  if (watching) return
  watching = true
  process.once('exit', () => {
    for (const dir of copies) rmSync(dir, { recursive: true, force: true })
  })
}

/** Opens `--csv ARG`: `-` is standard input. */
export async function openCsvInput(arg: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<CsvInputFile> {
  const path = resolve(arg)
  // Our own standard input: read the stream we already have (opening /dev/stdin anew fails
  // when it is a socket, as under some process managers).
  if (arg === '-' || STDIN_PATHS.has(path)) {
    // Nothing piped in: say what the wait is for.
    if ((stdin as { isTTY?: boolean }).isTTY) process.stderr.write('Reading the CSV from the terminal; end it with Ctrl-D.\n')
    return copyOnce(stdin, 'stdin')
  }
  let info
  try {
    info = await stat(path)
  } catch {
    // Let the importer say what is wrong with it, in its usual words.
    return { path, name: basename(path), sourcePath: path, dispose: async () => undefined }
  }
  if (info.isFile() || info.isDirectory()) return { path, name: basename(path), sourcePath: path, dispose: async () => undefined }
  // A FIFO, a character device (/dev/stdin on a terminal or pipe), a socket: read it once.
  return copyOnce(createReadStream(path), basename(path))
}

async function copyOnce(source: NodeJS.ReadableStream, name: string): Promise<CsvInputFile> {
  const dir = await mkdtemp(join(tmpdir(), 'b24tr-csv-'))
  copies.add(dir)
  removeCopiesAtExit()
  const path = join(dir, 'input.csv')
  const dispose = async (): Promise<void> => {
    copies.delete(dir)
    await rm(dir, { recursive: true, force: true })
  }
  try {
    await pipeline(source, createWriteStream(path, { flags: 'wx', mode: 0o600 }))
  } catch (err) {
    await dispose()
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOSPC' || code === 'EROFS' || code === 'EACCES') throw explainWriteError(err, path)
    throw new CsvImportError('unreadable', `Cannot read "${name}": ${err instanceof Error ? err.message : String(err)}.`)
  }
  return { path, name, dispose }
}
