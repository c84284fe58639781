// Small text formatters shared by the progress renderer and the listing commands.
import type { RunCounts, RunSummaryView } from '../shared/ipc'
import type { BindingConstraint, Verification } from '../shared/domain'

/** 75 -> "1:15", 3725 -> "1:02:05". */
export function formatClock(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const sec = String(s % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`
}

/** Rows that went through (sent, or skipped by the check): a cancel's not-run rows are not done,
 * so a run stopped at 47% ends its bar at 47%, not 100%. */
export function done(counts: RunCounts): number {
  return counts.total - counts.pending - counts['not-run']
}

/** "12 succeeded, 1 failed, 2 skipped": zero counts left out, except succeeded. */
export function formatCounts(counts: RunCounts): string {
  const parts = [`${counts.succeeded} succeeded`]
  if (counts.failed) parts.push(`${counts.failed} failed`)
  if (counts.uncertain) parts.push(`${counts.uncertain} uncertain`)
  if (counts.skipped) parts.push(`${counts.skipped} skipped`)
  if (counts['not-run']) parts.push(`${counts['not-run']} not run`)
  if (counts.pending) parts.push(`${counts.pending} pending`)
  return parts.join(', ')
}

const BINDING_TEXT: Record<BindingConstraint, string> = {
  rate: 'request rate',
  operating: 'operating budget',
  latency: 'portal response time',
  none: 'nothing'
}

export function formatBinding(binding: BindingConstraint): string {
  return BINDING_TEXT[binding]
}

export function formatRate(rowsPerSecond: number): string {
  return rowsPerSecond >= 10 ? rowsPerSecond.toFixed(0) : rowsPerSecond.toFixed(1)
}

export function formatVerification(v: Verification): string {
  switch (v.state) {
    case 'moved':
      return `moved ${v.from} -> ${v.to}`
    case 'unchanged':
      return `unchanged (stage ${v.stage})`
    case 'not-found':
      return 'not found or not visible to this user'
  }
}

/** Left-aligned columns; the last column is not padded. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const render = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  return [render(header), ...rows.map(render)]
}

export function runTrigger(run: Pick<RunSummaryView, 'kind' | 'code'>): string {
  const code = run.code ?? '(per row)'
  return run.kind === 'webhook' ? `webhook trigger ${code}` : code
}
