// `triggers list|add|remove` and `run --id` (one item) against the sandbox.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsonLines } from './cli-process'
import { cliFixture, type CliFixture } from './fixtures'

let f: CliFixture

beforeAll(async () => {
  f = await cliFixture()
  await f.addAppProfile('app')
  await f.addWebhookProfile('hook')
})
afterAll(async () => {
  await f.teardown()
})

describe('triggers', () => {
  it('registers, lists and removes an app trigger', async () => {
    const added = await f.cli(['triggers', 'add', '--profile', 'app', '--code', 'cli_test', '--name', 'From the CLI'])
    expect(added.code).toBe(0)
    const listed = await f.cli(['--json', 'triggers', 'list', '--profile', 'app'])
    expect(listed.code).toBe(0)
    const [record] = jsonLines(listed.stdout) as { triggers: { code: string; name: string }[] }[]
    expect(record?.triggers).toContainEqual({ code: 'cli_test', name: 'From the CLI' })
    const removed = await f.cli(['triggers', 'remove', '--profile', 'app', '--code', 'cli_test'])
    expect(removed.code).toBe(0)
    expect(removed.stdout).not.toContain('cli_test  ')
    const again = await f.cli(['--json', 'triggers', 'list', '--profile', 'app'])
    const [after] = jsonLines(again.stdout) as { triggers: { code: string }[] }[]
    expect(after?.triggers.map((t) => t.code)).not.toContain('cli_test')
  })

  it('refuses an invalid code before sending anything (exit 2)', async () => {
    const before = f.sandbox.stats().requests
    const r = await f.cli(['triggers', 'add', '--profile', 'app', '--code', 'bad code!', '--name', 'x'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('Latin letters')
    expect(f.sandbox.stats().requests).toBe(before)
  })

  it('explains that a webhook cannot list app triggers, with the portal text (exit 1)', async () => {
    const r = await f.cli(['triggers', 'list', '--profile', 'hook'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('A webhook cannot run app triggers')
    expect(r.stderr).toContain('Portal said: ACCESS_DENIED - Access denied! Application context required')
  })
})

describe('run one item', () => {
  it('fires an app trigger and verifies the move (exit 0)', async () => {
    f.sandbox.clearLedger()
    const r = await f.cli(['run', '--profile', 'app', '--code', 'deal_won', '--owner-type', 'deal', '--id', '2', '--verify'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^succeeded in/)
    expect(r.stdout).toContain('Verification: moved NEW -> WON')
    expect(f.sandbox.ledger()).toMatchObject([{ via: 'app', code: 'deal_won', ownerTypeId: 2, ownerId: 2 }])
  })

  it('fires an incoming-webhook trigger through a webhook profile, --json result', async () => {
    const r = await f.cli(['--json', 'run', '--profile', 'hook', '--code', 'wh_prep', '--owner-type', '2', '--id', '4', '--verify'])
    expect(r.code).toBe(0)
    const [record] = jsonLines(r.stdout)
    expect(record).toMatchObject({ type: 'result', outcome: 'succeeded', verification: { state: 'moved', to: 'PREPARATION' }, exitCode: 0 })
  })

  it('exits 3 when the error would fail every row (trigger not registered)', async () => {
    const r = await f.cli(['run', '--profile', 'app', '--code', 'not_there', '--owner-type', 'deal', '--id', '2'])
    expect(r.code).toBe(3)
    expect(r.stdout).toContain('This trigger is not registered by this app')
    expect(r.stdout).toContain('Trigger with code not_there is not registered.')
  })

  it('exits 1 when the outcome is uncertain (the portal ran it, then answered 500 without a code)', async () => {
    f.sandbox.addFaults([{ method: 'crm.automation.trigger.execute', fault: 'error500-after' }])
    const r = await f.cli(['run', '--profile', 'app', '--code', 'deal_won', '--owner-type', 'deal', '--id', '5'])
    f.sandbox.clearFaults()
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/^uncertain/)
  })

  it('exits 2 for input it will not send', async () => {
    const before = f.sandbox.stats().executes
    const cases = await Promise.all([
      f.cli(['run', '--profile', 'app', '--code', 'deal_won', '--owner-type', 'deal', '--id', 'abc']),
      f.cli(['run', '--profile', 'app', '--code', 'deal_won', '--owner-type', 'nonsense', '--id', '3']),
      f.cli(['run', '--profile', 'app', '--code', 'deal_won', '--owner-type', 'requisite', '--id', '3']),
      f.cli(['run', '--profile', 'app', '--code', 'bad code!', '--owner-type', 'deal', '--id', '3']),
      f.cli(['run', '--profile', 'app', '--owner-type', 'deal', '--id', '3']),
      f.cli(['run', '--profile', 'app', '--code', 'deal_won', '--owner-type', 'deal', '--id', '3', '--csv', 'x.csv']),
      f.cli(['run', '--profile', 'app', '--code', 'deal_won', '--owner-type', 'deal', '--id', '3', '--dry-run'])
    ])
    for (const r of cases) {
      expect(r.code, r.stdout + r.stderr).toBe(2)
      expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /)
    }
    expect(cases[2]?.stderr).toContain('has no automation triggers')
    expect(cases[3]?.stdout).toContain('Not sent: The trigger code may contain only Latin letters')
    expect(f.sandbox.stats().executes).toBe(before)
  })

  it('refuses an item ID it would have to round or clamp, in the CSV check\'s words (exit 2)', async () => {
    const before = f.sandbox.stats().executes
    const run = (id: string) => f.cli(['run', '--profile', 'app', '--code', 'deal_won', '--owner-type', 'deal', '--id', id])
    const [zero, negative, decimal, huge] = await Promise.all([run('0'), run('-7'), run('6.6'), run('2147483648')])
    for (const r of [zero, negative, decimal, huge]) expect(r.code, r.stdout + r.stderr).toBe(2)
    expect(zero?.stderr).toContain('owner ID "0" is not greater than 0')
    expect(negative?.stderr).toContain('owner ID "-7" is not greater than 0')
    expect(decimal?.stderr).toContain('owner ID "6.6" is not a whole number')
    expect(huge?.stderr).toContain('owner ID "2147483648" is larger than 2147483647')
    expect(f.sandbox.stats().executes).toBe(before)
  })
})
