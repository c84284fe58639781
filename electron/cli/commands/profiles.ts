// `b24-triggers profiles list|add|signin|remove|test`: the portal profiles the desktop app shows too.
import { spawn } from 'node:child_process'
import { Option, type Command } from 'commander'
import type { PlanPreset, Profile } from '../../shared/domain'
import { action, type Ctx, type Session } from '../context'
import { usageError } from '../errors'
import { EXIT, type ExitCode } from '../exit-codes'
import { table } from '../format'
import { portalSaid } from '../errors'
import { findProfile } from '../lookup'
import { loopbackSignIn } from '../loopback-signin'
import { readSecrets } from '../secrets'
import { noKeychainText } from '../env-profile'

interface AddOptions {
  name: string
  kind?: 'webhook' | 'oauth'
  webhook?: boolean
  portal?: string
  clientId?: string
  plan: PlanPreset
  secretStdin?: boolean
}

export function registerProfiles(program: Command, session: Session): void {
  const profiles = program
    .command('profiles')
    .description('portal profiles: an incoming webhook or a local app; secrets stay in the system keychain')

  profiles.command('list').description('list profiles').action(action(session, list))

  profiles
    .command('add')
    .description('add a profile; the webhook URL, client secret and tokens are asked for (hidden) or read from stdin')
    .requiredOption('--name <name>', 'a name to refer to the profile by')
    .addOption(new Option('--kind <kind>', 'how the portal is reached').choices(['webhook', 'oauth']))
    .option('--webhook', 'same as --kind webhook (the URL itself is asked for, never taken from the command line)')
    .option('--portal <url>', 'local app: the portal address, e.g. https://example.bitrix24.com')
    .option('--client-id <id>', "local app: the app's client_id (application code)")
    .addOption(new Option('--plan <plan>', "the portal's plan (sets the request rate)").choices(['standard', 'enterprise']).default('standard'))
    .option('--secret-stdin', 'read the secrets from stdin, one per line, instead of prompting')
    .addHelpText(
      'after',
      `
Secrets are never accepted as arguments (they would stay in shell history):
  webhook:   Webhook URL
  local app: Client secret, Access token, Refresh token (in this order)

Examples:
  b24-triggers profiles add --name shop --kind webhook
  printf '%s\\n' "$WEBHOOK_URL" | b24-triggers profiles add --name shop --kind webhook --secret-stdin
  b24-triggers profiles add --name shop-app --portal https://shop.bitrix24.com --client-id local.abc123 --plan enterprise`
    )
    .action(action(session, add))

  profiles
    .command('signin <profile>')
    .description('sign a profile in again, keeping its id (runs paused on "sign in again" resume with it); a webhook profile takes its new URL')
    .option('--tokens', 'paste a new access and refresh token pair instead of signing in in the browser')
    .option('--secret-stdin', 'with --tokens, or for a webhook profile: read the tokens (or the URL) from stdin, one per line')
    .option('--port <port>', "browser sign-in: listen on this 127.0.0.1 port (the app's handler URL on the portal must be http://127.0.0.1:PORT/)", '0')
    .option('--no-open', 'browser sign-in: print the sign-in address without opening a browser')
    .option('--timeout <seconds>', 'browser sign-in: how long to wait for the portal', '300')
    .addHelpText(
      'after',
      `
Browser sign-in: the command listens on 127.0.0.1, prints (and opens) the portal's sign-in page,
and completes when the portal sends the browser back. Bitrix24 sends it to the handler URL in the
app's settings, so set that to http://127.0.0.1:PORT/ and pass the same --port.

Examples:
  b24-triggers profiles signin shop-app --port 53682
  printf '%s\\n' "$ACCESS" "$REFRESH" | b24-triggers profiles signin shop-app --tokens --secret-stdin`
    )
    .action(action(session, signin))

  profiles.command('remove <profile>').description('remove a profile and its keychain item').action(action(session, remove))

  profiles
    .command('test <profile>')
    .description('check the connection and what the profile may run (app triggers, webhook triggers)')
    .action(action(session, test))
}

function view(p: Profile): Record<string, unknown> {
  return { id: p.id, name: p.name, kind: p.kind, portalUrl: p.portalUrl, plan: p.plan, hasSecret: p.hasSecret, clientId: p.clientId, ...(p.keychain && { keychain: p.keychain }) }
}

async function list(ctx: Ctx): Promise<ExitCode> {
  const profiles = await (await ctx.core()).profiles.list()
  const locked = profiles.some((p) => p.keychain === 'locked')
  ctx.out.result({ type: 'profiles', profiles: profiles.map(view) }, () =>
    profiles.length === 0
      ? ['No profiles yet. Add one with: b24-triggers profiles add --name NAME --kind webhook']
      : [
          ...table(
            ['NAME', 'KIND', 'PORTAL', 'PLAN', 'SECRET', 'ID'],
            profiles.map((p) => [p.name, p.kind === 'oauth' ? 'local app' : 'webhook', p.portalUrl, p.plan, secretState(p), p.id])
          ),
          ...(locked ? ['The system keychain is locked: unlock it and list again. Do not remove these profiles; their secrets are most likely still there.'] : [])
        ]
  )
  return EXIT.ok
}

/** Never "MISSING" for a keychain that could not be asked: that invites deleting a healthy profile. */
function secretState(p: Profile): string {
  if (p.keychain === 'locked') return 'unknown (keychain locked)'
  if (p.keychain === 'unavailable') return 'unknown (keychain unavailable)'
  return p.hasSecret ? 'yes' : 'MISSING'
}

function kindOf(opts: AddOptions): 'webhook' | 'oauth' {
  const implied = opts.webhook ? 'webhook' : opts.portal || opts.clientId ? 'oauth' : undefined
  const kind = opts.kind ?? implied
  if (!kind) throw usageError('Say which kind of profile: --kind webhook, or --kind oauth with --portal and --client-id.')
  if (opts.kind && implied && opts.kind !== implied) throw usageError(`--kind ${opts.kind} does not go with the options given.`)
  return kind
}

async function add(ctx: Ctx, opts: AddOptions): Promise<ExitCode> {
  const kind = kindOf(opts)
  // Asking for a secret that cannot be kept would waste the admin's paste: say so first.
  const keychain = await (await ctx.core()).keychain()
  if (!keychain.ok) throw usageError(noKeychainText(keychain.reason))
  const secretInput = { fromStdin: Boolean(opts.secretStdin) }
  let profile: Profile
  if (kind === 'webhook') {
    if (opts.portal || opts.clientId) throw usageError('--portal and --client-id are for local-app profiles (--kind oauth).')
    const [webhookUrl] = await readSecrets(['Webhook URL'], secretInput)
    const core = await ctx.core()
    profile = await core.profiles.addWebhookProfile({ name: opts.name, webhookUrl: webhookUrl ?? '', plan: opts.plan })
    // Like the app: a webhook the portal refuses (wrong secret, deleted, no access) is not kept
    // looking usable. A network fault says nothing about the webhook, so the profile stays.
    const report = await (await core.triggersFor(profile.id)).checkConnection().catch(() => null)
    if (report && !report.ok && (report.error.kind === 'definite' || report.error.kind === 'run-fatal')) {
      await core.profiles.remove(profile.id).catch(() => undefined)
      throw usageError(`The portal refused this webhook, so it was not added: ${report.message}\n${portalSaid(report.error)}`)
    }
  } else {
    if (!opts.portal || !opts.clientId) throw usageError('A local-app profile needs --portal and --client-id.')
    const [clientSecret, accessToken, refreshToken] = await readSecrets(['Client secret', 'Access token', 'Refresh token'], secretInput)
    profile = await (await ctx.core()).profiles.addOAuthProfile({
      name: opts.name,
      portalUrl: opts.portal,
      clientId: opts.clientId,
      clientSecret: clientSecret ?? '',
      tokens: { accessToken: accessToken ?? '', refreshToken: refreshToken ?? '' },
      plan: opts.plan
    })
  }
  ctx.out.result({ type: 'profile', profile: view(profile) }, () => [
    `Added profile "${profile.name}" (${profile.kind === 'oauth' ? 'local app' : 'webhook'}, ${profile.portalUrl}).`,
    `Check it with: b24-triggers profiles test "${profile.name}"`
  ])
  return EXIT.ok
}

interface SigninOptions {
  tokens?: boolean
  secretStdin?: boolean
  port: string
  open: boolean
  timeout: string
}

async function signin(ctx: Ctx, ref: string, opts: SigninOptions): Promise<ExitCode> {
  const core = await ctx.core()
  const profile = await findProfile(core, ref)
  if (profile.kind === 'webhook') {
    // A webhook's "sign-in" is its URL: a new one (a regenerated secret) keeps the profile's id.
    if (opts.tokens) throw usageError(`"${profile.name}" is a webhook profile: give it its new webhook URL (without --tokens).`)
    const [webhookUrl] = await readSecrets(['Webhook URL'], { fromStdin: Boolean(opts.secretStdin) })
    await core.profiles.update(profile.id, { webhookUrl: webhookUrl ?? '' })
  } else if (opts.tokens) {
    const [accessToken, refreshToken] = await readSecrets(['Access token', 'Refresh token'], { fromStdin: Boolean(opts.secretStdin) })
    await core.profiles.update(profile.id, { tokens: { accessToken: accessToken ?? '', refreshToken: refreshToken ?? '' } })
  } else {
    if (opts.secretStdin) throw usageError('--secret-stdin goes with --tokens (or a webhook profile).')
    const port = Number(opts.port)
    const timeout = Number(opts.timeout)
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError('--port must be a port number (0: any free port).')
    if (!Number.isFinite(timeout) || timeout <= 0) throw usageError('--timeout must be a number of seconds above 0.')
    await loopbackSignIn({
      port,
      timeoutMs: timeout * 1000,
      authorizeUrl: (state) => core.profiles.signInUrl(profile.id, state),
      ready: (url, redirectUri) => {
        ctx.out.line(`Waiting for the portal to send the browser back to ${redirectUri}`)
        ctx.out.line(`(the app's handler URL on the portal must be this address; --port keeps it fixed).`)
        ctx.out.line(`Sign in here: ${url}`)
        if (opts.open && process.stdout.isTTY) openBrowser(url)
      },
      exchange: async (code, redirectUri) => {
        await core.profiles.completeSignIn(profile.id, code, { redirectUri })
      }
    })
  }
  const updated = await core.profiles.get(profile.id)
  // The runs this sign-in can unblock, by id: paused or interrupted runs of this profile.
  const waiting = (await core.runs.list().catch(() => [])).filter((r) => r.profileId === updated.id && (r.status === 'paused' || r.status === 'interrupted'))
  ctx.out.result({ type: 'profile', profile: view(updated), resumable: waiting.map((r) => r.id) }, () => [
    `Signed in profile "${updated.name}" again (id ${updated.id} kept).`,
    ...(waiting.length === 0
      ? []
      : waiting.length === 1
        ? [`Resume its paused run with: b24-triggers runs resume ${waiting[0]!.id}`]
        : ['Resume its paused runs with:', ...waiting.slice(0, 5).map((r) => `  b24-triggers runs resume ${r.id}`), ...(waiting.length > 5 ? [`  (and ${waiting.length - 5} more: b24-triggers runs list)`] : [])])
  ])
  return EXIT.ok
}

/** Best effort: the URL is printed anyway. */
function openBrowser(url: string): void {
  const [cmd, args] = process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : [process.platform === 'darwin' ? 'open' : 'xdg-open', [url]]
  try {
    spawn(cmd as string, args as string[], { stdio: 'ignore', detached: true }).on('error', () => undefined).unref()
  } catch {
    // No opener: the printed URL is enough.
  }
}

async function remove(ctx: Ctx, ref: string): Promise<ExitCode> {
  const core = await ctx.core()
  const profile = await findProfile(core, ref)
  const { secretRemoved } = await core.profiles.remove(profile.id)
  ctx.out.result({ type: 'removed', profile: view(profile), secretRemoved }, () => [
    secretRemoved
      ? `Removed profile "${profile.name}" and its keychain item.`
      : `Removed profile "${profile.name}", but the keychain could not be reached: its item (service b24-trigger-runner, account ${profile.id}) may remain.`
  ])
  return EXIT.ok
}

async function test(ctx: Ctx, ref: string): Promise<ExitCode> {
  const core = await ctx.core()
  const profile = await findProfile(core, ref)
  const report = await (await core.triggersFor(profile.id)).checkConnection()
  ctx.out.result({ type: 'connection', profile: view(profile), report }, () =>
    report.ok
      ? [
          `OK: ${report.message}`,
          `App triggers (crm.automation.trigger.execute): ${report.canRunAppTriggers ? 'yes' : 'no'}`,
          `Webhook triggers (crm.automation.trigger): ${report.canRunWebhookTriggers ? 'yes' : 'no'}`
        ]
      : [`FAILED: ${report.message}`, portalSaid(report.error)]
  )
  return report.ok ? EXIT.ok : EXIT.rowsFailed
}
