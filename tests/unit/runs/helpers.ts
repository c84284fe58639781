// Shared set-up for run tests: a sandbox portal with N deals, an OAuth client for its app, a
// temporary data directory, and planned rows for those deals.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createBitrixClient } from '../../../electron/core/bitrix'
import type { BitrixClient, Credentials } from '../../../electron/core/bitrix/types'
import { createRunManager, type RunManager, type RunManagerOptions } from '../../../electron/core/runs'
import { readJournal } from '../../../electron/core/runs/journal'
import { journalPath } from '../../../electron/core/runs/run-store'
import type { PlannedRow, RunSpec } from '../../../electron/core/runs/run-types'
import type { RunSummaryView } from '../../../electron/shared/ipc'
import { startSandbox, type Sandbox, type SandboxOptions } from '../../../sandbox'

export const CODE = 'go_won'
export const DEAL = 2

export interface Rig {
  sandbox: Sandbox
  dataDir: string
  credentials: Extract<Credentials, { kind: 'oauth' }>
  /** How many times the client stored a renewed token pair. */
  persisted: number
  client(): BitrixClient
  manager(extra?: Partial<RunManagerOptions>): RunManager
  close(): Promise<void>
}

/** A sandbox with deals 1..deals at NEW and the app trigger CODE moving deals to WON. */
export async function rig(opts: SandboxOptions & { deals?: number } = {}): Promise<Rig> {
  const { deals = 200, ...sandboxOptions } = opts
  const sandbox = await startSandbox({ seedData: false, ...sandboxOptions })
  sandbox.generateItems(DEAL, 1, deals, 'NEW')
  sandbox.addAppTrigger(sandbox.app.clientId, CODE, 'Deal won')
  sandbox.bindTrigger({ via: 'app', code: CODE, entityTypeId: DEAL, stageId: 'WON' })
  const dataDir = await mkdtemp(join(tmpdir(), 'b24-runs-'))
  const r: Rig = {
    sandbox,
    dataDir,
    credentials: oauthCredentials(sandbox),
    persisted: 0,
    client() {
      return createBitrixClient({
        credentials: r.credentials,
        persist: async (next) => {
          r.persisted++
          r.credentials = next as Rig['credentials']
        }
      })
    },
    manager(extra = {}) {
      return createRunManager({ dataDir, clientFor: () => r.client(), ...extra })
    },
    async close() {
      await sandbox.close()
      await rm(dataDir, { recursive: true, force: true })
    }
  }
  return r
}

export function oauthCredentials(sandbox: Sandbox): Extract<Credentials, { kind: 'oauth' }> {
  const t = sandbox.issueTokens()
  return {
    kind: 'oauth',
    clientId: sandbox.app.clientId,
    clientSecret: sandbox.app.clientSecret,
    accessToken: t.access_token,
    refreshToken: t.refresh_token,
    expires: t.expires,
    clientEndpoint: t.client_endpoint,
    oauthServer: sandbox.url
  }
}

export function dealRows(ids: Iterable<number>, code = CODE): PlannedRow[] {
  let line = 1
  return [...ids].map((ownerId) => ({ line: ++line, ownerTypeId: DEAL, ownerId, code, verdict: 'valid' as const }))
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i)
}

export function spec(r: Rig, rows: PlannedRow[], extra: Partial<RunSpec> = {}): RunSpec {
  return {
    profile: { id: 'p1', name: 'Sandbox', portalUrl: r.sandbox.url, kind: 'oauth' },
    trigger: { kind: 'app', code: CODE },
    source: { name: 'deals.csv' },
    rows,
    ...extra,
    options: { plan: 'standard', rate: { burst: 50, drainPerSec: 2 }, ...extra.options }
  }
}

/** How many times each owner id was really executed, per the sandbox ledger. */
export function executions(sandbox: Sandbox): Map<number, number> {
  const counts = new Map<number, number>()
  for (const e of sandbox.ledger()) counts.set(e.ownerId, (counts.get(e.ownerId) ?? 0) + 1)
  return counts
}

/** Every row counted once, in exactly one outcome. */
export function expectAccounted(view: RunSummaryView): void {
  const c = view.counts
  const sum = c.pending + c.succeeded + c.failed + c.uncertain + c.skipped + c['not-run']
  if (sum !== c.total) throw new Error(`outcomes add up to ${sum}, not ${c.total}`)
}

/** Outcome records per row in the journal: a finished run has exactly one for every row sent or cancelled. */
export async function outcomeRecords(dataDir: string, runId: string): Promise<Map<number, number>> {
  const counts = new Map<number, number>()
  await readJournal(journalPath(dataDir, runId), (rec) => {
    if (rec.t === 'outcome') counts.set(rec.row, (counts.get(rec.row) ?? 0) + 1)
  })
  return counts
}
