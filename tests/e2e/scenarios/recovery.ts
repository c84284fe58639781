// A crash mid-run: a separate process starts a run through the real handlers and is killed with
// SIGKILL while a batch hangs on the portal. New handlers over the same data directory find the
// run interrupted; resuming it marks the unanswered rows uncertain, never sends them again, and
// finishes the rest.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { CreateRunRequest, RowsPage, RunSummaryView } from '../../../electron/shared/ipc'
import { E2E_DIR, scenario } from '../lib/harness'
import { TIMEOUT, goto, until, waitForAttribute } from '../lib/ui'

const IDS = Array.from({ length: 60 }, (_, i) => 2001 + i)

interface JournalLine {
  t: string
  rows?: number[]
  row?: number
}

function journal(file: string): JournalLine[] {
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as JournalLine]
      } catch {
        return [] // a line being written
      }
    })
}

scenario('recovery: a run interrupted by a crash is resumed from disk', async (world) => {
  const { page, sandbox, dataDir } = world
  sandbox.generateItems(2, IDS[0]!, IDS.length, 'NEW')
  const ledgerBefore = sandbox.ledger().length
  // The probe batch answers; the next one hangs, as a portal that never replies.
  sandbox.addFaults([{ method: 'batch', fault: 'hang', after: 1, times: 1 }])

  const request: CreateRunRequest = {
    profileId: world.shared.get('appProfile')!,
    kind: 'app',
    code: 'deal_won',
    ownerTypeId: 2,
    source: { name: 'crash test', text: IDS.join('\n'), pasted: true },
    mapping: { idColumn: 0, hasHeader: false },
    // One request every few seconds: the process dies between two batches, not by luck.
    options: { verify: false, plan: 'custom', rate: { burst: 1, drainPerSec: 0.3 } }
  }
  const requestFile = join(dataDir, 'crash-request.json')
  writeFileSync(requestFile, JSON.stringify(request))
  const child = spawn(process.execPath, ['--import', 'tsx', join(E2E_DIR, 'lib', 'crash-child.ts'), dataDir, requestFile], {
    stdio: ['ignore', 'pipe', 'inherit']
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()))
  try {
    const runId = await until('the child to start the run', () => /started (\S+)/.exec(output)?.[1], 30_000)
    const file = join(dataDir, 'runs', runId, 'journal.jsonl')
    await until('a second batch in flight', () => journal(file).filter((r) => r.t === 'intent').length >= 2, 30_000)
    await new Promise((r) => setTimeout(r, 300))
    child.kill('SIGKILL')
    await exited

    const records = journal(file)
    const answered = new Set(records.filter((r) => r.t === 'outcome').map((r) => r.row))
    const unanswered = records.filter((r) => r.t === 'intent').flatMap((r) => r.rows ?? []).filter((row) => !answered.has(row))
    assert.ok(unanswered.length > 0, 'the crash left rows sent without an answer')
    sandbox.clearFaults()

    // The app starts again: new handlers over the same data directory, the page reloaded.
    await world.restartMain()
    const listed = (await world.invoke<RunSummaryView[]>('runs.list')).find((r) => r.id === runId)
    assert.equal(listed?.status, 'interrupted')
    const notice = page.getByTestId('resume-notice')
    await notice.waitFor({ timeout: TIMEOUT })
    await world.screenshot('resume-notice-en')
    await page.getByTestId('resume-notice-open').click()
    const monitor = page.locator(`[data-testid="run-monitor"][data-run-id="${runId}"]`)
    await monitor.waitFor({ timeout: TIMEOUT })
    await waitForAttribute(monitor.getByTestId('run-progress'), 'data-status', 'interrupted')
    await world.screenshot('run-interrupted-en')

    await monitor.getByTestId('run-resume').click()
    await waitForAttribute(monitor.getByTestId('run-progress'), 'data-status', 'finished', 90_000)
    const done = await world.invoke<RunSummaryView>('runs.get', runId)
    assert.equal(done.counts.uncertain, unanswered.length, 'exactly the unanswered rows are uncertain')
    assert.equal(done.counts.succeeded, IDS.length - unanswered.length)
    const rows = await world.invoke<RowsPage>('runs.rows', { runId, offset: 0, limit: 100, outcome: 'uncertain' })
    assert.deepEqual(rows.rows.map((r) => r.index).sort((a, b) => a - b), [...unanswered].sort((a, b) => a - b))

    // Nothing was executed twice, and the uncertain rows were not sent again.
    const fired = sandbox.ledger().slice(ledgerBefore).map((e) => e.ownerId)
    assert.equal(new Set(fired).size, fired.length, 'no item got the trigger twice')
    const uncertainIds = new Set(rows.rows.map((r) => r.ownerId))
    assert.ok(!fired.some((id) => uncertainIds.has(id)), 'uncertain rows were never re-sent')
    assert.equal(fired.length, IDS.length - unanswered.length)
    await goto(page, 'history')
    await world.screenshot('history-en')
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL')
  }
})
