// When the portal's operating budget for the method is spent (429 OPERATION_TIME_LIMIT), the run
// waits for the reset instead of failing rows, and the CLI shows the wait with its countdown.
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { jsonLines } from './cli-process'
import { cliFixture, type CliFixture } from './fixtures'

let f: CliFixture

beforeAll(async () => {
  // A tiny budget: 0.5 s of server time per 1 s window, and each trigger costs 110 ms (runs
  // under 0.1 s are not counted, as on a real portal).
  f = await cliFixture({ operating: { limitSec: 0.5, windowSec: 1 }, triggerCostMs: 110 })
  await f.addAppProfile('app')
})
afterAll(async () => {
  await f.teardown()
})

it('waits out the operating budget with a visible countdown, and every row still succeeds', async () => {
  f.sandbox.generateItems(2, 100, 8, 'NEW')
  const path = join(f.dataDir, 'ids.csv')
  await writeFile(path, ['ID', ...Array.from({ length: 8 }, (_, i) => String(100 + i))].join('\n'))
  const r = await f.cli(['--json', 'run', '--profile', 'app', '--csv', path, '--code', 'deal_won', '--owner-type', 'deal'])
  expect(r.code, r.stderr).toBe(0)
  const records = jsonLines(r.stdout)
  const waits = records.filter((x) => x.type === 'progress' && typeof x.waitingUntil === 'number')
  expect(waits.length).toBeGreaterThan(0)
  expect(waits[0]).toMatchObject({ binding: 'operating', status: 'running' })
  expect(f.sandbox.stats().rejected429).toBeGreaterThan(0)
  expect(records.at(-1)).toMatchObject({ type: 'summary', run: { counts: { succeeded: 8, failed: 0, uncertain: 0 } } })
})

it('--operating-budget/--operating-window/--burst/--drain pace by the given limits (a custom plan), and bad values are refused', async () => {
  f.sandbox.generateItems(2, 200, 6, 'NEW')
  const path = join(f.dataDir, 'ids-custom.csv')
  await writeFile(path, ['ID', ...Array.from({ length: 6 }, (_, i) => String(200 + i))].join('\n'))
  const args = ['--json', 'run', '--profile', 'app', '--csv', path, '--code', 'deal_won', '--owner-type', 'deal']
  const r = await f.cli([...args, '--operating-budget', '0.5', '--operating-window', '1', '--burst', '40', '--drain', '3'])
  expect(r.code, r.stderr).toBe(0)
  const records = jsonLines(r.stdout)
  const runRecord = records.find((x) => x.type === 'run') as { run: { id: string } }
  const meta = JSON.parse(await readFile(join(f.dataDir, 'runs', runRecord.run.id, 'run.json'), 'utf8')) as { options: Record<string, unknown> }
  expect(meta.options).toMatchObject({ plan: 'custom', operating: { limitSec: 0.5, windowSec: 1 }, rate: { burst: 40, drainPerSec: 3 } })
  expect(records.at(-1)).toMatchObject({ type: 'summary', run: { counts: { succeeded: 6, failed: 0, uncertain: 0 } } })

  const bad = await f.cli([...args, '--operating-budget', '0'])
  expect(bad.code).not.toBe(0)
  expect(bad.stderr).toContain('--operating-budget must be a number above 0.')
  const oneItem = await f.cli(['run', '--profile', 'app', '--id', '1', '--code', 'deal_won', '--owner-type', 'deal', '--burst', '10'])
  expect(oneItem.stderr).toContain('Options only for a file (--csv): --burst.')
})
