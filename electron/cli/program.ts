// The command tree. Handlers live in commands/, one file per noun.
import { Command } from 'commander'
import { redact } from '../core/bitrix/redact'
import { registerProfiles } from './commands/profiles'
import { registerRun } from './commands/run'
import { registerRuns } from './commands/runs'
import { registerTriggers } from './commands/triggers'
import type { Session } from './context'
import { CLI_VERSION } from './version'

export function buildProgram(session: Session): Command {
  const program = new Command('b24-triggers')
    .description('Fire Bitrix24 CRM automation triggers on one item or on every row of a CSV file.')
    .version(CLI_VERSION)
    .option('--json', 'machine output: newline-delimited JSON events and a final summary object on stdout')
    .option('--debug', 'on an error, also print the stack trace (secrets removed)')
    // Usage errors exit 2 instead of commander's process.exit(1): main() maps them.
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({
      writeOut: (text) => process.stdout.write(redact(text)),
      writeErr: (text) => process.stderr.write(redact(text))
    })
    .addHelpText(
      'after',
      `
Exit codes: 0 all rows succeeded, 1 some failed or uncertain, 2 usage or input
            error, 3 paused by an error that would fail every row, 130
            interrupted (Ctrl-C pauses the run).
Data: profiles and runs in $B24TR_DATA_DIR (default: the desktop app's folder);
      secrets in the system keychain.`
    )
  registerProfiles(program, session)
  registerTriggers(program, session)
  registerRun(program, session)
  registerRuns(program, session)
  return program
}
