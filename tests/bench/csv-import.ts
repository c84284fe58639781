// CSV import and export at scale: 1,000,000 rows and a 200 MB single-line file. Prints JSON
// (rows/s, peak RSS and heap); asserts nothing about speed. Run: npx tsx tests/bench/csv-import.ts
import { execFile } from 'node:child_process'
import { mkdtemp, open, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { importCsv } from '../../electron/core/runs/csv-import'
import { inspectCsv } from '../../electron/core/runs/csv-inspect'
import { exportResults, type ExportRow } from '../../electron/core/runs/export'

const ROWS = 1_000_000
const LONG_LINE_BYTES = 200 * 1024 * 1024
const MiB = 1024 * 1024

const resolveOwnerType = (raw: string): number | undefined =>
  /^\d+$/.test(raw) ? Number(raw) : ({ DEAL: 2, LEAD: 1, T80: 128 } as Record<string, number>)[raw.toUpperCase()]

/** Peak RSS and heap over a task, sampled between the event-loop turns the task yields. */
async function measure<T>(task: () => Promise<T>): Promise<{ result: T; seconds: number; peakRssMiB: number; peakHeapMiB: number }> {
  global.gc?.()
  let peakRss = 0
  let peakHeap = 0
  const sample = (): void => {
    const m = process.memoryUsage()
    peakRss = Math.max(peakRss, m.rss)
    peakHeap = Math.max(peakHeap, m.heapUsed)
  }
  const timer = setInterval(sample, 20)
  const start = process.hrtime.bigint()
  try {
    const result = await task()
    sample()
    const seconds = Number(process.hrtime.bigint() - start) / 1e9
    return { result, seconds, peakRssMiB: Math.round(peakRss / MiB), peakHeapMiB: Math.round(peakHeap / MiB) }
  } finally {
    clearInterval(timer)
  }
}

async function writeFile(path: string, pieces: () => Generator<string>): Promise<number> {
  const file = await open(path, 'w')
  try {
    for (const piece of pieces()) await file.write(piece)
  } finally {
    await file.close()
  }
  return (await stat(path)).size
}

function* millionRows(): Generator<string> {
  yield 'OWNER_ID;OWNER_TYPE;CODE;Комментарий\r\n'
  let batch = ''
  for (let i = 1; i <= ROWS; i++) {
    // Every 1000th row repeats an earlier ID, so the duplicate check has work to do.
    const id = i % 1000 === 0 ? i - 1 : i
    batch += `${id};${i % 3 === 0 ? 'DEAL' : '2'};call_done;строка ${i}\r\n`
    if (batch.length > MiB) {
      yield batch
      batch = ''
    }
  }
  yield batch
}

function* longLineFile(): Generator<string> {
  yield 'ID\n1\n'
  const block = 'x'.repeat(MiB)
  for (let i = 0; i < LONG_LINE_BYTES / MiB; i++) yield block
  yield '\n2\n3\n'
}

const discard = (): Writable => new Writable({ write: (_chunk, _enc, done) => done() })

type Scenario = 'million' | 'long-line'

async function million(dir: string): Promise<unknown> {
  const path = join(dir, 'million.csv')
  const bytes = await writeFile(path, millionRows)
  const inspect = await measure(() => inspectCsv(path))
  const mapping = { idColumn: 0, ownerTypeColumn: 1, codeColumn: 2, hasHeader: true }
  const imported = await measure(() => importCsv(path, mapping, {}, { resolveOwnerType }))
  const { rows, summary } = imported.result
  // The runner hands the export a stream of rows mapped from its journal, not a second array.
  function* results(): Generator<ExportRow> {
    for (const r of rows) {
      yield { line: r.line, ownerTypeId: r.ownerTypeId, ownerId: r.ownerId, code: r.code, outcome: r.verdict === 'valid' ? 'succeeded' : 'skipped', attempts: 1 }
    }
  }
  const exported = await measure(() => exportResults(results(), 'csv', discard(), { source: { input: path, layout: summary.source! } }))
  return {
    fileMiB: Math.round(bytes / MiB),
    inspect: { seconds: inspect.seconds, peakRssMiB: inspect.peakRssMiB, peakHeapMiB: inspect.peakHeapMiB },
    import: {
      rows: summary.total,
      valid: summary.valid,
      duplicates: summary.byReason.duplicate,
      seconds: imported.seconds,
      rowsPerSec: Math.round(summary.total / imported.seconds),
      peakRssMiB: imported.peakRssMiB,
      peakHeapMiB: imported.peakHeapMiB
    },
    exportCsvWithSourceColumns: {
      rows: exported.result.rows,
      seconds: exported.seconds,
      rowsPerSec: Math.round(exported.result.rows / exported.seconds),
      peakRssMiB: exported.peakRssMiB,
      peakHeapMiB: exported.peakHeapMiB
    }
  }
}

async function longLine(dir: string): Promise<unknown> {
  const path = join(dir, 'long-line.csv')
  const bytes = await writeFile(path, longLineFile)
  const inspect = await measure(() => inspectCsv(path))
  const imported = await measure(() => importCsv(path, { idColumn: 0, hasHeader: true }, { ownerTypeId: 2, code: 'a' }, { resolveOwnerType }))
  return {
    fileMiB: Math.round(bytes / MiB),
    inspect: { seconds: inspect.seconds, peakRssMiB: inspect.peakRssMiB, peakHeapMiB: inspect.peakHeapMiB },
    import: {
      seconds: imported.seconds,
      peakRssMiB: imported.peakRssMiB,
      peakHeapMiB: imported.peakHeapMiB,
      verdicts: imported.result.rows.map((r) => `line ${r.line}: ${r.verdict}`)
    }
  }
}

async function runScenario(scenario: Scenario): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'csv-bench-'))
  try {
    const result = scenario === 'million' ? await million(dir) : await longLine(dir)
    process.stdout.write(JSON.stringify(result))
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Each scenario runs in a fresh process, so one's leftovers do not inflate the other's peaks. */
function child(scenario: Scenario): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [...process.execArgv, __filename, scenario], { maxBuffer: 16 * MiB }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${scenario} failed: ${stderr || err.message}`))
      else resolve(JSON.parse(stdout))
    })
  })
}

async function main(): Promise<void> {
  const scenario = process.argv[2] as Scenario | undefined
  if (scenario) return runScenario(scenario)
  const report = { node: process.version, million: await child('million'), longLine: await child('long-line') }
  console.log(JSON.stringify(report, null, 2))
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
