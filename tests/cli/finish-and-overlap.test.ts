// Finishing a stopped run and not re-firing what a recent run sent (issue 11, items 2 and 3),
// through the built CLI against the sandbox: `runs cancel` + `runs rerun --not-run`, the progress
// of a stopped run, the overlap check with --skip-done / --include-done (and exit 2 with no
// terminal and neither flag), and re-run choices that respect verification.
import { spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hasScript, jsonLines } from './cli-process'
import { cliFixture, type CliFixture } from './fixtures'

let f: CliFixture
let csv: (name: string, text: string) => Promise<string>

beforeAll(async () => {
  f = await cliFixture()
  await f.addAppProfile('app')
  csv = async (name, text) => {
    const path = join(f.dataDir, name)
    await writeFile(path, text)
    return path
  }
})
afterAll(async () => {
  await f.teardown()
})

function idsFile(from: number, count: number): string {
  return ['Deal ID', ...Array.from({ length: count }, (_, i) => String(from + i))].join('\n') + '\n'
}

function executions(from: number, to: number): Map<number, number> {
  const counts = new Map<number, number>()
  for (const e of f.sandbox.ledger()) if (e.ownerId >= from && e.ownerId <= to) counts.set(e.ownerId, (counts.get(e.ownerId) ?? 0) + 1)
  return counts
}

interface Summary {
  run: { id: string; status: string; counts: Record<string, number> }
  exitCode: number
}

function summaryOf(stdout: string): Summary {
  const summary = jsonLines(stdout).find((r) => r.type === 'summary')
  if (!summary) throw new Error(`no summary in:\n${stdout}`)
  return summary as unknown as Summary
}

const RUN = ['--profile', 'app', '--code', 'deal_won', '--owner-type', 'deal']

/** A run of `rows` new deals from `path`, slowed down and stopped with Ctrl-C once its first rows
 * went out: paused with some rows sent and most not. */
async function pausedEarly(path: string, from: number, rows: number): Promise<{ id: string }> {
  f.sandbox.generateItems(2, from, rows, 'NEW')
  f.sandbox.setTriggerCost('deal_won', 20)
  const running = f.start(['run', '--csv', path, ...RUN])
  await running.waitFor(/Run \S+ started/)
  while (executions(from, from + rows).size === 0) await new Promise((r) => setTimeout(r, 20))
  running.child.kill('SIGINT')
  const paused = await running.done
  f.sandbox.setTriggerCost('deal_won', 0)
  expect(paused.code).toBe(130)
  return { id: /Resume with: b24-triggers runs resume (\S+)/.exec(paused.stdout)?.[1] ?? '' }
}

describe('a file that overlaps a recent run', () => {
  it('with no terminal and no flag: says which rows were sent, sends nothing, exits 2', async () => {
    f.sandbox.generateItems(2, 100, 30, 'NEW')
    const first = await f.cli(['run', '--csv', await csv('a.csv', idsFile(100, 10)), ...RUN])
    expect(first.code, first.stderr).toBe(0)
    const before = f.sandbox.ledger().length
    const listed = jsonLines((await f.cli(['--json', 'runs', 'list'])).stdout)[0] as { runs: unknown[] }
    const r = await f.cli(['run', '--csv', await csv('b.csv', idsFile(105, 10)), ...RUN])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('5 of these rows were already sent by a recent run\nof this trigger on this portal (5 succeeded):')
    expect(r.stderr).toContain('--skip-done')
    expect(r.stderr).toContain('--include-done')
    expect(f.sandbox.ledger().length).toBe(before)
    // No half-made run is left in the history.
    const after = jsonLines((await f.cli(['--json', 'runs', 'list'])).stdout)[0] as { runs: unknown[] }
    expect(after.runs).toHaveLength(listed.runs.length)
  })

  it('--skip-done sends only the other rows; the skipped ones name the run that sent them', async () => {
    const r = await f.cli(['--json', 'run', '--csv', await csv('b.csv', idsFile(105, 10)), ...RUN, '--skip-done'])
    expect(r.code, r.stderr).toBe(0)
    const s = summaryOf(r.stdout)
    expect(s.run.counts).toMatchObject({ succeeded: 5, skipped: 5 })
    expect([...executions(100, 114).values()].every((n) => n === 1)).toBe(true)
    const shown = await f.cli(['runs', 'show', s.run.id, '--outcome', 'skipped'])
    expect(shown.stdout).toContain('ALREADY_DONE')
  })

  it.skipIf(!hasScript)('on a terminal asks, and Enter skips the rows already sent', async () => {
    const path = await csv('tty.csv', idsFile(105, 16))
    const command = `node bin/b24-triggers.js run --csv '${path}' ${RUN.join(' ')}`
    // `script` gives the CLI a pseudo-terminal, as an interactive shell would; the answer is typed
    // once the question is on screen.
    const child = spawn('script', ['-qefc', command, '/dev/null'], {
      cwd: join(__dirname, '..', '..'),
      env: { ...process.env, B24TR_DATA_DIR: f.dataDir, NO_COLOR: '1' }
    })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk
      if (out.includes('already sent? [Y/n]') && !child.stdin.writableEnded) child.stdin.end('\n')
    })
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    // Enter takes the default, skipping: 105..114 were sent by the runs above, 115..120 are new.
    expect(out).toContain('Skip the 10 row(s) already sent? [Y/n]')
    expect(code, out).toBe(0)
    expect(out).toContain('Skipping 10 row(s) already sent; 6 to send.')
    const ran = executions(105, 120)
    expect(ran.size).toBe(16)
    expect([...ran.values()].every((n) => n === 1)).toBe(true)
  })

  it('--skip-done when every row was sent already: says so, creates no run, sends nothing', async () => {
    const before = f.sandbox.ledger().length
    const listed = jsonLines((await f.cli(['--json', 'runs', 'list'])).stdout)[0] as { runs: unknown[] }
    const r = await f.cli(['run', '--csv', await csv('done.csv', idsFile(100, 10)), ...RUN, '--skip-done'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('All 10 valid row(s) were already sent by a recent run: nothing to send.')
    expect(r.stdout).not.toContain('started')
    expect(f.sandbox.ledger().length).toBe(before)
    const after = jsonLines((await f.cli(['--json', 'runs', 'list'])).stdout)[0] as { runs: unknown[] }
    expect(after.runs).toHaveLength(listed.runs.length)
  })

  it('--skip-done with --include-done is refused, with --dry-run too', async () => {
    const r = await f.cli(['run', '--csv', await csv('both.csv', idsFile(105, 3)), ...RUN, '--skip-done', '--include-done', '--dry-run'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('Give either --skip-done or --include-done, not both.')
  })

  it('--include-done sends them again, on purpose', async () => {
    const r = await f.cli(['--json', 'run', '--csv', await csv('c.csv', idsFile(110, 3)), ...RUN, '--include-done'])
    expect(r.code, r.stderr).toBe(0)
    expect(summaryOf(r.stdout).run.counts).toMatchObject({ succeeded: 3 })
    expect(executions(110, 112).get(110)).toBe(2)
  })
})

describe('finishing a stopped run', () => {
  it('cancel leaves the progress where it stopped; rerun --not-run sends the rest, each row once', async () => {
    const FROM = 2000
    const ROWS = 400
    const { id } = await pausedEarly(await csv('big.csv', idsFile(FROM, ROWS)), FROM, ROWS)

    const cancelled = await f.cli(['runs', 'cancel', id])
    expect(cancelled.code, cancelled.stderr).toBe(0)
    expect(cancelled.stdout).toContain(`b24-triggers runs rerun ${id} --not-run`)
    const sent = executions(FROM, FROM + ROWS).size
    expect(cancelled.stdout).toContain(`${ROWS - sent} not run`)

    const shown = await f.cli(['runs', 'show', id])
    expect(shown.stdout).toContain(`send the ${ROWS - sent} row(s) not sent: b24-triggers runs rerun ${id} --not-run`)
    const rest = await f.cli(['--json', 'runs', 'rerun', id, '--not-run'])
    expect(rest.code, rest.stderr).toBe(0)
    expect(rest.stderr).toContain(`Re-running ${ROWS - sent} row(s) of run ${id}: ${ROWS - sent} not sent.`)
    expect(summaryOf(rest.stdout).run.counts).toMatchObject({ succeeded: ROWS - sent })
    const ran = executions(FROM, FROM + ROWS)
    expect(ran.size).toBe(ROWS)
    expect([...ran.values()].every((n) => n === 1)).toBe(true)
  })
})

describe('re-runs that respect verification', () => {
  it('leaves uncertain rows seen to move out unless --include-moved, and re-runs unchanged rows', async () => {
    f.sandbox.generateItems(2, 4000, 3, 'NEW')
    f.sandbox.generateItems(2, 4003, 3, 'WON')
    // A WON deal first: the one-row probe; then deals at NEW. Both batches run, then answer 500.
    const file = await csv('v.csv', ['ID', '4003', '4000', '4001', '4002', '4004', '4005'].join('\n') + '\n')
    f.sandbox.addFaults([{ method: 'batch', fault: 'error500-after', after: 1, times: 2 }])
    const r = await f.cli(['--json', 'run', '--csv', file, ...RUN, '--verify', '--include-done'])
    f.sandbox.clearFaults()
    expect(r.code).toBe(1)
    const parent = summaryOf(r.stdout).run
    const rows = await f.cli(['--json', 'runs', 'show', parent.id, '--outcome', 'uncertain', '--limit', '50'])
    const uncertain = (jsonLines(rows.stdout)[0] as { rows: { verification?: { state: string } }[] }).rows
    const moved = uncertain.filter((x) => x.verification?.state === 'moved').length
    expect(moved).toBeGreaterThan(0)
    expect(uncertain.length - moved).toBeGreaterThan(0)

    const again = await f.cli(['--json', 'runs', 'rerun', parent.id, '--include-uncertain'])
    expect(again.stderr).toContain(`Left out: ${moved} uncertain row(s) seen to move`)
    expect(summaryOf(again.stdout).run.counts.total).toBe(uncertain.length - moved)

    const all = await f.cli(['--json', 'runs', 'rerun', parent.id, '--include-uncertain', '--include-moved'])
    expect(all.stderr).toContain(`${moved} of them were seen to move`)
    expect(summaryOf(all.stdout).run.counts.total).toBe(uncertain.length)

    const verified = await f.cli(['--json', 'run', '--csv', await csv('w.csv', 'ID\n4004\n4005\n'), ...RUN, '--verify', '--include-done'])
    const unchanged = await f.cli(['--json', 'runs', 'rerun', summaryOf(verified.stdout).run.id, '--unchanged'])
    expect(unchanged.code, unchanged.stderr).toBe(0)
    expect(unchanged.stderr).toContain('2 succeeded without moving')
    const bad = await f.cli(['runs', 'rerun', parent.id, '--unchanged', '--not-run'])
    expect(bad.code).toBe(2)
  })
})

describe('resuming a paused run after the same rows were sent by a newer run', () => {
  it('says so and, with --skip-done, sends only the rows nobody sent; each row once', async () => {
    const FROM = 3000
    const ROWS = 400
    const path = await csv('again.csv', idsFile(FROM, ROWS))
    const { id } = await pausedEarly(path, FROM, ROWS)
    const sent = executions(FROM, FROM + ROWS).size
    expect(sent).toBeLessThan(ROWS)

    // The admin opens the same file again and skips what the paused run sent: the rest go out.
    const second = await f.cli(['run', '--csv', path, ...RUN, '--skip-done'])
    expect(second.code, second.stderr).toBe(0)
    expect(executions(FROM, FROM + ROWS).size).toBe(ROWS)

    // Resuming the paused run now would fire those rows a second time: it stops and asks.
    const before = f.sandbox.ledger().length
    const refused = await f.cli(['runs', 'resume', id])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain(`${ROWS - sent} of these rows were already sent by a recent run`)
    expect(refused.stderr).toContain('--skip-done')
    expect(f.sandbox.ledger().length).toBe(before)

    const resumed = await f.cli(['--json', 'runs', 'resume', id, '--skip-done'])
    expect(resumed.code, resumed.stderr).toBe(0)
    expect(summaryOf(resumed.stdout).run.counts).toMatchObject({ succeeded: sent, skipped: ROWS - sent, pending: 0 })
    const ran = executions(FROM, FROM + ROWS)
    expect(ran.size).toBe(ROWS)
    expect([...ran.values()].every((n) => n === 1)).toBe(true)
  })
})
