// `npm run bench`: the runner against the sandbox portal, next to the limits' theoretical
// ceiling. Prints a table and JSON; asserts nothing about speed (benchmarks never gate CI).
//
// Scenarios
//   cheap    10,000 rows of a 5 ms trigger on the standard plan (burst 50, drain 2/s): the
//            request bucket binds. Ceiling: burst x 50 rows at once, then drain x 50 rows/s.
//   costly   a 50 ms trigger under a compressed operating budget (6 s per 30 s): the budget
//            binds. Ceiling: the whole limit once per window, limit / window / t rows/s.
//   cloud    the costly case on today's cloud time format (whole-second `start`, `processing: 0`,
//            so every duration carries up to a second never spent) with the portal's own
//            accounting (a request's calls summed, stored over 0.1 s): a 50 ms trigger under a
//            compressed budget (6 s per 30 s), 400 rows. The sandbox charges exactly 50 ms per trigger
//            (nominal accounting), so t is known and the ceiling exact: limit / window / t rows/s.
//   naive    one execute per request in a loop, no batching, no pacing, for contrast.
//   journal  a 1,000,000-row run: creation, intent fsyncs per second, reading back a full journal.
// eta: for cheap and costly, the ETA shown at 2 s and at 10/25/50% of the run against the time
// the run really still took, beside "rows left / recent rows per second" (the old estimate).
// BENCH_ONLY=cheap,costly,cloud,naive,journal picks scenarios (default: all, a few minutes).
//
// ceiling: the most rows/s the configured limits allow for this many rows, from the shortest
// time they allow: max(request time = (rows - burst x 50) / (drain x 50), operating time =
// (ceil(rows x t / limit) - 1) x window), i.e. the opening burst and the budget free at the start
// used in full, then drain x 50 rows/s and the whole limit once per window (t = the measured
// server time per trigger). ratio = rows/s / ceiling. The sustained ceilings (drain x 50 and
// limit / window / t rows/s) are printed beside it.
// run twice = rows the ledger shows executed more than once; lost = rows marked succeeded that
// never ran, or left without an outcome.
import { fork } from 'node:child_process'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createBitrixClient } from '../../electron/core/bitrix'
import type { Credentials } from '../../electron/core/bitrix/types'
import { createRunManager } from '../../electron/core/runs'
import { JournalWriter } from '../../electron/core/runs/journal'
import type { PlannedRow } from '../../electron/core/runs/run-types'
import type { OperatingLimits, RateLimits } from '../../electron/shared/domain'
import type { RunProgressEvent } from '../../electron/shared/ipc'
import type { SandboxOptions, SandboxTokenPair } from '../../sandbox'

const CODE = 'bench_won'
const DEAL = 2
const SANDBOX_PROCESS = fileURLToPath(new URL('./sandbox-process.ts', import.meta.url))
const MiB = 1024 * 1024

interface Scenario {
  name: string
  rows: number
  rate: RateLimits
  operating: OperatingLimits
  triggerCostMs: number
  /** The sandbox records runs shorter than 0.1 s only when this is 0 (real portals do not). */
  operatingMinRecordedSec?: number
  /** The portal's `time` format (the sandbox default is today's cloud: 'whole-second'). */
  timeFormat: 'whole-second' | 'fractional'
  /** 'nominal': the budget is charged exactly triggerCostMs per trigger, and t is that. */
  operatingAccounting?: 'measured' | 'nominal'
}

interface Result {
  scenario: string
  rows: number
  seconds: number
  rowsPerSec: number
  binding: string
  /** Measured server seconds per trigger (mean). */
  triggerSec: number
  /** drain x 50 rows/s, sustained */
  requestSustainedRowsPerSec: number
  /** limit / window / t, sustained */
  operatingSustainedRowsPerSec: number
  /** The shortest time the limits allow for these rows (see the header). */
  idealSeconds: number
  ceilingRowsPerSec: number
  ratio: number
  requests: number
  rejected503: number
  rejected429: number
  runTwice: number
  lost: number
  peakRssMiB: number
  /** The ETA shown at a few points of the run, the time the run really still took, and what
   * "rows left / recent rows per second" would have said (the old estimate). */
  eta: { atSec: number; etaSec: number | null; actualSec: number; naiveSec: number | null }[]
}

/** The portal of tests/bench/sandbox-process.ts, in a child process. */
interface RemotePortal {
  url: string
  credentials: Credentials
  ledger(): Promise<Map<number, number>>
  stats(): Promise<{ requests: number; rejected503: number; rejected429: number }>
  close(): Promise<void>
}

async function portal(s: Scenario): Promise<RemotePortal> {
  const options: SandboxOptions = {
    rate: s.rate,
    operating: s.operating,
    triggerCostMs: s.triggerCostMs,
    timeFormat: s.timeFormat,
    ...(s.operatingAccounting && { operatingAccounting: s.operatingAccounting }),
    ...(s.operatingMinRecordedSec !== undefined && { operatingMinRecordedSec: s.operatingMinRecordedSec })
  }
  const child = fork(SANDBOX_PROCESS, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_SANDBOX: JSON.stringify({ options, deals: s.rows, code: CODE }) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  })
  const pending = new Map<number, (result: unknown) => void>()
  let nextId = 0
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
      pending.set(id, (result) => resolve(result as T))
      child.send({ id, cmd })
    })
  const { url, app, tokens } = await ready
  return {
    url,
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
    ledger: async () => new Map(Object.entries(await ask<Record<string, number>>('ledger')).map(([k, v]) => [Number(k), v])),
    stats: () => ask('stats'),
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      await ask('close')
      await exited
    }
  }
}

function peakMemory(): { stop(): number } {
  let peak = process.memoryUsage().rss
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50)
  return {
    stop: () => {
      clearInterval(timer)
      return Math.round(Math.max(peak, process.memoryUsage().rss) / MiB)
    }
  }
}

/** The shortest time the limits allow for `rows` rows at `t` server seconds per trigger. */
function ceilings(s: Scenario, rows: number, t: number) {
  const requestSustained = s.rate.drainPerSec * 50
  const operatingSustained = s.operating.limitSec / s.operating.windowSec / t
  const requestSeconds = Math.max(0, (rows - s.rate.burst * 50) / requestSustained)
  const operatingSeconds = Math.max(0, Math.ceil((rows * t) / s.operating.limitSec) - 1) * s.operating.windowSec
  return { requestSustained, operatingSustained, idealSeconds: Math.max(requestSeconds, operatingSeconds) }
}

async function runner(s: Scenario): Promise<Result> {
  const sandbox = await portal(s)
  const dataDir = await mkdtemp(join(tmpdir(), 'b24-bench-'))
  const memory = peakMemory()
  try {
    const runs = createRunManager({ dataDir, clientFor: () => createBitrixClient({ credentials: sandbox.credentials }) })
    const rows: PlannedRow[] = Array.from({ length: s.rows }, (_, i) => ({ line: i + 2, ownerTypeId: DEAL, ownerId: i + 1, code: CODE, verdict: 'valid' }))
    const { id } = await runs.createRun({
      profile: { id: 'bench', name: 'Bench', portalUrl: sandbox.url, kind: 'oauth' },
      trigger: { kind: 'app', code: CODE },
      source: { name: 'bench.csv' },
      options: { plan: 'custom', rate: s.rate, operating: s.operating },
      rows
    })
    const bindings = new Map<string, number>()
    const etaSamples: { at: number; eta?: number; naive?: number }[] = []
    const started = performance.now()
    const { done } = await runs.start(id, {
      onProgress: (e: RunProgressEvent) => {
        bindings.set(e.binding, (bindings.get(e.binding) ?? 0) + 1)
        const naiveEta = e.rowsPerSecond > 0 ? e.counts.pending / e.rowsPerSecond : undefined
        etaSamples.push({ at: (performance.now() - started) / 1000, ...(e.etaSeconds !== undefined && { eta: e.etaSeconds }), ...(naiveEta !== undefined && { naive: naiveEta }) })
      }
    })
    const view = await done
    const seconds = (performance.now() - started) / 1000

    const { replay } = await runs.load(id)
    const table = replay.table
    let timeSum = 0
    let timed = 0
    const succeeded = new Set<number>()
    for (let r = 0; r < table.rowsLoaded; r++) {
      const rec = table.record(r)
      if (rec.outcome === 'succeeded') succeeded.add(rec.ownerId)
      if (rec.timeSec === undefined) continue
      timeSum += rec.timeSec
      timed++
    }
    // With nominal accounting the portal charged exactly the trigger cost; otherwise the runner's
    // measured mean (precise on the fractional format).
    const t = s.operatingAccounting === 'nominal' || timed === 0 ? s.triggerCostMs / 1000 : timeSum / timed
    const ran = await sandbox.ledger()
    const runTwice = [...ran.values()].filter((n) => n > 1).length
    let lost = view.counts.pending
    for (const owner of succeeded) if (!ran.has(owner)) lost++

    // At 2 s and at a tenth, a quarter and half of the run: the first estimate from then on.
    const eta = [2, seconds * 0.1, seconds * 0.25, seconds * 0.5].map((at) => {
      const sample = etaSamples.find((x) => x.at >= at && x.eta !== undefined)
      return {
        atSec: round(sample?.at ?? at, 1),
        etaSec: sample?.eta ?? null,
        actualSec: round(seconds - (sample?.at ?? at), 1),
        naiveSec: sample?.naive === undefined ? null : round(sample.naive, 1)
      }
    })
    const c = ceilings(s, s.rows, t)
    const stats = await sandbox.stats()
    const binding = [...bindings].filter(([b]) => b !== 'none').sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'none'
    return {
      scenario: s.name,
      rows: s.rows,
      seconds: round(seconds),
      rowsPerSec: round(s.rows / seconds),
      binding,
      triggerSec: round(t, 4),
      requestSustainedRowsPerSec: round(c.requestSustained),
      operatingSustainedRowsPerSec: round(c.operatingSustained),
      idealSeconds: round(c.idealSeconds),
      ceilingRowsPerSec: round(s.rows / Math.max(c.idealSeconds, 1e-3)),
      ratio: round(c.idealSeconds / seconds, 3),
      requests: stats.requests,
      rejected503: stats.rejected503,
      rejected429: stats.rejected429,
      runTwice,
      lost,
      peakRssMiB: memory.stop(),
      eta
    }
  } finally {
    memory.stop()
    await sandbox.close()
    await rm(dataDir, { recursive: true, force: true })
  }
}

/** One crm.automation.trigger.execute per request in a tight loop, for `seconds`. */
async function naive(s: Scenario, seconds: number): Promise<Record<string, number | string>> {
  const sandbox = await portal(s)
  const memory = peakMemory()
  try {
    const client = createBitrixClient({ credentials: sandbox.credentials })
    const started = performance.now()
    let ok = 0
    let failed = 0
    let owner = 0
    while (performance.now() - started < seconds * 1000 && owner < s.rows) {
      owner++
      try {
        await client.call('crm.automation.trigger.execute', { CODE, OWNER_TYPE_ID: DEAL, OWNER_ID: owner })
        ok++
      } catch {
        failed++
      }
    }
    const elapsed = (performance.now() - started) / 1000
    const stats = await sandbox.stats()
    return {
      scenario: s.name,
      rowsTried: owner,
      seconds: round(elapsed),
      succeededPerSec: round(ok / elapsed),
      failedRows: failed,
      rejected503: stats.rejected503,
      peakRssMiB: memory.stop()
    }
  } finally {
    memory.stop()
    await sandbox.close()
  }
}

/** The journal at scale: a 1,000,000-row run created, 200 batches' intents flushed one by one
 * (fsync cost), then a full journal (an intent and 50 outcomes per batch) read back. */
async function journalAtScale(): Promise<Record<string, number | string>> {
  const rowsCount = 1_000_000
  const dataDir = await mkdtemp(join(tmpdir(), 'b24-bench-journal-'))
  const memory = peakMemory()
  try {
    const runs = createRunManager({ dataDir, clientFor: () => Promise.reject(new Error('no portal')) })
    const rows: PlannedRow[] = Array.from({ length: rowsCount }, (_, i) => ({ line: i + 2, ownerTypeId: DEAL, ownerId: i + 1, code: CODE, verdict: 'valid' }))
    let t0 = performance.now()
    const { id } = await runs.createRun({
      profile: { id: 'bench', name: 'Bench', portalUrl: 'https://portal.example', kind: 'oauth' },
      trigger: { kind: 'app', code: CODE },
      source: { name: 'bench.csv' },
      rows
    })
    const createSeconds = (performance.now() - t0) / 1000
    const file = join(dataDir, 'runs', id, 'journal.jsonl')
    const journal = await JournalWriter.open(file)
    t0 = performance.now()
    const flushed = 200
    for (let b = 0; b < flushed; b++) await journal.durable([{ t: 'intent', batch: b + 1, rows: Array.from({ length: 50 }, (_, k) => b * 50 + k), at: Date.now() }])
    const fsyncPerSec = flushed / ((performance.now() - t0) / 1000)
    for (let b = flushed; b < rowsCount / 50; b++) {
      const batchRows = Array.from({ length: 50 }, (_, k) => b * 50 + k)
      const at = Date.now()
      await journal.append([{ t: 'intent', batch: b + 1, rows: batchRows, at }])
      await journal.append(batchRows.map((row) => ({ t: 'outcome' as const, row, outcome: 'succeeded' as const, attempt: 1, at, time: 0.005 })))
    }
    await journal.close()
    const bytes = (await stat(file)).size
    t0 = performance.now()
    const loaded = await runs.load(id)
    const loadSeconds = (performance.now() - t0) / 1000
    return {
      scenario: 'journal, 1,000,000 rows',
      createSeconds: round(createSeconds),
      intentFsyncsPerSec: Math.round(fsyncPerSec),
      journalMiB: round(bytes / MiB, 1),
      loadSeconds: round(loadSeconds),
      uncertainAfterLoad: loaded.replay.interrupted.length,
      peakRssMiB: memory.stop()
    }
  } finally {
    memory.stop()
    await rm(dataDir, { recursive: true, force: true })
  }
}

function round(n: number, digits = 2): number {
  const f = 10 ** digits
  return Math.round(n * f) / f
}

async function main(): Promise<void> {
  const standard = { burst: 50, drainPerSec: 2 }
  const cheap: Scenario = {
    name: 'cheap (rate-bound)',
    rows: 10_000,
    rate: standard,
    operating: { limitSec: 480, windowSec: 600 },
    triggerCostMs: 5,
    timeFormat: 'fractional'
  }
  const costly: Scenario = {
    name: 'costly (operating-bound)',
    rows: 360,
    rate: standard,
    operating: { limitSec: 6, windowSec: 30 },
    triggerCostMs: 50,
    operatingMinRecordedSec: 0,
    timeFormat: 'fractional'
  }
  const cloud: Scenario = {
    name: 'cloud format (operating-bound)',
    // 400 x 50 ms = 20 s: 3.3 budgets. (360 rows would be exactly 3 budgets: the ceiling would
    // assume the last 0.5% of each window spent, which a 5% safety margin never does.)
    rows: 400,
    rate: standard,
    operating: { limitSec: 6, windowSec: 30 },
    triggerCostMs: 50,
    timeFormat: 'whole-second',
    operatingAccounting: 'nominal'
  }
  // BENCH_ONLY=cheap,costly,naive,journal runs a subset.
  const only = new Set((process.env.BENCH_ONLY ?? 'cheap,costly,cloud,naive,journal').split(','))
  const results: Result[] = []
  for (const [key, s] of [['cheap', cheap], ['costly', costly], ['cloud', cloud]] as const) {
    if (!only.has(key)) continue
    process.stderr.write(`running ${s.name}...\n`)
    results.push(await runner(s))
  }
  let naiveResult: Record<string, number | string> | undefined
  if (only.has('naive')) {
    process.stderr.write('running naive...\n')
    naiveResult = await naive({ ...cheap, name: 'naive (one execute per request)' }, 15)
  }
  let journalResult: Record<string, number | string> | undefined
  if (only.has('journal')) {
    process.stderr.write('running journal at scale...\n')
    journalResult = await journalAtScale()
  }

  if (results.length > 0) console.table(
    results.map((r) => ({
      scenario: r.scenario,
      rows: r.rows,
      's': r.seconds,
      'rows/s': r.rowsPerSec,
      'ceiling rows/s': r.ceilingRowsPerSec,
      ratio: r.ratio,
      'sustained: rate': r.requestSustainedRowsPerSec,
      'sustained: operating': r.operatingSustainedRowsPerSec,
      binding: r.binding,
      'got 503': r.rejected503,
      'got 429': r.rejected429,
      'run twice': r.runTwice,
      lost: r.lost,
      'peak MiB': r.peakRssMiB
    }))
  )
  if (naiveResult) console.table([naiveResult])
  if (journalResult) console.table([journalResult])
  console.log(JSON.stringify({ runner: results, naive: naiveResult, journal: journalResult }, null, 2))
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
