// File runs end to end through the built CLI: validation and --dry-run, every exit code,
// Ctrl-C then `runs resume` (nothing sent twice), history, export and re-run.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hasScript, jsonLines } from './cli-process'
import { cliFixture, type CliFixture } from './fixtures'

let f: CliFixture
/** A run left with uncertain rows, re-run at the end. */
let uncertainRun = { id: '', uncertain: 0 }
let csv: (name: string, text: string) => Promise<string>

beforeAll(async () => {
  f = await cliFixture()
  await f.addAppProfile('app')
  await f.addWebhookProfile('hook')
  csv = async (name, text) => {
    const path = join(f.dataDir, name)
    await writeFile(path, text)
    return path
  }
})
afterAll(async () => {
  await f.teardown()
})

interface Summary {
  type: 'summary'
  run: { id: string; status: string; counts: Record<string, number>; pauseReason?: string }
  exitCode: number
}

function summaryOf(stdout: string): Summary {
  const summary = jsonLines(stdout).find((r) => r.type === 'summary')
  if (!summary) throw new Error(`no summary in:\n${stdout}`)
  return summary as unknown as Summary
}

/** Owner ids the sandbox executed for a code, with how often each ran. */
function executions(code: string): Map<number, number> {
  const counts = new Map<number, number>()
  for (const e of f.sandbox.ledger()) if (e.code === code) counts.set(e.ownerId, (counts.get(e.ownerId) ?? 0) + 1)
  return counts
}

function idsFile(from: number, count: number): string {
  return ['Deal ID', ...Array.from({ length: count }, (_, i) => String(from + i))].join('\n') + '\n'
}

describe('run --csv', () => {
  it('--dry-run prints the validation summary and sends nothing (exit 0)', async () => {
    const path = await csv('dry.csv', 'ID;Title\n1;a\n2;b\nx;bad\n2;dup\n')
    const before = f.sandbox.stats().requests
    const r = await f.cli(['run', '--profile', 'app', '--csv', path, '--code', 'deal_won', '--owner-type', 'deal', '--dry-run'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('4 rows: 2 to send, 2 skipped.')
    expect(r.stdout).toContain('line 4: owner ID "x" is not a whole number')
    expect(r.stdout).toContain('line 5: duplicate of line 3')
    // Only the owner-type catalog was read: no trigger was sent, no run was created.
    expect(f.sandbox.stats().executes).toBe(0)
    expect(f.sandbox.stats().requests - before).toBeLessThanOrEqual(2)
    const runs = await f.cli(['--json', 'runs', 'list'])
    expect(jsonLines(runs.stdout)[0]).toMatchObject({ type: 'runs', runs: [] })
  })

  it('skips rows whose type cannot run triggers and shows every skipped value, in the summary, `runs show` and the export', async () => {
    f.sandbox.generateItems(2, 9000, 1, 'NEW')
    const path = await csv('types.csv', 'ID;Type\n9000;deal\n2;requisite\n3;activity\n12a;deal\n4;ship\n')
    const args = ['run', '--profile', 'app', '--csv', path, '--code', 'deal_won']
    const dry = await f.cli([...args, '--dry-run'])
    expect(dry.code, dry.stderr).toBe(0)
    expect(dry.stdout).toContain('5 rows: 1 to send, 4 skipped.')
    expect(dry.stdout).toContain('skipped, unsupported-owner-type: 2')
    expect(dry.stdout).toContain('line 3: owner type "requisite" has no automation triggers: the portal would answer true and do nothing')
    expect(dry.stdout).toContain('line 6: unknown owner type "ship"')
    const json = await f.cli(['--json', ...args, '--dry-run'])
    const validation = jsonLines(json.stdout)[0] as { examples: { line: number; reason: string; value?: string }[] }
    expect(validation.examples.map((e) => [e.line, e.reason, e.value])).toEqual([
      [3, 'unsupported-owner-type', 'requisite'],
      [4, 'unsupported-owner-type', 'activity'],
      [5, 'not-integer', '12a'],
      [6, 'unknown-owner-type', 'ship']
    ])

    const ran = await f.cli(['--json', ...args])
    expect(ran.code, ran.stderr).toBe(0)
    const runId = summaryOf(ran.stdout).run.id
    const shown = await f.cli(['runs', 'show', runId])
    expect(shown.stdout).toMatch(/^5\s+0\/"12a"\s+skipped\s+not-integer - owner ID "12a" is not a whole number$/m)
    expect(shown.stdout).toMatch(/^3\s+8\/2\s+skipped\s+unsupported-owner-type - owner type "requisite" has no automation triggers/m)
    const out = join(f.dataDir, 'types-results.csv')
    expect((await f.cli(['runs', 'export', runId, '--out', out])).code).toBe(0)
    const rows = (await readFile(out, 'utf8')).replace(/^\uFEFF/, '').trim().split(/\r?\n/)
    expect(rows[4]).toMatch(/^12a;deal;5;;;12a;;skipped;not-integer;"owner ID ""12a"" is not a whole number";/)
  })

  it('runs every valid row once and verifies the moves (exit 0), plain lines when stdout is a pipe', async () => {
    f.sandbox.generateItems(2, 100, 20, 'NEW')
    const path = await csv('ok.csv', idsFile(100, 20))
    const r = await f.cli(['run', '--profile', 'app', '--csv', path, '--id-column', 'Deal ID', '--code', 'deal_won', '--owner-type', 'deal', '--verify'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^Run \S+ finished: 20 succeeded \(20 rows\)\.$/m)
    expect(r.stdout).toContain('verified: 20 moved, 0 unchanged, 0 not found or not visible')
    expect(r.stdout).not.toContain('\u001b[')
    expect([...executions('deal_won').keys()].filter((id) => id >= 100 && id < 120)).toHaveLength(20)
    expect(f.sandbox.getItem(2, 119)?.stageId).toBe('WON')
  })

  it('--json gives NDJSON: validation, run, progress events and a final summary', async () => {
    f.sandbox.generateItems(2, 200, 5, 'NEW')
    const path = await csv('json.csv', idsFile(200, 5))
    const r = await f.cli(['--json', 'run', '--profile', 'app', '--csv', path, '--code', 'deal_won', '--owner-type', 'deal'])
    expect(r.code).toBe(0)
    const records = jsonLines(r.stdout)
    expect(records.map((x) => x.type)).toEqual(expect.arrayContaining(['validation', 'run', 'progress', 'summary']))
    expect(records[0]).toMatchObject({ type: 'validation', total: 5, valid: 5 })
    expect(records.at(-1)).toMatchObject({ type: 'summary', exitCode: 0, run: { status: 'finished', counts: { succeeded: 5 } } })
  })

  it('fires incoming-webhook triggers from a file through a webhook profile', async () => {
    f.sandbox.generateItems(2, 8000, 5, 'NEW')
    const path = await csv('hook.csv', idsFile(8000, 5))
    const r = await f.cli(['run', '--profile', 'hook', '--csv', path, '--code', 'wh_prep', '--owner-type', 'deal', '--verify'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('verified: 5 moved, 0 unchanged, 0 not found or not visible')
    const fired = f.sandbox.ledger().filter((e) => e.via === 'webhook' && e.code === 'wh_prep' && e.ownerId >= 8000)
    expect(fired.map((e) => e.ownerId).sort()).toEqual([8000, 8001, 8002, 8003, 8004])
  })

  it('exits 1 when some rows are uncertain, and tells how to re-run them', async () => {
    f.sandbox.generateItems(2, 300, 10, 'NEW')
    const path = await csv('uncertain.csv', idsFile(300, 10))
    // The portal runs the batch, then answers 500 without a code: every row in it is uncertain.
    f.sandbox.addFaults([{ method: 'batch', fault: 'error500-after' }])
    const r = await f.cli(['--json', 'run', '--profile', 'app', '--csv', path, '--code', 'deal_won', '--owner-type', 'deal'])
    f.sandbox.clearFaults()
    expect(r.code).toBe(1)
    const summary = summaryOf(r.stdout)
    expect(summary.exitCode).toBe(1)
    expect(summary.run.counts.uncertain).toBeGreaterThan(0)
    expect(r.stderr).toContain(`runs rerun ${summary.run.id} [--include-uncertain]`)
    uncertainRun = { id: summary.run.id, uncertain: summary.run.counts.uncertain ?? 0 }
  })

  it('exits 3 when an error would fail every row, and says how to resume', async () => {
    const path = await csv('fatal.csv', idsFile(1, 5))
    const r = await f.cli(['run', '--profile', 'app', '--csv', path, '--code', 'never_registered', '--owner-type', 'deal'])
    expect(r.code).toBe(3)
    expect(r.stdout).toContain('paused: This trigger is not registered by this app.')
    expect(r.stdout).toMatch(/When fixed, resume with: b24-triggers runs resume \S+/)
  })

  it('exits 2 for a file it cannot use, with a plain message', async () => {
    const empty = await csv('empty.csv', '')
    const allBad = await csv('bad.csv', 'ID\nx\ny\n')
    const ok = await csv('cols.csv', 'ID;Title\n1;a\n')
    const cases = await Promise.all([
      f.cli(['run', '--profile', 'app', '--csv', join(f.dataDir, 'missing.csv'), '--code', 'deal_won', '--owner-type', 'deal']),
      f.cli(['run', '--profile', 'app', '--csv', empty, '--code', 'deal_won', '--owner-type', 'deal']),
      f.cli(['run', '--profile', 'app', '--csv', allBad, '--code', 'deal_won', '--owner-type', 'deal']),
      f.cli(['run', '--profile', 'app', '--csv', ok, '--id-column', 'Nope', '--code', 'deal_won', '--owner-type', 'deal']),
      f.cli(['run', '--profile', 'app', '--csv', ok, '--id-column', '7', '--code', 'deal_won', '--owner-type', 'deal']),
      f.cli(['run', '--profile', 'app', '--csv', ok, '--owner-type', 'deal']),
      f.cli(['run', '--profile', 'app', '--csv', ok, '--code', 'deal_won', '--owner-type', 'deal', '--delimiter', 'x'])
    ])
    for (const r of cases) {
      expect(r.code, r.stdout + r.stderr).toBe(2)
      expect(r.stderr).toMatch(/^Error: /)
      expect(r.stderr).not.toMatch(/\n\s+at /)
    }
    expect(cases[0]?.stderr).toContain('Cannot read "missing.csv": no such file.')
    expect(cases[2]?.stderr).toContain('No valid rows to run')
    expect(cases[3]?.stderr).toContain('Columns: "ID", "Title"')
    expect(f.sandbox.ledger().filter((e) => e.code === 'deal_won' && e.ownerId === 1)).toHaveLength(0)
  })
})

describe('Ctrl-C, resume, history, export, re-run', () => {
  let runId = ''
  const FROM = 1000
  const ROWS = 600

  it('pauses cleanly on SIGINT (exit 130) and prints how to resume', async () => {
    f.sandbox.generateItems(2, FROM, ROWS, 'NEW')
    f.sandbox.setTriggerCost('deal_won', 20)
    f.sandbox.clearLedger()
    const path = await csv('big.csv', idsFile(FROM, ROWS))
    const running = f.start(['run', '--profile', 'app', '--csv', path, '--code', 'deal_won', '--owner-type', 'deal'])
    await running.waitFor(/Run \S+ started/)
    // Interrupt once the portal has executed something, well before the file is done.
    while (f.sandbox.ledger().length === 0) await new Promise((r) => setTimeout(r, 20))
    running.child.kill('SIGINT')
    const r = await running.done
    f.sandbox.setTriggerCost('deal_won', 0)
    expect(r.code, r.stdout + r.stderr).toBe(130)
    const match = /Resume with: b24-triggers runs resume (\S+)/.exec(r.stdout)
    expect(match).not.toBeNull()
    runId = match?.[1] ?? ''
    const shown = await f.cli(['--json', 'runs', 'show', runId])
    const { run } = jsonLines(shown.stdout)[0] as unknown as Summary
    expect(run.status).toBe('paused')
    // In-flight batches finished and were journaled: nothing is left uncertain.
    expect(run.counts.uncertain).toBe(0)
    expect(run.counts.pending).toBeGreaterThan(0)
    expect(run.counts.succeeded).toBe(f.sandbox.ledger().length)
  })

  it('resumes from the journal and sends only the rows never sent (exit 0)', async () => {
    const r = await f.cli(['--json', 'runs', 'resume', runId])
    expect(r.code, r.stderr).toBe(0)
    expect(summaryOf(r.stdout).run.counts).toMatchObject({ succeeded: ROWS, pending: 0, uncertain: 0 })
    const ran = executions('deal_won')
    expect(ran.size).toBe(ROWS)
    expect([...ran.values()].every((n) => n === 1)).toBe(true)
  })

  it('a finished run has nothing to resume', async () => {
    const r = await f.cli(['runs', 'resume', runId])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('is finished; nothing to resume')
  })

  it('lists and shows runs', async () => {
    const listed = await f.cli(['runs', 'list'])
    expect(listed.code).toBe(0)
    expect(listed.stdout).toMatch(new RegExp(`${runId}\\s+\\S+ \\S+\\s+finished\\s+app\\s+deal_won\\s+${ROWS} succeeded`))
    const shown = await f.cli(['runs', 'show', runId])
    expect(shown.code).toBe(0)
    expect(shown.stdout).toContain(`rows:     ${ROWS}: ${ROWS} succeeded`)
    const missing = await f.cli(['runs', 'show', 'no-such-run'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('No run "no-such-run".')
  })

  it('exports CSV (with the source columns) and JSON', async () => {
    const csvOut = join(f.dataDir, 'out.csv')
    const jsonOut = join(f.dataDir, 'out.json')
    const a = await f.cli(['runs', 'export', runId, '--format', 'csv', '--out', csvOut])
    const b = await f.cli(['runs', 'export', runId, '--format', 'json', '--out', jsonOut])
    expect([a.code, b.code]).toEqual([0, 0])
    const lines = (await readFile(csvOut, 'utf8')).replace(/^\uFEFF/, '').trim().split(/\r?\n/)
    expect(lines[0]).toBe(
      'Deal ID;line;owner_type_id;owner_id;source_value;code;outcome;error_code;error_text;attempts;verification;started_at (UTC);finished_at (UTC)'
    )
    expect(lines).toHaveLength(ROWS + 1)
    expect(lines[1]).toMatch(new RegExp(`^${FROM};2;2;${FROM};;deal_won;succeeded;`))
    // Both times filled, as a date-time Excel reads ("2026-01-02 03:04:05"), the start not after the end.
    const [startedAt, finishedAt] = (lines[1] as string).split(';').slice(-2)
    expect(startedAt).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
    expect(finishedAt).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
    expect(startedAt! <= finishedAt!).toBe(true)
    const json = JSON.parse(await readFile(jsonOut, 'utf8')) as { outcome: string; started_at: string | null; finished_at: string }[]
    expect(json).toHaveLength(ROWS)
    expect(json.every((row) => row.outcome === 'succeeded')).toBe(true)
    expect(json.every((row) => row.started_at !== null && Date.parse(row.started_at) <= Date.parse(row.finished_at))).toBe(true)
  })

  it('a second Ctrl-C quits at once and still says how to resume', async () => {
    const from = 90000
    f.sandbox.generateItems(2, from, 400, 'NEW')
    f.sandbox.setTriggerCost('deal_won', 40)
    const running = f.start(['run', '--profile', 'app', '--csv', await csv('quit.csv', idsFile(from, 400)), '--code', 'deal_won', '--owner-type', 'deal', '--include-done'])
    await running.waitFor(/Run \S+ started/)
    const id = /Run (\S+) started/.exec(running.output())?.[1] ?? ''
    // Batches in flight (each takes 50 x 40 ms on the portal), so the pause has to wait for them.
    while (f.sandbox.ledger().filter((e) => e.ownerId >= from).length < 51) await new Promise((r) => setTimeout(r, 20))
    running.child.kill('SIGINT')
    // Two separate signals (the kernel merges one still pending with the next).
    await new Promise((r) => setTimeout(r, 200))
    running.child.kill('SIGINT')
    const r = await running.done
    f.sandbox.setTriggerCost('deal_won', 0)
    expect(r.code).toBe(130)
    expect(r.stderr, r.stdout).toContain(`Resume with: b24-triggers runs resume ${id}`)
  })

  it('an export to a missing folder or onto a folder says so in words, exit 2, nothing left behind', async () => {
    const missing = join(f.dataDir, 'no-such-folder', 'out.csv')
    const a = await f.cli(['runs', 'export', runId, '--out', missing])
    expect(a.code).toBe(2)
    expect(a.stderr).toContain(`Cannot write to ${missing}: its folder does not exist.`)
    const folder = join(f.dataDir, 'a-folder')
    await mkdir(folder)
    const b = await f.cli(['runs', 'export', runId, '--out', folder])
    expect(b.code).toBe(2)
    expect(b.stderr).toContain(`Cannot write to ${folder}: it is a folder; give a file name.`)
    for (const r of [a, b]) expect(r.stderr).not.toMatch(/ENOENT|EISDIR|\.partial/)
    expect(await readdir(f.dataDir)).not.toContain('a-folder.partial')
  })

  it('re-runs the uncertain rows only when asked to', async () => {
    const refused = await f.cli(['runs', 'rerun', uncertainRun.id])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('This run has no failed rows.')
    const r = await f.cli(['--json', 'runs', 'rerun', uncertainRun.id, '--include-uncertain'])
    expect(r.code, r.stderr).toBe(0)
    const child = summaryOf(r.stdout).run
    expect(child.id).not.toBe(uncertainRun.id)
    expect(child.counts).toMatchObject({ total: uncertainRun.uncertain, succeeded: uncertainRun.uncertain })
    const shown = await f.cli(['runs', 'show', child.id])
    expect(shown.stdout).toContain(`re-run of ${uncertainRun.id}`)
  })
})

const execFileAsync = promisify(execFile)

describe('on a terminal', () => {
  it.skipIf(!hasScript)('draws a progress bar', async () => {
    f.sandbox.generateItems(2, 7000, 30, 'NEW')
    const path = await csv('tty.csv', idsFile(7000, 30))
    const command = `node bin/b24-triggers.js run --profile app --csv '${path}' --code deal_won --owner-type deal`
    // `script` gives the CLI a pseudo-terminal as stdout, as an interactive shell would. It must
    // not block: the sandbox answering the CLI lives in this process.
    const { stdout: out } = await execFileAsync('script', ['-qefc', command, '/dev/null'], {
      cwd: join(__dirname, '..', '..'),
      env: { ...process.env, B24TR_DATA_DIR: f.dataDir, COLUMNS: '200' },
      encoding: 'utf8'
    })
    expect(out).toMatch(/[█=-]{5,} \d+\/30 \d+% \| .* rows\/s \| ETA /)
    expect(out).toContain('finished: 30 succeeded (30 rows).')
  })
})
