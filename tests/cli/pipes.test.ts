// `--csv` from pipes, through the built CLI: standard input (`-` and `/dev/stdin`), a named pipe
// and bash's `<(...)`. Each is read once into a private copy that is gone when the command ends.
import { execFile, execFileSync } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsonLines } from './cli-process'
import { cliFixture, type CliFixture } from './fixtures'

const bin = join(__dirname, '..', '..', 'bin', 'b24-triggers.js')
let f: CliFixture
let tmp: string
const IDS = 'Deal ID\n1\n2\n3\nx\n'
const DRY = ['run', '--profile', 'hook', '--code', 'deal_won', '--owner-type', 'deal', '--dry-run']

beforeAll(async () => {
  f = await cliFixture()
  await f.addAppProfile('hook')
  tmp = join(f.dataDir, 'tmp')
  await mkdir(tmp)
})
afterAll(async () => {
  await f.teardown()
})

async function noCopiesLeft(): Promise<void> {
  expect(await readdir(tmp)).toEqual([])
}

describe('run --csv from a pipe', () => {
  it('`--csv -` reads standard input; the run sends every row once', async () => {
    const dry = await f.cli([...DRY, '--csv', '-'], IDS, { TMPDIR: tmp })
    expect(dry.code, dry.stderr).toBe(0)
    expect(dry.stdout).toContain('4 rows: 3 to send, 1 skipped.')
    f.sandbox.generateItems(2, 7001, 3, 'NEW')
    const run = await f.cli(['--json', 'run', '--profile', 'hook', '--code', 'deal_won', '--owner-type', 'deal', '--csv', '-'], 'ID\n7001\n7002\n7003\n', { TMPDIR: tmp })
    expect(run.code, run.stderr).toBe(0)
    const summary = jsonLines(run.stdout).find((r) => r.type === 'summary') as { run: { counts: Record<string, number>; sourceName: string } }
    expect(summary.run.counts).toMatchObject({ succeeded: 3, pending: 0 })
    expect(summary.run.sourceName).toBe('stdin')
    expect(f.sandbox.ledger().filter((e) => e.ownerId >= 7001 && e.ownerId <= 7003)).toHaveLength(3)
    await noCopiesLeft()
  })

  it('/dev/stdin on a pipe is read once, not called empty', async () => {
    const r = await f.cli([...DRY, '--csv', '/dev/stdin'], IDS, { TMPDIR: tmp })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('4 rows: 3 to send, 1 skipped.')
    await noCopiesLeft()
  })

  it('a named pipe does not hang', async () => {
    const fifo = join(f.dataDir, 'ids.fifo')
    execFileSync('mkfifo', [fifo])
    const running = f.start([...DRY, '--csv', fifo])
    // The writer, as another program would: opens the pipe, writes once, closes.
    const writer = createWriteStream(fifo)
    writer.end(IDS)
    const r = await running.done
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('4 rows: 3 to send, 1 skipped.')
  }, 30_000)

  it('bash process substitution <(...) works', async () => {
    const { stdout } = await promisify(execFile)(
      'bash',
      ['-c', `"${process.execPath}" "${bin}" ${DRY.join(' ')} --csv <(printf 'Deal ID\\n1\\n2\\n3\\nx\\n')`],
      { env: { ...process.env, B24TR_DATA_DIR: f.dataDir, NO_COLOR: '1', TMPDIR: tmp } }
    )
    expect(stdout).toContain('4 rows: 3 to send, 1 skipped.')
    await noCopiesLeft()
  })
})
