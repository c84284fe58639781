// A run started by the desktop app's side of the core (the run manager in this process, as the
// main process would hold it) and taken over by the CLI through the shared data directory,
// journal and keychain: refused while the app sends it (run.lock), then after a clean app quit,
// and after the app died mid-batch (its stale lock taken over).
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Profile } from '../../electron/shared/domain'
import { createProfileService, type ProfileService } from '../../electron/core/profiles/profile-service'
import { createProfileStore } from '../../electron/core/profiles/profile-store'
import { createKeytarSecretStore } from '../../electron/core/profiles/secret-store'
import { createRunManager, type PlannedRow, type RunHandle, type RunHooks, type RunManager, type RunSpec } from '../../electron/core/runs'
import type { RunSummaryView } from '../../electron/shared/ipc'
import { jsonLines } from './cli-process'
import { cliFixture, type CliFixture } from './fixtures'

let f: CliFixture
let profiles: ProfileService
let profile: Profile

beforeAll(async () => {
  f = await cliFixture()
  await f.addAppProfile('app')
  profiles = createProfileService({ store: createProfileStore({ dataDir: f.dataDir }), secrets: createKeytarSecretStore() })
  const [first] = await profiles.list()
  if (!first) throw new Error('the CLI did not create the profile')
  profile = first
})
afterAll(async () => {
  await f.teardown()
})

function desktop(hooks?: RunHooks): RunManager {
  return createRunManager({ dataDir: f.dataDir, clientFor: (id) => profiles.clientFor(id), ...(hooks && { hooks }) })
}

function spec(from: number, count: number, options: RunSpec['options'] = {}): RunSpec {
  f.sandbox.generateItems(2, from, count, 'NEW')
  const rows: PlannedRow[] = Array.from({ length: count }, (_, i) => ({ line: i + 1, ownerTypeId: 2, ownerId: from + i, code: 'deal_won', verdict: 'valid' }))
  return {
    profile: { id: profile.id, name: profile.name, portalUrl: profile.portalUrl, kind: profile.kind },
    trigger: { kind: 'app', code: 'deal_won' },
    defaultOwnerTypeId: 2,
    source: { name: 'pasted list' },
    options,
    rows
  }
}

/** How often the sandbox ran each owner id in [from, from + count). */
function ranPerId(from: number, count: number): number[] {
  const runs = new Array<number>(count).fill(0)
  for (const e of f.sandbox.ledger()) if (e.code === 'deal_won' && e.ownerId >= from && e.ownerId < from + count) runs[e.ownerId - from]!++
  return runs
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 10))
}

interface SummaryRecord {
  type: string
  run: { id: string; status: string; counts: Record<string, number> }
  exitCode: number
}

/** A slow run started in the app, once the portal has run some of it. 200 ms a trigger keeps
 * even 300 rows sending for well over ten seconds, now that the runner paces by what the budget
 * really allows (at 10 ms the run was over before the CLI had started twice). */
async function sendingInApp(from: number, count: number): Promise<{ app: RunManager; created: RunSummaryView; sending: RunHandle }> {
  f.sandbox.setTriggerCost('deal_won', 200)
  const app = desktop()
  const created = await app.createRun(spec(from, count))
  const sending = await app.start(created.id)
  await until(() => ranPerId(from, count).some((n) => n > 0))
  return { app, created, sending }
}

/** A pid above any system's pid_max: the process that wrote the lock is gone. */
const DEAD_PID = 2_147_483_646

describe('a run started in the desktop app', () => {
  it('cannot be resumed by the CLI while the app is sending it (exit 2), and can once the app paused it', async () => {
    const FROM = 30_000
    const COUNT = 300
    const { app, created, sending } = await sendingInApp(FROM, COUNT)

    const refused = await f.cli(['runs', 'resume', created.id])
    expect(refused.code, refused.stdout + refused.stderr).toBe(2)
    expect(refused.stderr).toMatch(new RegExp(`^Error: Run ${created.id} is being sent by another process \\(pid ${process.pid}`))
    expect(refused.stdout).not.toContain('Resuming')
    const listed = await f.cli(['--json', 'runs', 'show', created.id])
    expect((jsonLines(listed.stdout)[0] as unknown as SummaryRecord).run.status).toBe('running')

    await app.pause(created.id)
    await sending.done
    f.sandbox.setTriggerCost('deal_won', 0)
    const r = await f.cli(['--json', 'runs', 'resume', created.id])
    expect(r.code, r.stderr).toBe(0)
    expect(ranPerId(FROM, COUNT).every((n) => n === 1)).toBe(true)
  })

  it('is resumed by the CLI after the app quit mid-run; nothing runs twice', async () => {
    const FROM = 10_000
    const COUNT = 400
    const { app, created } = await sendingInApp(FROM, COUNT)
    // Quitting the app pauses its runs: no new sends, batches in flight finish, journal flushed.
    await app.close()
    f.sandbox.setTriggerCost('deal_won', 0)
    const paused = await app.get(created.id)
    expect(paused.status).toBe('paused')
    expect(paused.counts.pending).toBeGreaterThan(0)

    const listed = await f.cli(['runs', 'list'])
    expect(listed.stdout).toMatch(new RegExp(`${created.id}\\s.*paused`))
    const r = await f.cli(['--json', 'runs', 'resume', created.id])
    expect(r.code, r.stderr).toBe(0)
    const summary = jsonLines(r.stdout).find((x) => x.type === 'summary') as unknown as SummaryRecord
    expect(summary.run.counts).toMatchObject({ succeeded: COUNT, pending: 0, uncertain: 0 })
    expect(ranPerId(FROM, COUNT).every((n) => n === 1)).toBe(true)
    // And the desktop side reads the same journal.
    expect((await desktop().get(created.id)).status).toBe('finished')
  })

  it('is resumed by the CLI after the app died with a batch journaled but unanswered', async () => {
    const FROM = 20_000
    const COUNT = 200
    let intents = 0
    let orphaned: readonly number[] | undefined
    // The app "dies" right after the second batch's intent reached the disk: that batch is never
    // sent, and with one batch in flight at most nothing else is under way.
    const app = desktop({
      afterIntent: async (_batch, rows) => {
        if (++intents < 2) return
        orphaned = [...rows]
        await new Promise<never>(() => undefined)
      }
    })
    const created = await app.createRun(spec(FROM, COUNT, { maxInFlight: 1 }))
    await app.start(created.id)
    await until(() => orphaned !== undefined)
    const sentBefore = ranPerId(FROM, COUNT).reduce((a, b) => a + b, 0)
    expect(sentBefore).toBeGreaterThan(0)
    // A dead app leaves its lock behind, naming a process that no longer exists.
    await writeFile(join(f.dataDir, 'runs', created.id, 'run.lock'), String(DEAD_PID))

    const r = await f.cli(['--json', 'runs', 'resume', created.id])
    // Rows with an intent and no outcome cannot be known to have run or not: uncertain, exit 1.
    expect(r.code, r.stderr).toBe(1)
    const summary = jsonLines(r.stdout).find((x) => x.type === 'summary') as unknown as SummaryRecord
    const orphanCount = orphaned?.length ?? 0
    expect(orphanCount).toBeGreaterThan(0)
    expect(summary.run.counts).toMatchObject({ uncertain: orphanCount, succeeded: COUNT - orphanCount, pending: 0 })
    const ran = ranPerId(FROM, COUNT)
    expect(ran.every((n) => n <= 1)).toBe(true)
    expect(ran.filter((n) => n === 1)).toHaveLength(COUNT - orphanCount)

    const shown = await f.cli(['--json', 'runs', 'show', created.id, '--outcome', 'uncertain', '--limit', '1000'])
    const rows = (jsonLines(shown.stdout)[0] as { rows: { ownerId: number }[] }).rows
    expect(rows).toHaveLength(orphanCount)
    // The uncertain rows are exactly the orphaned batch, and the portal never ran them.
    expect(rows.every((row) => ran[row.ownerId - FROM] === 0)).toBe(true)
  })
})
