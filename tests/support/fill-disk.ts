// Shared by the disk-full tests (unit and CLI): fills a small tmpfs to its last byte.
import { closeSync, openSync, writeSync } from 'node:fs'
import { join } from 'node:path'

/** Uses up every free page of the file system `dir` is on; returns the filler file to delete
 * when space should come back. */
export function fillDisk(dir: string): string {
  const filler = join(dir, 'filler')
  const fd = openSync(filler, 'a')
  try {
    for (const size of [1 << 16, 4096, 1]) {
      try {
        for (;;) if (writeSync(fd, Buffer.alloc(size)) === 0) break
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err
      }
    }
  } finally {
    closeSync(fd)
  }
  return filler
}
