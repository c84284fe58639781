// The CLI's top level: parse, run one command, and turn whatever went wrong into plain words and
// an exit code. Nothing below here prints a stack trace unless --debug asks for it.
import { CommanderError } from 'commander'
import type { Core } from './core'
import { openCore } from './open-core'
import type { Session } from './context'
import { describeError } from './errors'
import { takeEnvWebhookUrl } from './env-profile'
import { EXIT, type ExitCode } from './exit-codes'
import { installInterruptHandling } from './interrupt'
import { Output } from './output'
import { buildProgram } from './program'

export async function main(argv: string[]): Promise<ExitCode> {
  installInterruptHandling()
  reportCrashes(argv.includes('--debug'))
  // Out of the environment before anything runs, so no child process or crash report sees it.
  const envWebhookUrl = takeEnvWebhookUrl()
  let opened: Promise<Core> | undefined
  const session: Session = {
    exitCode: EXIT.ok,
    core: () => (opened ??= openCore(undefined, envWebhookUrl !== undefined ? { envWebhookUrl } : {}))
  }
  try {
    await buildProgram(session).parseAsync(argv, { from: 'user' })
    return session.exitCode
  } catch (err) {
    // --help and --version end with a CommanderError too, with exit code 0.
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage
    const json = argv.includes('--json')
    const { text, exitCode } = describeError(err, argv.includes('--debug'))
    const out = new Output({ json })
    out.record({ type: 'error', message: text, exitCode })
    out.error(`Error: ${text}`)
    return exitCode
  } finally {
    if (opened) await opened.then((core) => core.close()).catch(() => undefined)
  }
}

/** A bug that escapes every handler still ends in plain words and exit 1, not a raw stack. */
function reportCrashes(debug: boolean): void {
  const crash = (err: unknown): void => {
    new Output({ json: false }).error(`Error: ${describeError(err, debug).text}`)
    process.exit(EXIT.rowsFailed)
  }
  process.on('uncaughtException', crash)
  process.on('unhandledRejection', crash)
}
