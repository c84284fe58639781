// What every command handler receives: the printer (plain or --json) and the core services,
// opened lazily so that `--help` or a usage error never touches the keychain.
import type { Command } from 'commander'
import type { Core } from './core'
import type { ExitCode } from './exit-codes'
import { Output } from './output'

export interface Ctx {
  out: Output
  core(): Promise<Core>
}

export interface Session {
  /** Opens the core once per process. */
  core(): Promise<Core>
  exitCode: ExitCode
}

/** Wraps a command handler: builds its context from the global flags and records its exit code. */
export function action<A extends unknown[]>(
  session: Session,
  handler: (ctx: Ctx, ...args: A) => Promise<ExitCode>
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command
    const { json } = command.optsWithGlobals<{ json?: boolean }>()
    const ctx: Ctx = { out: new Output({ json: Boolean(json) }), core: () => session.core() }
    session.exitCode = await handler(ctx, ...(args.slice(0, -1) as A))
  }
}
