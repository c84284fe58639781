// Excel workbook import at scale: a 200,000-row sheet (written by exceljs's streaming writer, as
// a spreadsheet program would), then the preview (inspect) and the import that judges every row.
// Prints JSON: seconds, rows/s, peak RSS and heap, and the longest the event loop was blocked
// (what the Electron main process would feel while it imports). Asserts nothing about speed.
// Run: npm run bench:xlsx   (XLSX_ROWS=... to change the size)
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import ExcelJS from 'exceljs'
import { importSpreadsheet, inspectSpreadsheet } from '../../electron/core/runs/spreadsheet'

const ROWS = Number(process.env.XLSX_ROWS ?? 200_000)
const MiB = 1024 * 1024

const resolveOwnerType = (raw: string): number | undefined =>
  /^\d+$/.test(raw) ? Number(raw) : ({ DEAL: 2, LEAD: 1, T80: 128 } as Record<string, number>)[raw.toUpperCase()]

async function measure<T>(task: () => Promise<T>): Promise<{ result: T; seconds: number; peakRssMiB: number; peakHeapMiB: number; maxLoopBlockMs: number; p99LoopBlockMs: number }> {
  global.gc?.()
  let peakRss = 0
  let peakHeap = 0
  const sample = (): void => {
    const m = process.memoryUsage()
    peakRss = Math.max(peakRss, m.rss)
    peakHeap = Math.max(peakHeap, m.heapUsed)
  }
  const timer = setInterval(sample, 20)
  const loop = monitorEventLoopDelay({ resolution: 5 })
  loop.enable()
  const start = process.hrtime.bigint()
  try {
    const result = await task()
    sample()
    const seconds = Number(process.hrtime.bigint() - start) / 1e9
    loop.disable()
    return {
      result,
      seconds,
      peakRssMiB: Math.round(peakRss / MiB),
      peakHeapMiB: Math.round(peakHeap / MiB),
      maxLoopBlockMs: Math.round(loop.max / 1e6),
      p99LoopBlockMs: Math.round(loop.percentile(99) / 1e6)
    }
  } finally {
    clearInterval(timer)
  }
}

async function writeWorkbook(path: string): Promise<void> {
  const writer = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: true, useStyles: true })
  const notes = writer.addWorksheet('Notes')
  notes.addRow(['Deals exported for the trigger run']).commit()
  notes.commit()
  const sheet = writer.addWorksheet('Deals')
  sheet.addRow(['ID', 'Type', 'Code', 'Title', 'Created']).commit()
  const created = new Date(Date.UTC(2026, 2, 1))
  for (let i = 1; i <= ROWS; i++) {
    // Every 1000th row repeats an earlier ID, so the duplicate check has work to do.
    sheet.addRow([i % 1000 === 0 ? i - 1 : i, i % 3 === 0 ? 'DEAL' : 2, 'call_done', `Deal ${i}`, created]).commit()
  }
  sheet.commit()
  await writer.commit()
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'xlsx-bench-'))
  try {
    const path = join(dir, 'deals.xlsx')
    await writeWorkbook(path)
    const bytes = (await stat(path)).size
    const inspect = await measure(() => inspectSpreadsheet(path, { resolveOwnerType }))
    const mapping = { idColumn: 0, ownerTypeColumn: 1, codeColumn: 2, hasHeader: true, sheet: inspect.result.sheet!, headerRow: inspect.result.headerRow! }
    const imported = await measure(() => importSpreadsheet(path, mapping, {}, { resolveOwnerType }))
    const { summary } = imported.result
    const report = {
      node: process.version,
      sheetRows: ROWS,
      fileMiB: +(bytes / MiB).toFixed(1),
      inspect: { sheet: inspect.result.sheet, headerRow: inspect.result.headerRow, seconds: +inspect.seconds.toFixed(2), peakRssMiB: inspect.peakRssMiB, maxLoopBlockMs: inspect.maxLoopBlockMs },
      import: {
        rows: summary.total,
        valid: summary.valid,
        duplicates: summary.byReason.duplicate,
        seconds: +imported.seconds.toFixed(2),
        rowsPerSec: Math.round(summary.total / imported.seconds),
        peakRssMiB: imported.peakRssMiB,
        peakHeapMiB: imported.peakHeapMiB,
        maxLoopBlockMs: imported.maxLoopBlockMs,
        p99LoopBlockMs: imported.p99LoopBlockMs
      }
    }
    console.log(JSON.stringify(report, null, 2))
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
