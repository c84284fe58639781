// The progress bar's one line, fitted to the terminal: what matters most stays on screen at 80
// columns (rows done, speed, ETA, and what limits the run), and the per-outcome counts and the
// bar itself take what room is left, shrinking or giving way first. A line wider than the
// terminal would be cut at its end, where the ETA and the limit are.
import type { RunCounts } from '../shared/ipc'

export interface LineParts {
  done: number
  total: number
  counts: RunCounts
  /** "12.5" */
  rate: string
  /** "3:25" or "--:--" */
  eta: string
  /** The limit or the pause, full and short forms; empty when none. */
  limit: { full: string; short: string }
}

const BAR_MAX = 24
const BAR_MIN = 8

/** "412 ok, 3 failed, 2 uncertain, 5 skipped": the counts that are not zero, succeeded first. */
function countsText(c: RunCounts, short: boolean): string {
  const parts: string[] = []
  if (!short || c.succeeded) parts.push(`${c.succeeded} ok`)
  if (c.failed) parts.push(`${c.failed} failed`)
  if (c.uncertain) parts.push(short ? `${c.uncertain} unc.` : `${c.uncertain} uncertain`)
  if (c.skipped && !short) parts.push(`${c.skipped} skipped`)
  if (c['not-run']) parts.push(`${c['not-run']} not run`)
  return parts.join(', ')
}

function bar(progress: number, size: number): string {
  const full = Math.max(0, Math.min(size, Math.round(progress * size)))
  return '\u2588'.repeat(full) + '\u2591'.repeat(size - full)
}

/** The line for `width` columns (one column is kept free: a full line makes some terminals wrap). */
export function fitProgressLine(p: LineParts, width: number): string {
  const room = Math.max(20, width - 1)
  const pct = p.total > 0 ? Math.floor((p.done / p.total) * 100) : 0
  const head = `${p.done}/${p.total} ${pct}%`
  const speed = `${p.rate} rows/s`
  const eta = `ETA ${p.eta}`
  const join = (parts: string[]): string => parts.filter(Boolean).join(' | ')
  // Most important first; each candidate is tried from the richest to the leanest.
  const candidates = [
    [head, countsText(p.counts, false), speed, eta, p.limit.full],
    [head, countsText(p.counts, true), speed, eta, p.limit.full],
    [head, speed, eta, p.limit.full],
    [head, countsText(p.counts, true), speed, eta, p.limit.short],
    [head, speed, eta, p.limit.short],
    [head, `${p.rate}/s`, eta, p.limit.short]
  ].map(join)
  let text = candidates.find((c) => c.length + 1 + BAR_MIN <= room) ?? candidates.find((c) => c.length <= room) ?? (candidates.at(-1) as string)
  const barRoom = room - text.length - 1
  if (barRoom >= BAR_MIN) text = `${bar(p.total > 0 ? p.done / p.total : 0, Math.min(BAR_MAX, barRoom))} ${text}`
  return text.length > room ? text.slice(0, room) : text
}
