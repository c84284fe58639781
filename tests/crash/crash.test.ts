// Crash recovery for real: the run goes in a child process, which is killed with SIGKILL at the
// worst moments; the parent (which hosts the sandbox portal and its ledger) resumes it.
// Afterwards every row has exactly one outcome, nothing ran twice, and the rows that were in
// flight at the kill are uncertain.
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { loadRun } from '../../electron/core/runs/run-store'
import { dealRows, executions, outcomeRecords, range, rig, spec, type Rig } from '../unit/runs/helpers'

const CHILD = fileURLToPath(new URL('./child-run.ts', import.meta.url))

let r: Rig | undefined
afterEach(async () => {
  await r?.close()
  r = undefined
})

interface ChildRun {
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>
  kill(): void
}

function runChild(r_: Rig, runId: string, kill?: { at: 'before-intent' | 'after-intent'; batch: number }): ChildRun {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, CRASH_CHILD: JSON.stringify({ dataDir: r_.dataDir, runId, credentials: r_.credentials, kill }) },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  child.stdout.resume()
  return {
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stderr }))),
    kill: () => child.kill('SIGKILL')
  }
}

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** The sandbox finishes what it was running for the dead client; wait for its ledger to settle. */
async function ledgerSettled(r_: Rig): Promise<void> {
  let last = -1
  while (r_.sandbox.ledger().length !== last) {
    last = r_.sandbox.ledger().length
    await new Promise((resolve) => setTimeout(resolve, 300))
  }
}

/** Resumes in this process and checks the invariants. Returns the rows that were in flight at
 * the kill, and how often the portal ran each of them (undefined: never). */
async function resumeAndCheck(r_: Rig, runId: string, total: number): Promise<{ inFlight: number[]; ranInFlight: (number | undefined)[] }> {
  const before = await loadRun(r_.dataDir, runId)
  const inFlight = [...before.replay.interrupted]
  const view = await (await r_.manager().resume(runId)).done
  expect(view.status).toBe('finished')
  expect(view.counts.pending).toBe(0)
  expect(view.counts.succeeded + view.counts.uncertain).toBe(total)
  expect(view.counts.uncertain).toBe(inFlight.length)

  const perRow = await outcomeRecords(r_.dataDir, runId)
  expect(perRow.size).toBe(total)
  expect([...perRow.values()].every((n) => n === 1)).toBe(true)

  const ran = executions(r_.sandbox)
  expect([...ran.values()].every((n) => n === 1)).toBe(true)
  const after = await loadRun(r_.dataDir, runId)
  for (let row = 0; row < total; row++) {
    const owner = after.replay.table.ownerId[row] as number
    const outcome = after.replay.table.outcomeOf(row)
    if (inFlight.includes(row)) expect(outcome).toBe('uncertain')
    else expect([outcome, ran.get(owner)]).toEqual(['succeeded', 1])
  }
  return { inFlight, ranInFlight: inFlight.map((row) => ran.get(after.replay.table.ownerId[row] as number)) }
}

describe('SIGKILL and resume', () => {
  it('killed before the first intent: nothing was sent, everything runs once on resume', async () => {
    r = await rig({ deals: 300 })
    const { id } = await r.manager().createRun(spec(r, dealRows(range(1, 300))))
    const child = runChild(r, id, { at: 'before-intent', batch: 1 })
    expect((await child.exited).signal).toBe('SIGKILL')
    expect(r.sandbox.ledger()).toHaveLength(0)
    expect((await loadRun(r.dataDir, id)).status).toBe('interrupted')
    const { inFlight } = await resumeAndCheck(r, id, 300)
    expect(inFlight).toEqual([])
  })

  it('killed right after an intent is flushed: its rows are uncertain and never sent', async () => {
    r = await rig({ deals: 300 })
    const { id } = await r.manager().createRun(spec(r, dealRows(range(1, 300)), { options: { maxInFlight: 1 } }))
    const child = runChild(r, id, { at: 'after-intent', batch: 3 })
    expect((await child.exited).signal).toBe('SIGKILL')
    await ledgerSettled(r)
    const { inFlight, ranInFlight } = await resumeAndCheck(r, id, 300)
    expect(inFlight.length).toBeGreaterThan(0)
    expect(ranInFlight.every((n) => n === undefined)).toBe(true)
  })

  it('killed mid-batch while the portal runs it: those rows are uncertain and ran exactly once', async () => {
    r = await rig({ deals: 400, triggerCostMs: 15 })
    const { id } = await r.manager().createRun(spec(r, dealRows(range(1, 400)), { options: { maxInFlight: 2 } }))
    const child = runChild(r, id)
    const rig_ = r
    await until(() => rig_.sandbox.ledger().length >= 120)
    child.kill()
    expect((await child.exited).signal).toBe('SIGKILL')
    await ledgerSettled(r)
    const { inFlight, ranInFlight } = await resumeAndCheck(r, id, 400)
    expect(inFlight.length).toBeGreaterThan(0)
    // The portal finished the batch the dead client had sent: those rows really ran, once.
    expect(ranInFlight.some((n) => n === 1)).toBe(true)
  })
})
