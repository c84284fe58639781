// Shows a run's progress three ways: a live bar on a terminal, a plain line every few seconds
// when stdout is a file or a pipe (CI logs stay readable), or newline-delimited JSON events for
// machines (--json). The run manager's progress events are the only input.
import { SingleBar } from 'cli-progress'
import { redact } from '../core/bitrix/redact'
import type { RunProgressEvent } from '../shared/ipc'
import { done, formatBinding, formatClock, formatCounts, formatRate } from './format'
import { fitProgressLine, type LineParts } from './progress-line'
import type { Output } from './output'

export type ProgressMode = 'bar' | 'lines' | 'json'

export interface ProgressRenderer {
  update(event: RunProgressEvent): void
  /** A message for people that must not tear the bar (printed above it). */
  note(text: string): void
  stop(): void
}

export interface ProgressOptions {
  mode: ProgressMode
  output: Output
  now?: () => number
  /** Minimum gap between two plain lines, ms. */
  lineIntervalMs?: number
  /** Minimum gap between two JSON progress events with the same status, ms. */
  jsonIntervalMs?: number
}

export function progressModeFor(output: Output): ProgressMode {
  if (output.json) return 'json'
  return (output.stdout as NodeJS.WriteStream).isTTY ? 'bar' : 'lines'
}

export function createProgressRenderer(options: ProgressOptions): ProgressRenderer {
  const now = options.now ?? Date.now
  switch (options.mode) {
    case 'bar':
      return barRenderer(options.output, now)
    case 'lines':
      return throttledRenderer(now, options.lineIntervalMs ?? 5000, (e) => options.output.line(describe(e, now())), options.output)
    case 'json':
      return throttledRenderer(now, options.jsonIntervalMs ?? 1000, (e) => options.output.record({ type: 'progress', ...e }), options.output)
  }
}

/** The wait for an operating-budget reset, or the binding constraint: what holds the run back. */
function limiter(event: RunProgressEvent, nowMs: number): string {
  if (event.waitingUntil && event.waitingUntil > nowMs) {
    return `waiting ${formatClock((event.waitingUntil - nowMs) / 1000)} for the operating budget to reset`
  }
  return event.binding === 'none' ? '' : `limited by ${formatBinding(event.binding)}`
}

/** The same, long and short, for the bar's line (progress-line.ts picks what fits). */
function limiterParts(event: RunProgressEvent, nowMs: number): LineParts['limit'] {
  if (event.pauseReason) return { full: `paused: ${event.pauseReason}`, short: 'paused' }
  if (event.waitingUntil && event.waitingUntil > nowMs) {
    const left = formatClock((event.waitingUntil - nowMs) / 1000)
    return { full: `waiting ${left} for the operating budget to reset`, short: `budget reset in ${left}` }
  }
  if (event.binding === 'none') return { full: '', short: '' }
  return { full: `limited by ${formatBinding(event.binding)}`, short: `by ${event.binding === 'operating' ? 'budget' : formatBinding(event.binding)}` }
}

function eta(event: RunProgressEvent): string {
  return event.etaSeconds === undefined ? '--:--' : formatClock(event.etaSeconds)
}

function describe(event: RunProgressEvent, nowMs: number): string {
  const { counts } = event
  const parts = [`${done(counts)}/${counts.total} rows (${formatCounts(counts)})`]
  // A run over in a blink has no measured speed: "0.0 rows/s" beside "finished" reads as stuck.
  if (event.status === 'running' || event.rowsPerSecond > 0) parts.push(`${formatRate(event.rowsPerSecond)} rows/s`)
  // A run that has ended has nothing left to estimate.
  if (event.status !== 'finished' && event.status !== 'cancelled') parts.push(`ETA ${eta(event)}`)
  const limit = limiter(event, nowMs)
  if (limit) parts.push(limit)
  if (event.status !== 'running') parts.push(event.status)
  return parts.join(' | ')
}

function throttledRenderer(
  now: () => number,
  intervalMs: number,
  emit: (event: RunProgressEvent) => void,
  output: Output
): ProgressRenderer {
  let last: RunProgressEvent | undefined
  let lastAt = -Infinity
  let pending: RunProgressEvent | undefined
  return {
    update(event) {
      // Status changes and the start of a wait are news: print them at once.
      const news =
        !last || last.status !== event.status || (event.waitingUntil !== undefined && event.waitingUntil !== last.waitingUntil)
      if (news || now() - lastAt >= intervalMs) {
        emit(event)
        last = event
        lastAt = now()
        pending = undefined
      } else {
        pending = event
      }
    },
    note(text) {
      output.line(text)
    },
    stop() {
      // The final state is always shown, however soon after the previous line it came.
      if (pending) emit(pending)
      pending = undefined
    }
  }
}

function barRenderer(output: Output, now: () => number): ProgressRenderer {
  const bar = new SingleBar({
    stream: output.stdout,
    // One line fitted to the terminal's width: speed, ETA and the limit stay visible at 80 columns.
    format: (_options, params, payload: { parts?: LineParts }) =>
      payload.parts ? redact(fitProgressLine(payload.parts, params.maxWidth ?? 80)) : '',
    // A hidden cursor would stay hidden if a second Ctrl-C ends the process mid-bar.
    hideCursor: false,
    gracefulExit: false,
    linewrap: false,
    // note() wipes the line under the bar; a forced redraw puts it back even when nothing changed.
    forceRedraw: true,
    fps: 5
  })
  let started = false
  let last: RunProgressEvent | undefined
  const payload = (e: RunProgressEvent): { parts: LineParts } => ({
    parts: { done: done(e.counts), total: e.counts.total, counts: e.counts, rate: formatRate(e.rowsPerSecond), eta: eta(e), limit: limiterParts(e, now()) }
  })
  // The countdown must tick between events, which may be minutes apart during a wait.
  const ticker = setInterval(() => {
    if (started && last?.waitingUntil) bar.update(payload(last))
  }, 1000)
  ticker.unref()
  return {
    update(event) {
      last = event
      if (!started) {
        bar.start(event.counts.total, done(event.counts), payload(event))
        started = true
      } else {
        bar.setTotal(event.counts.total)
        bar.update(done(event.counts), payload(event))
      }
    },
    note(text) {
      if (!started) return output.line(text)
      // Clear the bar's line, print, and let the next render draw the bar again below. The bar
      // saved the cursor where it started (ESC 7) and goes back there when it stops; after a
      // note (and the scroll it may cause) that row holds the note, so save the new one, or the
      // "Paused run ..." line after Ctrl-C lands on the old row, over the bar's remains.
      output.write('stdout', '\r\x1b[2K' + text + '\n\x1b7')
      bar.render()
    },
    stop() {
      clearInterval(ticker)
      if (started) bar.stop()
      started = false
    }
  }
}
