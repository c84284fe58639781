// A full disk in the middle of a CLI run (the data folder on a small tmpfs we mount; skipped,
// saying why, where mounting is not allowed): the run pauses with the words to act on and the
// "resume with" line, exit 3; after space is freed `runs resume` finishes it, each row run once.
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startSandbox, type Sandbox } from '../../sandbox/index'
import { jsonLines, runCli, startCli } from './cli-process'
import { fillDisk } from '../support/fill-disk'

let sandbox: Sandbox
let disk: string | undefined
let skipped = ''

beforeAll(async () => {
  sandbox = await startSandbox()
  disk = await mkdtemp(join(tmpdir(), 'b24tr-cli-full-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', disk], { stdio: 'pipe' })
  } catch (err) {
    skipped = (err as { stderr?: Buffer }).stderr?.toString().trim() || String(err)
    await rm(disk, { recursive: true, force: true })
    disk = undefined
  }
})
afterAll(async () => {
  if (disk) {
    await runCli(['profiles', 'remove', 'app'], { dataDir: join(disk, 'data') })
    execFileSync('umount', [disk])
    await rm(disk, { recursive: true, force: true })
  }
  await sandbox.close()
})

describe('a full disk during a CLI run', () => {
  it('pauses with "the disk is full" and the resume line; resume after freeing space finishes, each row once', async (ctx) => {
    if (!disk) {
      console.warn(`CLI disk-full test skipped: cannot mount a tmpfs here (${skipped})`)
      return ctx.skip()
    }
    const dataDir = join(disk, 'data')
    const tokens = sandbox.issueTokens()
    const added = await runCli(['profiles', 'add', '--name', 'app', '--portal', sandbox.url, '--client-id', sandbox.app.clientId, '--secret-stdin'], {
      dataDir,
      stdin: `${sandbox.app.clientSecret}\n${tokens.access_token}\n${tokens.refresh_token}\n`
    })
    expect(added.code, added.stderr).toBe(0)
    sandbox.generateItems(2, 30_000, 600, 'NEW')
    sandbox.setTriggerCost('deal_won', 10)
    const csv = join(disk, 'ids.csv')
    await writeFile(csv, ['ID', ...Array.from({ length: 600 }, (_, i) => String(30_000 + i))].join('\n') + '\n')
    const running = startCli(['run', '--profile', 'app', '--csv', csv, '--code', 'deal_won', '--owner-type', 'deal'], { dataDir })
    await running.waitFor(/Run \S+ started/)
    while (!sandbox.ledger().some((e) => e.ownerId >= 30_000)) await new Promise((r) => setTimeout(r, 10))
    const filler = fillDisk(disk)
    const r = await running.done
    sandbox.setTriggerCost('deal_won', 0)
    expect(r.code, r.stdout + r.stderr).toBe(3)
    expect(r.stdout).toContain('The disk is full: free space, then resume.')
    const id = /When fixed, resume with: b24-triggers runs resume (\S+)/.exec(r.stdout)?.[1]
    expect(id).toBeDefined()

    await rm(filler)
    const resumed = await runCli(['--json', 'runs', 'resume', id as string], { dataDir })
    // The answers to batches in flight when the disk filled were journaled with the space held
    // in reserve: nothing is uncertain, exit 0.
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0)
    const summary = jsonLines(resumed.stdout).find((x) => x.type === 'summary') as { run: { counts: { succeeded: number; uncertain: number; pending: number } } }
    expect(summary.run.counts.pending).toBe(0)
    expect(summary.run.counts).toMatchObject({ succeeded: 600, uncertain: 0 })
    const per = new Map<number, number>()
    for (const e of sandbox.ledger()) if (e.ownerId >= 30_000) per.set(e.ownerId, (per.get(e.ownerId) ?? 0) + 1)
    expect([...per.values()].every((n) => n === 1)).toBe(true)
    expect(per.size).toBe(600)
    console.log(`CLI disk full: paused, then resumed to ${summary.run.counts.succeeded} succeeded, ${summary.run.counts.uncertain} uncertain, 0 twice`)
  }, 60_000)
})
