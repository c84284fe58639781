// The wiring from the IPC contract (electron/shared/ipc.ts) to core: one handler per channel in
// API_METHODS. Every call is checked in the same order: the sender is the app's own page, the
// arguments pass the channel's schema, then core runs; the answer is always an IpcResult, never
// a thrown error (Electron would keep only its message, Playwright's bridge all of it).
import { API_METHODS, type ApiMethod, type IpcResult } from '../../shared/ipc'
import { appHandlers } from './app'
import { createCoreContext } from './context'
import { createCsvWiring } from './csv'
import { crmHandlers } from './crm'
import { IpcRefusal, toIpcError } from './errors'
import { profileHandlers } from './profiles'
import { createRunWiring } from './runs'
import { argsSchemas } from './schemas'
import { triggerHandlers } from './triggers'
import type { HandlerMap, IpcDeps, IpcLike } from './types'

export type { Dialogs, IpcDeps, IpcLike } from './types'

export interface IpcWiring {
  /** Resolves once start-up work is done (runs left running by a crash are marked interrupted). */
  ready: Promise<void>
  /** Pauses what is running and waits for the journals to settle. Call before quitting. */
  close(): Promise<void>
  /** Runs sending right now. */
  runningRuns(): number
}

export function registerIpc<E>(ipc: IpcLike<E>, deps: IpcDeps<E>): IpcWiring {
  const ctx = createCoreContext(deps)
  const csv = createCsvWiring(ctx, deps)
  const runs = createRunWiring(ctx, deps, csv)
  const handlers: HandlerMap = {
    ...appHandlers(deps),
    ...profileHandlers(ctx, deps),
    ...triggerHandlers(ctx),
    ...csv.handlers,
    ...runs.handlers,
    ...crmHandlers(ctx, runs, csv)
  }

  for (const channel of API_METHODS) {
    ipc.handle(channel, (event, ...args) => invoke(channel, event, args))
  }

  async function invoke(channel: ApiMethod, event: E, args: unknown[]): Promise<IpcResult<unknown>> {
    try {
      if (!deps.isTrustedSender(event)) throw new IpcRefusal('FORBIDDEN', 'The request did not come from the application window.')
      const parsed = argsSchemas[channel].parse(args) as never[]
      const handler = handlers[channel] as (...a: never[]) => unknown
      return { ok: true, data: await handler(...parsed) }
    } catch (err) {
      const error = toIpcError(err)
      // Expected refusals are the user's business; anything else is ours and goes to the log.
      if (error.code === 'INTERNAL') deps.logger?.error(`${channel} failed`, err)
      else deps.logger?.info(`${channel}: ${error.code} ${error.message}`)
      return { ok: false, error }
    }
  }

  return {
    ready: runs.ready,
    close: () => runs.close(),
    runningRuns: () => runs.runningRuns()
  }
}
