// `b24-triggers run`: fire a trigger on one item, or on every row of a CSV file as a journaled
// run that the desktop app lists too and either front end can resume.
import { InvalidArgumentError, Option, type Command } from 'commander'
import type { PlanPreset, Profile, TriggerKind } from '../../shared/domain'
import { action, type Ctx, type Session } from '../context'
import type { ColumnOptions } from '../csv-columns'
import { portalSaid, usageError } from '../errors'
import { runOneTrigger, type RunOneOutcome } from '../../core/triggers/run-one'
import { EXIT, exitCodeForOneItem, type ExitCode } from '../exit-codes'
import { formatVerification } from '../format'
import { prepareFileRun, validationLines } from '../file-run'
import { findOwnerTypeId, findProfile } from '../lookup'
import { driveRun } from '../run-session'
import { CRM_ONLY, runFromCrm, type CrmFilterFlags, type CrmRunOptions } from '../crm-run'
import { printPreview } from '../preview'
import { pacingFor, pacingOptions, type PacingFlags } from '../pacing-options'
import { chooseOverlap, overlapLines } from '../overlap-check'
import { ownerIdProblemText, parseOwnerId } from '../../shared/owner-id'

interface RunOptions extends ColumnOptions, PacingFlags, CrmFilterFlags {
  profile?: string
  code?: string
  ownerType?: string
  id?: string
  csv?: string
  file?: string
  webhookTrigger?: boolean
  verify?: boolean
  plan?: PlanPreset
  dryRun?: boolean
  skipDone?: boolean
  includeDone?: boolean
  fromCrm?: boolean
  preview?: boolean
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value]

const CSV_ONLY: (keyof RunOptions)[] = [
  'idColumn',
  'ownerTypeColumn',
  'codeColumn',
  'header',
  'delimiter',
  'dryRun',
  'plan',
  'skipDone',
  'includeDone',
  'operatingBudget',
  'operatingWindow',
  'burst',
  'drain',
  'sheet',
  'headerRow'
]

export function registerRun(program: Command, session: Session): void {
  const command = program
    .command('run')
    .description('fire a trigger on one item (--id), on every row of a CSV or Excel file (--csv/--file), or on the CRM items that match filters (--from-crm)')
    .option('--profile <profile>', 'profile name or id (may be left out when there is only one)')
    .option('--code <code>', 'trigger code (for a file: the default when there is no code column)')
    .option('--owner-type <type>', 'CRM type: deal, lead, quote, invoice, a number (2) or a smart-process id (for a file: the default)')
    .option('--id <id>', 'one item: its ID')
    .option('--csv <file>', 'a file of item IDs, one row per item ("-": standard input; pipes are read once); CSV/text or an Excel workbook (.xlsx)')
    .option('--file <file>', 'the same as --csv')
    .option('--sheet <name>', 'workbook: the sheet to read (default: the first that holds a list of IDs)')
    .option('--header-row <n>', 'workbook: the row number of the header, as the spreadsheet shows it (default: detected)', parseRowNumber)
    .option('--id-column <column>', 'file: the column of item IDs (number counted from 1, or header name)')
    .option('--owner-type-column <column>', 'file: a column with the CRM type of each row')
    .option('--code-column <column>', 'file: a column with the trigger code of each row')
    .option('--header', 'file: the first row is a header (default: detected)')
    .option('--no-header', 'file: the first row is data')
    .option('--delimiter <char>', 'file: the column separator (default: detected)')
    .option('--webhook-trigger', 'fire an incoming-webhook trigger (crm.automation.trigger) instead of an app trigger')
    .option('--verify', "read each item's stage before and after, and report moved / unchanged / not found")
    .addOption(new Option('--plan <plan>', "file: the portal's plan, for pacing (default: the profile's)").choices(['standard', 'enterprise']))
    .option('--dry-run', 'file: check the rows, print the summary, send nothing; CRM: print the count and a sample')
    .option('--skip-done', 'file: skip rows a recent run of this trigger on this portal already sent (succeeded or uncertain)')
    .option('--include-done', 'file: send such rows again all the same (their triggers fire a second time)')
    .option('--preview', "with --dry-run: read every item's current stage and show them by pipeline and stage, the items not found, and the estimated duration")
    .option('--from-crm', 'run on the items of --owner-type in the CRM that match the filters below')
    .option('--category <pipeline>', 'CRM: the pipeline, by id or name')
    .option('--stage <stage>', 'CRM: a stage by code (NEW), id (C3:NEW) or name; repeat for several', collect)
    .option('--created-from <date>', 'CRM: created on or after this day (YYYY-MM-DD)')
    .option('--created-to <date>', 'CRM: created on or before this day')
    .option('--modified-from <date>', 'CRM: modified on or after this day')
    .option('--modified-to <date>', 'CRM: modified on or before this day')
    .option('--responsible <userId>', 'CRM: responsible user id; repeat for several', collect)
    .option('--filter <json>', 'CRM: extra crm.item.list filter for experts, e.g. \'{">=opportunity": 1000}\'')
  for (const option of pacingOptions()) command.addOption(option)
  command
    .addHelpText(
      'after',
      `
Examples:
  b24-triggers run --profile shop --code call_done --owner-type deal --id 6 --verify
  b24-triggers run --profile shop --csv deals.csv --id-column ID --code call_done --owner-type deal
  b24-triggers run --profile shop --csv deals.csv --code call_done --owner-type deal --dry-run
  b24-triggers run --profile shop --csv deals.csv --code call_done --owner-type deal --operating-budget 240
  b24-triggers run --profile shop --file deals.xlsx --sheet Deals --header-row 3 --code call_done --owner-type deal
  b24-triggers run --profile shop --from-crm --owner-type deal --category 3 --stage NEW --stage PREPARATION --created-from 2026-03-01 --code call_done --dry-run`
    )
    .action(action(session, run))
}

function kindFor(profile: Profile, opts: RunOptions): TriggerKind {
  // A webhook profile can only fire webhook triggers: picking that for it saves a run of ACCESS_DENIED.
  return opts.webhookTrigger || profile.kind === 'webhook' ? 'webhook' : 'app'
}

function parseRowNumber(raw: string): number {
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1) throw new InvalidArgumentError('a row number counted from 1.')
  return Number(raw)
}

async function run(ctx: Ctx, opts: RunOptions): Promise<ExitCode> {
  const crmFlags = CRM_ONLY.filter((k) => opts[k] !== undefined)
  if (opts.fromCrm) {
    if (opts.csv !== undefined || opts.file !== undefined || opts.id !== undefined) throw usageError('Give one source: --from-crm, --csv/--file or --id.')
    const core = await ctx.core()
    const profile = await findProfile(core, opts.profile)
    return runFromCrm(ctx, core, profile, {
      ...opts,
      kind: kindFor(profile, opts),
      verify: Boolean(opts.verify),
      plan: opts.plan ?? profile.plan,
      ...(opts.dryRun !== undefined && { dryRun: opts.dryRun })
    } as CrmRunOptions)
  }
  if (crmFlags.length) throw usageError(`Options only for --from-crm: ${crmFlags.map(flagName).join(', ')}.`)
  if (opts.file !== undefined) {
    if (opts.csv !== undefined && opts.csv !== opts.file) throw usageError('Give the file once: --csv or --file.')
    opts.csv = opts.file
  }
  if (opts.csv !== undefined && opts.id !== undefined) throw usageError('Give either --id (one item) or --csv (a file), not both.')
  // Before the file is read, so a --dry-run with both is refused like the run would be.
  if (opts.skipDone && opts.includeDone) throw usageError('Give either --skip-done or --include-done, not both.')
  if (opts.csv === undefined && opts.id === undefined) throw usageError('Say what to run on: --id for one item, --csv for a file, or --from-crm for items in the CRM.')
  if (opts.id !== undefined) {
    const stray = CSV_ONLY.filter((k) => opts[k] !== undefined)
    if (stray.length) throw usageError(`Options only for a file (--csv): ${stray.map(flagName).join(', ')}.`)
    return runOne(ctx, opts, opts.id)
  }
  return runFile(ctx, opts, opts.csv ?? '')
}

function flagName(key: string): string {
  return '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())
}

async function runOne(ctx: Ctx, opts: RunOptions, rawId: string): Promise<ExitCode> {
  if (!opts.code) throw usageError('Give the trigger code with --code.')
  if (!opts.ownerType) throw usageError('Give the CRM type with --owner-type (e.g. deal or 2).')
  // The same rule and words as a CSV cell (electron/shared/owner-id): never rounded or clamped.
  const ownerId = parseOwnerId(rawId)
  if (!ownerId.ok) throw usageError(`--id ${rawId}: ${ownerIdProblemText(ownerId.reason, rawId.trim())}.`)
  const core = await ctx.core()
  const profile = await findProfile(core, opts.profile)
  const service = await core.triggersFor(profile.id)
  // The portal's own list knows its smart processes, and lets validation judge them.
  const ownerTypeId = findOwnerTypeId(opts.ownerType, await service.ownerTypes())
  const result = await runOneTrigger(service, {
    kind: kindFor(profile, opts),
    code: opts.code,
    ownerTypeId,
    ownerId: ownerId.id,
    verify: Boolean(opts.verify)
  })
  const exitCode = exitCodeForOneItem(result.outcome, result.error)
  const { timing, warnings, ...rest } = result
  const record = { type: 'result', ...rest, ...(timing && { elapsedMs: timing.wallMs }), notes: warnings, exitCode }
  ctx.out.result(record, () => oneItemLines(result))
  return exitCode
}

function oneItemLines(result: RunOneOutcome): string[] {
  const took = result.timing ? ` in ${(result.timing.wallMs / 1000).toFixed(2)} s` : ''
  const lines = [`${result.outcome}${took}`]
  if (result.verification) lines.push(`Verification: ${formatVerification(result.verification)}`)
  if (result.outcome === 'skipped') lines.push(`Not sent: ${result.message ?? ''}`)
  else if (result.message) lines.push(result.message)
  if (result.error && result.outcome !== 'skipped') lines.push(portalSaid(result.error))
  for (const warning of result.warnings) lines.push(`Warning: ${warning}`)
  return lines
}

async function runFile(ctx: Ctx, opts: RunOptions, path: string): Promise<ExitCode> {
  const core = await ctx.core()
  const profile = await findProfile(core, opts.profile)
  const catalog = await (await core.triggersFor(profile.id)).ownerTypes()
  const planned = await prepareFileRun(profile, catalog, {
    ...opts,
    path,
    kind: kindFor(profile, opts),
    verify: Boolean(opts.verify),
    ...pacingFor(opts.plan ?? profile.plan, opts)
  })
  ctx.out.record({ type: 'validation', ...planned.summary, examples: planned.validation.examples })
  // With no valid row the hint goes with the error below (stderr), not twice.
  const noneValid = planned.summary.valid === 0
  for (const line of validationLines(noneValid ? { ...planned, delimiterHint: undefined } : planned)) ctx.out.line(line)
  if (noneValid) {
    throw usageError(`No valid rows to run. Check the column options against the file (try --dry-run).${planned.delimiterHint ? `\n${planned.delimiterHint}` : ''}`)
  }
  // Rows a recent run already sent are never fired again without being asked (issue 11).
  const overlap = await core.runs.overlapOfSpec(planned.spec)
  if (overlap) ctx.out.record({ type: 'overlap', ...overlap })
  if (opts.preview) {
    if (!opts.dryRun) throw usageError('--preview goes with --dry-run.')
    const valid = planned.spec.rows.filter((r) => r.verdict === 'valid')
    await printPreview(ctx, core, profile, catalog, valid, { verify: Boolean(opts.verify), plan: opts.plan ?? profile.plan })
  }
  if (opts.dryRun) {
    if (overlap) for (const line of overlapLines(overlap)) ctx.out.error(line)
    return EXIT.ok
  }
  const choice = overlap ? await chooseOverlap(overlap, opts, ctx.out) : 'include'
  if (overlap && choice === 'skip' && overlap.rows >= planned.summary.valid) {
    // A run that would send nothing is not created (it would only clutter the history).
    ctx.out.record({ type: 'nothing-to-send', rows: overlap.rows })
    ctx.out.line(`All ${overlap.rows} valid row(s) were already sent by a recent run: nothing to send. Add --include-done to send them again.`)
    return EXIT.ok
  }
  let created = await core.runs.createRun(planned.spec)
  if (overlap && choice === 'skip') {
    created = await core.runs.skipDone(created.id)
    ctx.out.line(`Skipping ${overlap.rows} row(s) already sent; ${created.counts.pending} to send.`)
  }
  ctx.out.record({ type: 'run', run: created })
  ctx.out.line(`Run ${created.id} started. Ctrl-C pauses it; resume with: b24-triggers runs resume ${created.id}`)
  return driveRun(ctx, core, created.id, (onProgress) => core.runs.start(created.id, { onProgress }))
}
