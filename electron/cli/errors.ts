// Errors the CLI raises itself. Each carries its exit code, and its message is written for the
// person at the terminal: what is wrong and what to do about it.
import type { ErrorInfo } from '../shared/domain'
import { isBitrixError } from '../core/bitrix/errors'
import { plainMessage } from '../core/bitrix/plain-message'
import { ProfileError } from '../core/profiles/profile-service'
import { ProfileStoreError } from '../core/profiles/profile-store'
import { SecretStoreError } from '../core/profiles/secret-store'
import { noKeychainText } from './env-profile'
import { CsvImportError } from '../core/runs/csv-errors'
import { CrmSelectionError } from '../core/runs/crm-source'
import { RunStateError } from '../core/runs/run-manager'
import { RunLockedError, RunNotFoundError } from '../core/runs/run-store'
import { TriggerInputError } from '../core/triggers/trigger-service'
import { NotWritableError } from '../core/durable-write'
import { EXIT, type ExitCode } from './exit-codes'

class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.usage
  ) {
    super(message)
    this.name = 'CliError'
  }
}

/** Bad arguments, a bad file, an unknown profile or run: exit 2. */
export function usageError(message: string): CliError {
  return new CliError(message, EXIT.usage)
}

/** Ctrl-C at a prompt or before a run started: nothing to resume, exit 130. */
export function interrupted(): CliError {
  return new CliError('Interrupted.', EXIT.interrupted)
}

/** The words printed for an error that reached the top level, and the exit code it means. */
export function describeError(err: unknown, debug: boolean): { text: string; exitCode: ExitCode } {
  if (err instanceof CliError) return { text: err.message, exitCode: err.exitCode }
  // No Secret Service (a server): nothing was sent; say how to run without one.
  if (err instanceof SecretStoreError && err.code === 'unavailable') return { text: noKeychainText(err.message), exitCode: EXIT.usage }
  const input = isInputError(err)
  const lines = [plainMessage(err)]
  if (!input && isBitrixError(err)) lines.push(portalSaid(err.info))
  // The stack is for bug reports; it goes through redact() like every other printed line.
  if (debug && err instanceof Error && err.stack) lines.push(err.stack)
  return { text: lines.join('\n'), exitCode: input ? EXIT.usage : EXIT.rowsFailed }
}

/** The portal's own words beside ours: admins search for the code, support asks for the text. */
export function portalSaid(info: ErrorInfo): string {
  const code = info.code === '' ? '(empty error code)' : info.code
  return `Portal said: ${code}${info.description ? ` - ${info.description}` : ''}${info.status ? ` (HTTP ${info.status})` : ''}`
}

/** What the user typed or pointed at cannot be used (nothing was sent): exit 2 like a bad argument. */
function isInputError(err: unknown): boolean {
  return (
    err instanceof ProfileError ||
    err instanceof ProfileStoreError ||
    err instanceof CsvImportError ||
    // A CRM selection that cannot be used, or that the portal refused: nothing was fired.
    err instanceof CrmSelectionError ||
    err instanceof RunNotFoundError ||
    err instanceof RunStateError ||
    // Another process is sending the run: nothing was sent here; try again once it stops.
    err instanceof RunLockedError ||
    err instanceof TriggerInputError ||
    // A place that cannot be written (an export's folder missing, read-only): nothing was sent.
    err instanceof NotWritableError
  )
}
