// One sandbox portal and one empty data directory per test file, plus helpers that add profiles
// through the CLI itself (secrets on stdin). teardown() removes the profiles so no item is left
// in the keychain.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startSandbox, type Sandbox, type SandboxOptions } from '../../sandbox/index'
import { jsonLines, runCli, startCli, type CliResult, type RunningCli } from './cli-process'

export interface CliFixture {
  sandbox: Sandbox
  dataDir: string
  cli(args: string[], stdin?: string, env?: Record<string, string>): Promise<CliResult>
  start(args: string[], stdin?: string): RunningCli
  addAppProfile(name: string): Promise<void>
  addWebhookProfile(name: string, webhookUrl?: string): Promise<void>
  teardown(): Promise<void>
}

export async function cliFixture(options?: SandboxOptions): Promise<CliFixture> {
  const sandbox = await startSandbox(options)
  const dataDir = await mkdtemp(join(tmpdir(), 'b24tr-cli-'))
  const cli = (args: string[], stdin?: string, env?: Record<string, string>): Promise<CliResult> =>
    runCli(args, { dataDir, ...(stdin !== undefined ? { stdin } : {}), ...(env ? { env } : {}) })
  const must = async (args: string[], stdin: string): Promise<void> => {
    const r = await cli(args, stdin)
    if (r.code !== 0) throw new Error(`b24-triggers ${args.join(' ')} exited ${r.code}: ${r.stderr}`)
  }
  return {
    sandbox,
    dataDir,
    cli,
    start: (args, stdin) => startCli(args, { dataDir, ...(stdin !== undefined ? { stdin } : {}) }),
    async addAppProfile(name) {
      const tokens = sandbox.issueTokens()
      await must(
        ['profiles', 'add', '--name', name, '--portal', sandbox.url, '--client-id', sandbox.app.clientId, '--secret-stdin'],
        `${sandbox.app.clientSecret}\n${tokens.access_token}\n${tokens.refresh_token}\n`
      )
    },
    async addWebhookProfile(name, webhookUrl = sandbox.adminWebhookUrl) {
      await must(['profiles', 'add', '--name', name, '--kind', 'webhook', '--secret-stdin'], webhookUrl + '\n')
    },
    async teardown() {
      const listed = await cli(['--json', 'profiles', 'list'])
      const record = jsonLines(listed.stdout)[0] as { profiles?: { id: string }[] } | undefined
      for (const p of record?.profiles ?? []) await cli(['profiles', 'remove', p.id])
      await sandbox.close()
      await rm(dataDir, { recursive: true, force: true })
    }
  }
}
