// `b24-triggers triggers list|add|remove`: the app triggers a local-app profile has registered
// (crm.automation.trigger.list/add/delete). Webhook triggers are made in the portal's UI instead.
import type { Command } from 'commander'
import type { AppTrigger } from '../../core/triggers/trigger-service'
import { action, type Ctx, type Session } from '../context'
import { EXIT, type ExitCode } from '../exit-codes'
import { table } from '../format'
import { findProfile } from '../lookup'

interface ProfileOption {
  profile?: string
}

export function registerTriggers(program: Command, session: Session): void {
  const triggers = program
    .command('triggers')
    .description("a local app's triggers (app context only; webhook triggers are created in the portal's automation settings)")

  triggers
    .command('list')
    .description('list the triggers this app registered')
    .option('--profile <profile>', 'profile name or id')
    .action(action(session, list))

  triggers
    .command('add')
    .description('register a trigger (then bind it to a stage in the portal: there is no REST method for that)')
    .option('--profile <profile>', 'profile name or id')
    .requiredOption('--code <code>', 'trigger code: Latin letters, digits, ".", "-", "_"')
    .requiredOption('--name <name>', 'name shown in the automation settings')
    .action(action(session, add))

  triggers
    .command('remove')
    .description('delete a trigger registration (its stage bindings stay on the portal)')
    .option('--profile <profile>', 'profile name or id')
    .requiredOption('--code <code>', 'trigger code')
    .action(action(session, remove))
}

function print(ctx: Ctx, profileName: string, triggers: AppTrigger[], heading: string): void {
  ctx.out.result({ type: 'triggers', profile: profileName, triggers }, () => [
    heading,
    ...(triggers.length === 0 ? ['(no triggers registered)'] : table(['CODE', 'NAME'], triggers.map((t) => [t.code, t.name])))
  ])
}

async function list(ctx: Ctx, opts: ProfileOption): Promise<ExitCode> {
  const core = await ctx.core()
  const profile = await findProfile(core, opts.profile)
  print(ctx, profile.name, await (await core.triggersFor(profile.id)).list(), `Triggers of "${profile.name}":`)
  return EXIT.ok
}

async function add(ctx: Ctx, opts: ProfileOption & AppTrigger): Promise<ExitCode> {
  const core = await ctx.core()
  const profile = await findProfile(core, opts.profile)
  const service = await core.triggersFor(profile.id)
  const { warnings } = await service.add(opts.code, opts.name)
  for (const warning of warnings) ctx.out.error(`Warning: ${warning.message}`)
  print(ctx, profile.name, await service.list(), `Registered "${opts.code}". Bind it to a stage in the portal's automation settings.`)
  return EXIT.ok
}

async function remove(ctx: Ctx, opts: ProfileOption & { code: string }): Promise<ExitCode> {
  const core = await ctx.core()
  const profile = await findProfile(core, opts.profile)
  const service = await core.triggersFor(profile.id)
  await service.remove(opts.code)
  print(ctx, profile.name, await service.list(), `Removed "${opts.code}". Stage bindings stay on the portal and fire again if the code is registered again.`)
  return EXIT.ok
}
