// IDs per second read from the CRM for a run (electron/core/runs/crm-source.ts): keyset pages of
// 50 (`>id`, start -1), 50 list calls chained per batch with $result references, paced by the
// run's request and operating governors. The portal (sandbox) runs in its own process.
// Prints JSON; asserts nothing about speed. Run: npm run bench:crm
// CRM_FREEZE=1000000 npm run bench:crm: the IDs read into a new run's journal, with peak memory.
//
// ceiling: the most IDs/s the request limit allows for this many IDs at 50 calls x 50 IDs per
// request: requests = ceil(pages / 50); the opening burst is free, the rest come at `drain` per
// second: ideal seconds = max(0, requests - burst) / drain. ratio = measured / ceiling.
import { fork } from 'node:child_process'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRunManager } from '../../electron/core/runs'
import { createCrmRun } from '../../electron/core/runs/crm-run'
import { STATIC_CATALOG } from '../../electron/core/triggers/owner-types'
import { fileURLToPath } from 'node:url'
import { createBitrixClient } from '../../electron/core/bitrix'
import { OperatingGovernor } from '../../electron/core/bitrix/pacing/operating-governor'
import { RequestGovernor } from '../../electron/core/bitrix/pacing/request-governor'
import type { Credentials } from '../../electron/core/bitrix/types'
import { enumerateIds, PAGE_SIZE } from '../../electron/core/runs/crm-source'
import type { CrmSelection, RateLimits } from '../../electron/shared/domain'
import type { SandboxOptions, SandboxTokenPair } from '../../sandbox'
import type { SeedCrmOptions } from '../../sandbox/types'

const SANDBOX_PROCESS = fileURLToPath(new URL('./sandbox-process.ts', import.meta.url))
const ITEMS = Number(process.env.CRM_ITEMS ?? 250_000)

interface Scenario {
  name: string
  rate: RateLimits
  selection: CrmSelection
  /** Items the selection matches. */
  matches: number
  callsPerBatch: number
}

async function portal(options: SandboxOptions, crm: SeedCrmOptions[]): Promise<{ credentials: Credentials; stats(): Promise<{ requests: number; rejected503: number }>; close(): Promise<void> }> {
  const child = fork(SANDBOX_PROCESS, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_SANDBOX: JSON.stringify({ options, deals: 0, code: 'bench', crm }) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  })
  let nextId = 0
  const pending = new Map<number, (r: unknown) => void>()
  const ready = new Promise<{ url: string; app: { clientId: string; clientSecret: string }; tokens: SandboxTokenPair }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench sandbox exited (${code})`)))
    child.on('message', (raw) => {
      const msg = raw as { ready?: never; id?: number; result?: unknown }
      if (msg.ready) resolve(msg.ready)
      else if (msg.id !== undefined) pending.get(msg.id)?.(msg.result)
    })
  })
  const ask = <T>(cmd: string): Promise<T> =>
    new Promise((resolve) => {
      const id = ++nextId
      pending.set(id, (r) => resolve(r as T))
      child.send({ id, cmd })
    })
  const { url, app, tokens } = await ready
  return {
    credentials: {
      kind: 'oauth',
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      expires: tokens.expires,
      clientEndpoint: tokens.client_endpoint,
      oauthServer: url
    },
    stats: () => ask('stats'),
    close: async () => {
      const exited = new Promise((r) => child.once('exit', r))
      await ask('close')
      await exited
    }
  }
}

async function run(s: Scenario, maxSeconds?: number): Promise<Record<string, unknown>> {
  // Half the deals in the general pipeline, half in "Wholesale" (3) across three stages.
  const half = Math.floor(ITEMS / 2)
  const crm: SeedCrmOptions[] = [
    { entityTypeId: 2, fromId: 1, count: half, stageIds: ['NEW', 'PREPARATION'] },
    { entityTypeId: 2, fromId: half + 1, count: ITEMS - half, categoryId: 3, stageIds: ['C3:NEW', 'C3:PREPARATION', 'C3:WON'] }
  ]
  const p = await portal({ rate: s.rate, operating: { limitSec: 480, windowSec: 600 } }, crm)
  try {
    const client = createBitrixClient({ credentials: p.credentials, persist: async () => undefined })
    const governors = {
      request: new RequestGovernor({ limits: s.rate }),
      operating: new OperatingGovernor({ limits: { limitSec: 480, windowSec: 600 } })
    }
    const before = await p.stats()
    const started = process.hrtime.bigint()
    let ids = 0
    const stop = new AbortController()
    const timer = maxSeconds ? setTimeout(() => stop.abort(), maxSeconds * 1000) : undefined
    try {
      for await (const page of enumerateIds(client, s.selection, { governors, callsPerBatch: s.callsPerBatch, signal: stop.signal })) ids += page.length
    } catch (err) {
      if (!stop.signal.aborted) throw err
    } finally {
      clearTimeout(timer)
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    const after = await p.stats()
    const pages = stop.signal.aborted ? ids / PAGE_SIZE : Math.floor(ids / PAGE_SIZE) + 1
    const requests = Math.ceil(pages / s.callsPerBatch)
    const idealSeconds = Math.max(0, requests - s.rate.burst) / s.rate.drainPerSec
    const ceiling = idealSeconds > 0 ? ids / idealSeconds : Infinity
    const idsPerSec = ids / seconds
    return {
      scenario: s.name,
      ...(stop.signal.aborted && { stoppedAfterSec: maxSeconds }),
      ids,
      expected: s.matches,
      seconds: +seconds.toFixed(2),
      idsPerSec: Math.round(idsPerSec),
      requests: after.requests - before.requests,
      rejected503: after.rejected503 - before.rejected503,
      ceilingIdsPerSec: Number.isFinite(ceiling) ? Math.round(ceiling) : 'unbounded (all within the burst)',
      sustainedCeilingIdsPerSec: s.rate.drainPerSec * s.callsPerBatch * PAGE_SIZE,
      ratio: Number.isFinite(ceiling) ? +(idsPerSec / ceiling).toFixed(3) : null
    }
  } finally {
    await p.close()
  }
}

/** CRM_FREEZE=N: N matching IDs read into a new run's journal (createCrmRun), with the peak RSS of
 * this process, to show the list is streamed rather than held. Limits lifted so it is quick. */
async function freeze(count: number): Promise<Record<string, unknown>> {
  const p = await portal({ rate: false, operating: false }, [{ entityTypeId: 2, fromId: 1, count, stageIds: ['NEW'] }])
  const dataDir = await mkdtemp(join(tmpdir(), 'crm-freeze-'))
  try {
    const client = createBitrixClient({ credentials: p.credentials, persist: async () => undefined })
    const runs = createRunManager({ dataDir, clientFor: () => client })
    const options = { verify: false, plan: 'custom' as const, rate: { burst: 10_000, drainPerSec: 1000 }, operating: { limitSec: 100_000, windowSec: 100_000 } }
    global.gc?.()
    const baseRss = process.memoryUsage().rss
    let peak = baseRss
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
    const started = process.hrtime.bigint()
    const view = await createCrmRun(runs, client, {
      profile: { id: 'bench', name: 'Bench', portalUrl: 'http://127.0.0.1', kind: 'oauth' },
      kind: 'app',
      code: 'bench',
      selection: { entityTypeId: 2 },
      catalog: STATIC_CATALOG,
      options
    })
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    clearInterval(timer)
    const journalMiB = (await stat(join(dataDir, 'runs', view.id, 'journal.jsonl'))).size / 1024 / 1024
    return {
      scenario: 'freeze into a run',
      ids: view.counts.total,
      seconds: +seconds.toFixed(1),
      idsPerSec: Math.round(view.counts.total / seconds),
      journalMiB: +journalMiB.toFixed(1),
      baseRssMiB: Math.round(baseRss / 1024 / 1024),
      peakRssMiB: Math.round(peak / 1024 / 1024)
    }
  } finally {
    await p.close()
    await rm(dataDir, { recursive: true, force: true })
  }
}

async function main(): Promise<void> {
  if (process.env.CRM_FREEZE) {
    console.log(JSON.stringify({ node: process.version, results: [await freeze(Number(process.env.CRM_FREEZE))] }, null, 2))
    return
  }
  const half = Math.floor(ITEMS / 2)
  const wholesale = ITEMS - half
  const scenarios: Scenario[] = [
    // A compressed bucket (burst 5, 2/s) so that the request limit binds, as on a long enumeration.
    { name: 'all deals, rate-bound (burst 5, 2/s)', rate: { burst: 5, drainPerSec: 2 }, selection: { entityTypeId: 2 }, matches: ITEMS, callsPerBatch: 50 },
    {
      name: 'pipeline 3, one stage of three, rate-bound (burst 5, 2/s)',
      rate: { burst: 5, drainPerSec: 2 },
      selection: { entityTypeId: 2, categoryId: 3, stageIds: ['C3:PREPARATION'] },
      matches: Math.ceil((wholesale - 1) / 3),
      callsPerBatch: 50
    },
    // The standard plan: every request fits in the opening burst, so latency binds.
    { name: 'all deals, standard plan (burst 50, 2/s)', rate: { burst: 50, drainPerSec: 2 }, selection: { entityTypeId: 2 }, matches: ITEMS, callsPerBatch: 50 },
    // For contrast: one list call per request, as without batch chaining (the same bucket).
    { name: 'all deals, one call per request (burst 5, 2/s)', rate: { burst: 5, drainPerSec: 2 }, selection: { entityTypeId: 2 }, matches: ITEMS, callsPerBatch: 1 }
  ]
  const only = process.env.BENCH_ONLY
  const results = []
  for (const s of scenarios) {
    if (only && !s.name.includes(only)) continue
    // One call per request takes 50 times longer: a 20-second sample of it is enough.
    results.push(await run(s, s.callsPerBatch === 1 ? 20 : undefined))
  }
  console.log(JSON.stringify({ node: process.version, items: ITEMS, results }, null, 2))
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
