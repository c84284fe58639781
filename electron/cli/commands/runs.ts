// `b24-triggers runs list|show|export|resume|rerun`: the run history both front ends share.
import { Option, type Command } from 'commander'
import { extname, resolve } from 'node:path'
import type { Outcome } from '../../shared/domain'
import type { RerunInclude, RerunOptions, RerunPreview, RunRowView, RunSummaryView } from '../../shared/ipc'
import { action, type Ctx, type Session } from '../context'
import { usageError } from '../errors'
import { EXIT, exitCodeForRun, type ExitCode } from '../exit-codes'
import { formatCounts, formatVerification, runTrigger, table } from '../format'
import { chooseOverlap, type OverlapFlags } from '../overlap-check'
import { driveRun } from '../run-session'
import { formatVerificationCounts, verificationCounts } from '../verification-counts'

const ROW_FILTERS = ['succeeded', 'failed', 'uncertain', 'skipped', 'not-run', 'pending'] as const

export function registerRuns(program: Command, session: Session): void {
  const runs = program.command('runs').description('run history, shared with the desktop app')

  runs.command('list').description('list runs, newest first').action(action(session, list))

  runs
    .command('show <id>')
    .description("a run's summary and its rows that did not succeed")
    .addOption(new Option('--outcome <outcome>', 'list only rows with this outcome').choices([...ROW_FILTERS]))
    .option('--limit <n>', 'rows to list', '20')
    .action(action(session, show))

  runs
    .command('export <id>')
    .description('write every row with its outcome to a file')
    .addOption(new Option('--format <format>', 'file format (default: from the --out extension, else csv)').choices(['csv', 'json']))
    .requiredOption('--out <file>', 'where to write')
    .action(action(session, exportCommand))

  runs
    .command('resume <id>')
    .description('continue a paused or interrupted run: rows with an outcome are never sent again')
    .option('--skip-done', 'skip pending rows that a run started after this one already sent (succeeded or uncertain)')
    .option('--include-done', 'send such rows all the same (their triggers fire a second time)')
    .action(action(session, resumeRun))

  runs
    .command('cancel <id>')
    .description('end a paused or interrupted run: rows never sent become not-run (send them later with rerun --not-run)')
    .action(action(session, cancelRun))

  runs
    .command('rerun <id>')
    .description('start a new run with the rows that failed (and, if asked, those whose outcome is uncertain)')
    .option('--include-uncertain', 'also the uncertain rows: they may have run already, so a trigger can fire twice')
    .option('--include-moved', 'with --include-uncertain: also uncertain rows whose stage check saw the item move (their trigger ran)')
    .option('--unchanged', 'instead: the rows that succeeded but whose item did not move (a run with --verify)')
    .option('--not-run', 'instead: the rows a cancel left unsent (finishes a stopped run)')
    .action(action(session, rerun))
}

async function list(ctx: Ctx): Promise<ExitCode> {
  const core = await ctx.core()
  const runs = await core.runs.list()
  // A run folder that cannot be read is named, never silently left out.
  for (const bad of await core.runs.unreadable()) ctx.out.error(`Warning: ${bad.message}`)
  ctx.out.result({ type: 'runs', runs }, () =>
    runs.length === 0
      ? ['No runs yet.']
      : table(
          ['ID', 'CREATED', 'STATUS', 'PROFILE', 'TRIGGER', 'ROWS'],
          runs.map((r) => [r.id, r.createdAt.replace('T', ' ').slice(0, 19), r.status, r.profileName, runTrigger(r), formatCounts(r.counts)])
        )
  )
  return EXIT.ok
}

function runLines(run: RunSummaryView): string[] {
  const lines = [
    `Run ${run.id}`,
    `  status:   ${run.status}${run.pauseReason ? ` (${run.pauseReason})` : ''}`,
    `  created:  ${run.createdAt}${run.finishedAt ? `, finished ${run.finishedAt}` : ''}`,
    `  profile:  ${run.profileName} (${run.portalUrl})`,
    `  trigger:  ${runTrigger(run)}${run.ownerTypeId !== undefined ? `, CRM type ${run.ownerTypeId}` : ''}`,
    `  source:   ${run.sourceName}`,
    `  rows:     ${run.counts.total}: ${formatCounts(run.counts)}`
  ]
  if (run.parentRunId) lines.push(`  re-run of ${run.parentRunId}`)
  return lines
}

function rowLine(row: RunRowView): string[] {
  const what = row.verification ? formatVerification(row.verification) : [row.errorCode, row.errorText].filter(Boolean).join(' - ')
  // A skipped row whose ID did not parse: show the cell as it was, not 0.
  const id = row.ownerId === 0 && row.sourceValue !== undefined ? JSON.stringify(row.sourceValue) : String(row.ownerId)
  return [String(row.line), `${row.ownerTypeId}/${id}`, row.code, row.outcome, what]
}

async function show(ctx: Ctx, id: string, opts: { outcome?: Outcome | 'pending'; limit: string }): Promise<ExitCode> {
  const core = await ctx.core()
  const run = await core.runs.get(id)
  const limit = Number(opts.limit)
  if (!Number.isInteger(limit) || limit < 0) throw usageError(`--limit ${opts.limit}: give a whole number.`)
  // By default: the rows someone has to look at.
  const outcomes: (Outcome | 'pending')[] = opts.outcome ? [opts.outcome] : ['failed', 'uncertain', 'skipped']
  const rows: RunRowView[] = []
  for (const outcome of outcomes) {
    if (rows.length >= limit) break
    const page = await core.runs.rows({ runId: run.id, offset: 0, limit: limit - rows.length, outcome })
    rows.push(...page.rows)
  }
  const verification = run.verify ? await verificationCounts(core, run.id) : undefined
  ctx.out.result({ type: 'run', run, ...(verification && { verification }), rows }, () => {
    const lines = runLines(run)
    if (verification) lines.push(`  ${formatVerificationCounts(verification)}`)
    if (run.status === 'cancelled' && run.counts['not-run']) lines.push(`  send the ${run.counts['not-run']} row(s) not sent: b24-triggers runs rerun ${run.id} --not-run`)
    if (rows.length) lines.push('', ...table(['LINE', 'TYPE/ID', 'CODE', 'OUTCOME', 'DETAIL'], rows.map(rowLine)))
    return lines
  })
  return EXIT.ok
}

async function exportCommand(ctx: Ctx, id: string, opts: { format?: 'csv' | 'json'; out: string }): Promise<ExitCode> {
  const core = await ctx.core()
  const format = opts.format ?? (extname(opts.out).toLowerCase() === '.json' ? 'json' : 'csv')
  const path = resolve(opts.out)
  const report = await core.runs.export(id, format, path)
  if (report.withoutSource) ctx.out.error(`Warning: the source file's columns are left out: ${report.withoutSource}`)
  ctx.out.result({ type: 'export', runId: id, format, path, rows: report.rows, sourceColumns: report.sourceColumns }, () => [
    `Exported ${report.rows} rows of run ${id} to ${path}`
  ])
  return EXIT.ok
}

async function resumeRun(ctx: Ctx, id: string, opts: OverlapFlags = {}): Promise<ExitCode> {
  const core = await ctx.core()
  const run = await core.runs.get(id)
  if (run.status === 'finished' || run.status === 'cancelled') {
    ctx.out.record({ type: 'summary', run, exitCode: exitCodeForRun(run.status, run.counts) })
    ctx.out.line(`Run ${run.id} is ${run.status}; nothing to resume (${formatCounts(run.counts)}).`)
    if (run.counts.failed || run.counts.uncertain) ctx.out.line(`To send the failed rows again: b24-triggers runs rerun ${run.id}`)
    if (run.counts['not-run']) ctx.out.line(`To send the rows not sent: b24-triggers runs rerun ${run.id} --not-run`)
    return exitCodeForRun(run.status, run.counts)
  }
  // A run started after this one paused (the same file opened again) may have sent its pending
  // rows: resuming must not fire them a second time unasked.
  const overlap = run.status === 'running' ? undefined : await core.runs.overlap(run.id)
  let pending = run.counts.pending
  if (overlap) {
    ctx.out.record({ type: 'overlap', ...overlap })
    if ((await chooseOverlap(overlap, opts, ctx.out)) === 'skip') {
      pending = (await core.runs.skipDone(run.id)).counts.pending
      ctx.out.line(`Skipping ${overlap.rows} row(s) already sent; ${pending} to send.`)
    }
  }
  return driveRun(ctx, core, run.id, async (onProgress) => {
    // Said once the run is ours: another process may be sending it (RunLockedError, exit 2).
    const handle = await core.runs.resume(run.id, { onProgress })
    ctx.out.line(`Resuming run ${run.id}: ${pending} row(s) left.`)
    return handle
  })
}

async function cancelRun(ctx: Ctx, id: string): Promise<ExitCode> {
  const core = await ctx.core()
  const run = await core.runs.cancel(id)
  ctx.out.result({ type: 'run', run }, () => {
    const lines = [`Run ${run.id} is ${run.status}: ${formatCounts(run.counts)}.`]
    if (run.counts['not-run']) lines.push(`Send the ${run.counts['not-run']} row(s) not sent with: b24-triggers runs rerun ${run.id} --not-run`)
    return lines
  })
  return EXIT.ok
}

interface RerunFlags {
  includeUncertain?: boolean
  includeMoved?: boolean
  unchanged?: boolean
  notRun?: boolean
}

function rerunChoice(opts: RerunFlags): { include: RerunInclude; options: RerunOptions } {
  const picked = [opts.includeUncertain && '--include-uncertain', opts.unchanged && '--unchanged', opts.notRun && '--not-run'].filter(Boolean)
  if (picked.length > 1) throw usageError(`Choose one set of rows: ${picked.join(' or ')}.`)
  if (opts.includeMoved && !opts.includeUncertain) throw usageError('--include-moved goes with --include-uncertain.')
  const include: RerunInclude = opts.includeUncertain ? 'failed+uncertain' : opts.unchanged ? 'unchanged' : opts.notRun ? 'not-run' : 'failed'
  return { include, options: opts.includeMoved ? { includeMoved: true } : {} }
}

/** What the re-run takes, said before anything is sent (the CLI's confirmation). */
function previewLine(id: string, p: RerunPreview): string[] {
  const what = [
    p.failed ? `${p.failed} failed` : '',
    p.uncertain ? `${p.uncertain} uncertain` : '',
    p.unchanged ? `${p.unchanged} succeeded without moving` : '',
    p.notRun ? `${p.notRun} not sent` : ''
  ].filter(Boolean)
  const lines = [`Re-running ${p.rows} row(s) of run ${id}: ${what.join(', ')}.`]
  if (p.movedIncluded) lines.push(`${p.movedIncluded} of them were seen to move: their trigger ran, and fires again.`)
  if (p.movedLeftOut) lines.push(`Left out: ${p.movedLeftOut} uncertain row(s) seen to move (their trigger ran). Add --include-moved to send them too.`)
  return lines
}

async function rerun(ctx: Ctx, id: string, opts: RerunFlags): Promise<ExitCode> {
  const core = await ctx.core()
  const { include, options } = rerunChoice(opts)
  const preview = await core.runs.rerunPreview(id, include, options)
  const created = await core.runs.rerun(id, include, options)
  ctx.out.record({ type: 'run', run: created, preview })
  for (const line of previewLine(id, preview)) ctx.out.line(line)
  ctx.out.line(`Run ${created.id} re-runs ${created.counts.total} row(s) of run ${id}. Ctrl-C pauses it.`)
  return driveRun(ctx, core, created.id, (onProgress) => core.runs.start(created.id, { onProgress }))
}
