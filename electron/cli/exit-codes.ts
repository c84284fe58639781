// Exit codes are part of the CLI's contract with scripts (docs/cli.md): keep them stable.
import type { ErrorInfo, Outcome } from '../shared/domain'
import type { RunCounts, RunStatus } from '../shared/ipc'

export const EXIT = {
  /** Every row that was sent succeeded. */
  ok: 0,
  /** Some rows failed or their outcome is uncertain. */
  rowsFailed: 1,
  /** Bad arguments, an unreadable or unusable file, an unknown profile or run. */
  usage: 2,
  /** The run paused on an error that would fail every row (auth, access, trigger not registered...). */
  runFatal: 3,
  /** Interrupted with Ctrl-C: the run is paused and can be resumed. */
  interrupted: 130
} as const

export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** The exit code of a run that stopped on its own (finished, paused by the core, or cancelled). */
export function exitCodeForRun(status: RunStatus, counts: RunCounts, pauseReason?: string): ExitCode {
  if (status === 'paused' && pauseReason) return EXIT.runFatal
  if (counts.failed > 0 || counts.uncertain > 0) return EXIT.rowsFailed
  // Rows left pending or not run (cancelled, paused) did not succeed either.
  if (counts.pending > 0 || counts['not-run'] > 0) return EXIT.rowsFailed
  return EXIT.ok
}

/** The exit code of one trigger fired by hand (`run --id`). */
export function exitCodeForOneItem(outcome: Outcome, error?: ErrorInfo): ExitCode {
  if (outcome === 'succeeded') return EXIT.ok
  // Refused before sending: the input is wrong, like a bad argument.
  if (outcome === 'skipped') return EXIT.usage
  return error?.kind === 'run-fatal' ? EXIT.runFatal : EXIT.rowsFailed
}
