// `run --from-crm` through the built CLI against the sandbox: the count and sample of a
// filtered selection (--dry-run), a run whose frozen ID list survives a SIGKILL, and a resume
// that fires exactly that list although the CRM gained matching items meanwhile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsonLines } from './cli-process'
import { cliFixture, type CliFixture } from './fixtures'

let f: CliFixture

beforeAll(async () => {
  // Each trigger costs 20 ms of server time, so a 1,500-row run lasts long enough to be killed.
  f = await cliFixture({ triggerCostMs: 20 })
  await f.addAppProfile('app')
  f.sandbox.seedCrm({ entityTypeId: 2, fromId: 20_000, count: 1500, categoryId: 3, stageIds: ['C3:NEW'], createdFrom: '2026-03-01T08:00:00+00:00', stepMinutes: 1 })
  f.sandbox.seedCrm({ entityTypeId: 2, fromId: 30_000, count: 400, categoryId: 3, stageIds: ['C3:PREPARATION'], assignedByIds: [2], createdFrom: '2026-02-01T08:00:00+00:00' })
  f.sandbox.seedCrm({ entityTypeId: 2, fromId: 40_000, count: 300, categoryId: 3, stageIds: ['C3:WON'], createdFrom: '2026-03-02T08:00:00+00:00' })
})
afterAll(async () => {
  await f.teardown()
})

const base = ['run', '--profile', 'app', '--from-crm', '--owner-type', 'deal', '--code', 'deal_won']

describe('run --from-crm', () => {
  it('--dry-run prints the count, the filter and a sample for each kind of filter, and sends nothing', async () => {
    const dry = await f.cli([...base, '--category', 'Wholesale', '--stage', 'NEW', '--stage', 'Negotiation', '--created-from', '2026-03-01', '--dry-run'])
    expect(dry.code, dry.stderr).toBe(0)
    expect(dry.stdout).toContain('1500 item(s) match.')
    expect(dry.stdout).toContain('"@stageId":["C3:NEW","C3:PREPARATION"]')
    expect(dry.stdout).toMatch(/^ {2}20000 {2}C3:NEW {2}Item 2\/20000$/m)
    const byUser = await f.cli(['--json', ...base, '--category', '3', '--responsible', '2', '--dry-run'])
    expect(jsonLines(byUser.stdout)[0]).toMatchObject({ type: 'selection', count: 400, filter: { categoryId: 3, '@assignedById': [2] } })
    // On 2026-03-02: the minute-spaced NEW items from midnight (540) and the first 16 hourly WON items.
    const dated = await f.cli([...base, '--category', '3', '--created-from', '2026-03-02', '--created-to', '2026-03-02', '--dry-run'])
    expect(dated.stdout).toContain('556 item(s) match.')
    const raw = await f.cli([...base, '--filter', '{"@stageId": ["C3:WON"]}', '--dry-run'])
    expect(raw.stdout).toContain('300 item(s) match.')
    expect(f.sandbox.stats().executes).toBe(0)
  })

  it('--dry-run --preview reads every item and shows them by pipeline and stage, with the estimated duration', async () => {
    const r = await f.cli([...base, '--category', '3', '--dry-run', '--preview'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('Preview: 2200 item(s).')
    expect(r.stdout).toMatch(/^ {2}Deal, pipeline 3, C3:NEW "New order": 1500$/m)
    expect(r.stdout).toMatch(/^ {2}Deal, pipeline 3, C3:PREPARATION "Negotiation": 400$/m)
    expect(r.stdout).toMatch(/^ {2}Deal, pipeline 3, C3:WON "Shipped": 300$/m)
    // 2,200 triggers = 44 requests, within the standard burst of 50.
    expect(r.stdout).toContain('Estimated duration: under a second (44 request(s) of up to 50 triggers; the request limit binds).')
    expect(f.sandbox.stats().executes).toBe(0)
    const noDry = await f.cli([...base, '--category', '3', '--preview'])
    expect(noDry.stderr).toContain('--preview goes with --dry-run.')
  })

  it('refuses what cannot work, naming the choices', async () => {
    const stage = await f.cli([...base, '--category', '3', '--stage', 'Shipping', '--dry-run'])
    expect(stage.code).toBe(2)
    expect(stage.stderr).toContain('No stage "Shipping" in pipeline 3. Stages: C3:NEW "New order"')
    const pipeline = await f.cli([...base, '--category', 'Retail', '--dry-run'])
    expect(pipeline.stderr).toContain('No pipeline "Retail". Pipelines: 0 "General", 3 "Wholesale"')
    const filter = await f.cli([...base, '--filter', '{">id": 1}', '--dry-run'])
    expect(filter.code).toBe(2)
    expect(filter.stderr).toContain('pages by id itself')
    const date = await f.cli([...base, '--created-from', '1.3.2026', '--dry-run'])
    expect(date.stderr).toContain('YYYY-MM-DD')
    const mixed = await f.cli(['run', '--profile', 'app', '--id', '5', '--code', 'x', '--owner-type', 'deal', '--stage', 'NEW'])
    expect(mixed.stderr).toContain('Options only for --from-crm: --stage')
  })

  it('freezes the list before the first trigger: after SIGKILL and new matching items, resume fires exactly the frozen items', async () => {
    const args = ['--json', ...base, '--category', '3', '--stage', 'NEW']
    const running = f.start(args)
    await running.waitFor('"type":"run"')
    // Wait until some triggers ran, then kill the process outright.
    const deadline = Date.now() + 30_000
    while (f.sandbox.stats().executes < 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    running.child.kill('SIGKILL')
    const killed = await running.done
    expect(killed.signal).toBe('SIGKILL')
    const created = jsonLines(killed.stdout).find((r) => r.type === 'run') as { run: { id: string; counts: { total: number } } }
    expect(created.run.counts.total).toBe(1500)
    const firedBefore = f.sandbox.stats().executes
    expect(firedBefore).toBeLessThan(1500)

    // The CRM changes meanwhile: new items match the same filter.
    f.sandbox.seedCrm({ entityTypeId: 2, fromId: 50_000, count: 250, categoryId: 3, stageIds: ['C3:NEW'] })
    const resumed = await f.cli(['--json', 'runs', 'resume', created.run.id])
    expect([0, 1]).toContain(resumed.code)
    const summary = jsonLines(resumed.stdout).find((r) => r.type === 'summary') as { run: { status: string; counts: Record<string, number> } }
    expect(summary.run.status).toBe('finished')
    expect(summary.run.counts.total).toBe(1500)

    const fired = f.sandbox.ledger().filter((e) => e.code === 'deal_won')
    const ids = fired.map((e) => e.ownerId)
    // Only the frozen items, none of the new ones, and none twice.
    expect(ids.every((id) => id >= 20_000 && id < 21_500)).toBe(true)
    expect(new Set(ids).size).toBe(ids.length)
    // Rows in flight at the kill are uncertain (the portal may have run them; they are never
    // re-sent); every other frozen item succeeded, each exactly once.
    const { succeeded = 0, uncertain = 0 } = summary.run.counts
    expect(uncertain).toBeGreaterThan(0)
    expect(succeeded + uncertain).toBe(1500)
    expect(ids.length).toBeGreaterThanOrEqual(succeeded)
    expect(ids.length).toBeLessThanOrEqual(1500)
  })
})
