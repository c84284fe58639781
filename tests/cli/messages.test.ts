// Messages users act on, through the built CLI: nothing is sent in these cases, but the words
// decide whether a healthy profile is deleted or a resumable run is given up.
import { execFile, execFileSync } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsonLines, runCli } from './cli-process'
import { cliFixture, type CliFixture } from './fixtures'

const execFileAsync = promisify(execFile)
const BIN = join(__dirname, '..', '..', 'bin', 'b24-triggers.js')
const KEYRING = join(__dirname, '..', 'with-keyring.sh')
let f: CliFixture
const RUN = ['run', '--profile', 'app', '--code', 'deal_won', '--owner-type', 'deal']

beforeAll(async () => {
  f = await cliFixture()
  await f.addAppProfile('app')
})
afterAll(async () => {
  await f.teardown()
})

async function csv(name: string, text: string | Buffer): Promise<string> {
  const path = join(f.dataDir, name)
  await writeFile(path, text)
  return path
}

function ids(from: number, count: number): string {
  return ['Deal ID', ...Array.from({ length: count }, (_, i) => String(from + i))].join('\n') + '\n'
}

interface Summary {
  run: { id: string; status: string; counts: Record<string, number> }
}

/** A run paused by Ctrl-C after the portal ran some of its rows. */
async function pausedRun(from: number, count: number): Promise<string> {
  f.sandbox.generateItems(2, from, count, 'NEW')
  f.sandbox.setTriggerCost('deal_won', 15)
  const running = f.start([...RUN, '--csv', await csv(`p${from}.csv`, ids(from, count))])
  await running.waitFor(/Run \S+ started/)
  while (!f.sandbox.ledger().some((e) => e.ownerId >= from)) await new Promise((r) => setTimeout(r, 10))
  running.child.kill('SIGINT')
  const r = await running.done
  f.sandbox.setTriggerCost('deal_won', 0)
  expect(r.code, r.stdout + r.stderr).toBe(130)
  return /runs resume (\S+)/.exec(r.stdout)?.[1] as string
}

function ranOnce(from: number, count: number): void {
  const per = new Map<number, number>()
  for (const e of f.sandbox.ledger()) if (e.ownerId >= from && e.ownerId < from + count) per.set(e.ownerId, (per.get(e.ownerId) ?? 0) + 1)
  expect([...per.values()].every((n) => n === 1)).toBe(true)
}

describe('the journal and run files', () => {
  it('one damaged journal line in the middle: the run stays listed and resumable, nothing runs twice', async () => {
    const id = await pausedRun(20_000, 400)
    const journal = join(f.dataDir, 'runs', id, 'journal.jsonl')
    const lines = (await readFile(journal, 'utf8')).split('\n')
    const at = lines.findIndex((l) => l.startsWith('{"t":"outcome"'))
    lines[at] = '{"t":"outc\u0000\u0000 damaged'
    await writeFile(journal, lines.join('\n'))

    const listed = await f.cli(['--json', 'runs', 'list'])
    expect(listed.code, listed.stderr).toBe(0)
    expect(JSON.stringify(jsonLines(listed.stdout))).toContain(id)
    const shown = await f.cli(['runs', 'show', id])
    expect(shown.code, shown.stderr).toBe(0)

    const resumed = await f.cli(['--json', 'runs', 'resume', id])
    const summary = jsonLines(resumed.stdout).find((x) => x.type === 'summary') as unknown as Summary
    expect(summary.run.status).toBe('finished')
    expect(summary.run.counts.pending).toBe(0)
    // The row whose outcome line was lost had been sent: uncertain, never sent again.
    expect(summary.run.counts.uncertain).toBeGreaterThanOrEqual(1)
    ranOnce(20_000, 400)
  })

  it('a corrupt run.json is named in the error', async () => {
    const id = await pausedRun(21_000, 200)
    const meta = join(f.dataDir, 'runs', id, 'run.json')
    await writeFile(meta, '{"version":1, oops')
    const r = await f.cli(['runs', 'show', id])
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain(meta)
    // Still listed from its cached summary; with no cache either, named in a warning.
    const listed = await f.cli(['runs', 'list'])
    expect(listed.code).toBe(0)
    expect(listed.stdout).toContain(id)
    await rm(join(f.dataDir, 'runs', id, 'summary.json'))
    const relisted = await f.cli(['runs', 'list'])
    expect(relisted.code).toBe(0)
    expect(relisted.stderr).toContain(`Warning: Run ${id} cannot be read: its file ${meta} is damaged`)
  })

  it('a run folder deleted mid-run does not end as finished with exit 0', async () => {
    f.sandbox.generateItems(2, 22_000, 400, 'NEW')
    f.sandbox.setTriggerCost('deal_won', 10)
    const running = f.start([...RUN, '--csv', await csv('gone.csv', ids(22_000, 400))])
    await running.waitFor(/Run \S+ started/)
    const id = /Run (\S+) started/.exec(running.output())?.[1] as string
    while (!f.sandbox.ledger().some((e) => e.ownerId >= 22_000)) await new Promise((r) => setTimeout(r, 10))
    await rm(join(f.dataDir, 'runs', id), { recursive: true, force: true })
    const r = await running.done
    f.sandbox.setTriggerCost('deal_won', 0)
    expect(r.code).not.toBe(0)
    expect(r.stdout).not.toMatch(/finished/)
    expect(r.stdout).toContain('was deleted or moved while the run went on')
    ranOnce(22_000, 400)
  })
})

describe('CSV input', () => {
  it('mixed delimiters: the error says to pass --delimiter', async () => {
    const r = await f.cli([...RUN, '--dry-run', '--csv', await csv('mixed.csv', 'ID;Title\n1;a\n2,b\n3,c\n4;d\n5,e\n')])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('mixes delimiters')
    expect(r.stderr).toContain('--delimiter')
    // Said once, not as a hint line and again in the error.
    expect((r.stdout + r.stderr).split('mixes delimiters').length - 1).toBe(1)
  })

  it('UTF-16 without a byte-order mark is read as text, not called binary', async () => {
    const r = await f.cli([...RUN, '--dry-run', '--csv', await csv('utf16.csv', Buffer.from('Deal ID;Title\n1;Сделка\n2;b\n', 'utf16le'))])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('2 rows: 2 to send, 0 skipped.')
  })
})

describe('the data folder', () => {
  it('a read-only data folder is called read-only, not "no such file"', async (ctx) => {
    const ro = await mkdtemp(join(tmpdir(), 'b24tr-ro-'))
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,ro', 'tmpfs', ro], { stdio: 'pipe' })
    } catch {
      await rm(ro, { recursive: true, force: true })
      console.warn('read-only data folder test skipped: cannot mount a read-only tmpfs here')
      return ctx.skip()
    }
    try {
      const r = await runCli(['profiles', 'add', '--name', 'x', '--kind', 'webhook', '--secret-stdin'], {
        dataDir: join(ro, 'data'),
        stdin: f.sandbox.adminWebhookUrl + '\n'
      })
      expect(r.code).not.toBe(0)
      expect(r.stderr).toContain('read-only')
      expect(r.stderr).not.toContain('ENOENT')
    } finally {
      execFileSync('umount', [ro])
      await rm(ro, { recursive: true, force: true })
    }
  })
})

describe('the keychain', () => {
  it('a locked keychain is not called "no credentials", and profiles list does not say MISSING', async () => {
    // Locking is for the whole keyring, so this runs in a throwaway keyring of its own (another
    // tests/with-keyring.sh session), never in the one the other CLI tests share.
    const dataDir = await mkdtemp(join(tmpdir(), 'b24tr-locked-'))
    const script = [
      `printf '%s\\n' "$HOOK" | "${process.execPath}" "${BIN}" profiles add --name k --kind webhook --secret-stdin >/dev/null`,
      'dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null',
      `"${process.execPath}" "${BIN}" profiles list; echo "list-exit $?"`,
      `"${process.execPath}" "${BIN}" profiles test k 2>&1; echo "test-exit $?"`
    ].join('\n')
    const env: Record<string, string | undefined> = { ...process.env, B24TR_DATA_DIR: dataDir, NO_COLOR: '1', HOOK: f.sandbox.adminWebhookUrl }
    delete env.B24TR_KEYRING_SESSION
    try {
      // Asynchronously: `profiles add` tests the webhook against the sandbox in this process,
      // which a blocking execFileSync would keep from answering.
      const { stdout: out } = await execFileAsync('bash', [KEYRING, 'bash', '-c', script], { env, encoding: 'utf8', timeout: 60_000 })
      expect(out).toContain('list-exit 0')
      expect(out).toContain('unknown (keychain locked)')
      expect(out).not.toContain('MISSING')
      expect(out).toContain('keychain is locked')
      expect(out).not.toContain('holds no credentials')
      expect(out).toMatch(/test-exit [1-9]/)
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})

describe('the help text', () => {
  it('fits 80 columns (no line wraps mid-word on a standard terminal)', async () => {
    const r = await f.cli(['--help'])
    expect(r.code).toBe(0)
    const long = r.stdout.split('\n').filter((line) => line.length > 80)
    expect(long).toEqual([])
  })
})
