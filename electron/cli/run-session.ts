// Drives one run from the terminal until it stops sending: shows progress, turns the first
// Ctrl-C into a clean pause (no new sends, batches in flight finish, journal flushed), and
// maps how the run ended to the exit code.
import type { RunHandle } from '../core/runs'
import type { RunProgressEvent, RunSummaryView } from '../shared/ipc'
import type { Ctx } from './context'
import type { Core } from './core'
import { EXIT, exitCodeForRun, type ExitCode } from './exit-codes'
import { formatCounts } from './format'
import { whileRunning } from './interrupt'
import { createProgressRenderer, progressModeFor } from './progress'
import { formatVerificationCounts, verificationCounts } from './verification-counts'

/** `begin` starts or resumes the run with the given progress listener. */
export async function driveRun(
  ctx: Ctx,
  core: Core,
  runId: string,
  begin: (onProgress: (event: RunProgressEvent) => void) => Promise<RunHandle>
): Promise<ExitCode> {
  const renderer = createProgressRenderer({ mode: progressModeFor(ctx.out), output: ctx.out })
  let pausedByUser = false
  let started = false
  const pause = (): void => {
    core.runs.pause(runId).catch((err: unknown) => renderer.note(`Could not pause: ${err instanceof Error ? err.message : String(err)}`))
  }
  const release = whileRunning(() => {
    pausedByUser = true
    // Fits 80 columns: a wrapped note would leave half of it under the redrawn bar.
    renderer.note('Pausing: nothing new is sent; waiting for requests in flight (Ctrl-C: quit).')
    if (started) pause()
  }, () => {
    process.stderr.write(`\nQuit: rows sent without an answer become uncertain and are not sent again.\nResume with: b24-triggers runs resume ${runId}\n`)
  })
  let final: RunSummaryView
  try {
    const handle = await begin((event) => renderer.update(event))
    started = true
    // Ctrl-C pressed while the run was being opened: it must not run on regardless.
    if (pausedByUser) pause()
    final = await handle.done
  } finally {
    release()
    renderer.stop()
  }
  const exitCode =
    pausedByUser && final.status === 'paused' && !final.pauseReason ? EXIT.interrupted : exitCodeForRun(final.status, final.counts, final.pauseReason)
  const verification = final.verify ? await verificationCounts(core, runId) : undefined
  ctx.out.record({ type: 'summary', run: final, ...(verification && { verification }), exitCode })
  for (const line of summaryLines(final, exitCode)) ctx.out.line(line)
  if (verification) ctx.out.line(formatVerificationCounts(verification))
  return exitCode
}

/** Pauses that a new sign-in on the same profile fixes. */
const SIGN_IN_CODES = new Set(['invalid_grant', 'invalid_token', 'expired_token', 'credentials_not_saved'])

function summaryLines(run: RunSummaryView, exitCode: ExitCode): string[] {
  const id = run.id
  const lines: string[] = []
  if (exitCode === EXIT.interrupted) {
    lines.push(`Paused run ${id}: ${formatCounts(run.counts)}.`)
    lines.push(`Resume with: b24-triggers runs resume ${id}`)
    return lines
  }
  if (run.status === 'paused') {
    lines.push(`Run ${id} paused: ${run.pauseReason ?? 'paused'}`)
    lines.push(`So far: ${formatCounts(run.counts)}.`)
    if (SIGN_IN_CODES.has(run.pauseError?.code.toLowerCase() ?? '')) {
      // Re-adding the profile would give it a new id, and the run could not find it.
      lines.push(`Sign in again, keeping the profile: b24-triggers profiles signin "${run.profileName}"`)
    }
    lines.push(`When fixed, resume with: b24-triggers runs resume ${id}`)
    return lines
  }
  lines.push(`Run ${id} ${run.status}: ${formatCounts(run.counts)} (${run.counts.total} rows).`)
  if (run.counts.failed || run.counts.uncertain) {
    lines.push(`Details: b24-triggers runs show ${id}`)
    lines.push(`Re-run the failed rows: b24-triggers runs rerun ${id}${run.counts.uncertain ? ' [--include-uncertain]' : ''}`)
  }
  if (run.counts['not-run']) lines.push(`Send the ${run.counts['not-run']} row(s) not sent: b24-triggers runs rerun ${id} --not-run`)
  return lines
}
