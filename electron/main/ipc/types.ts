// What the IPC wiring needs from its host. In the app, index.ts passes Electron's ipcMain and
// real dialogs/windows; in tests and the e2e harness, plain stand-ins. Nothing here imports
// electron, so the whole wiring runs in plain Node.
import type { ApiEvent, ApiEvents, ApiHandlers, ApiMethod, AppInfo, IpcResult, RunSummaryView } from '../../shared/ipc'
import type { SecretStore } from '../../core/profiles/secret-store'
import type { BitrixClientOptions } from '../../core/bitrix/types'
import type { Logger } from '../logger'

/** The part of ipcMain the wiring uses. `E` is the host's event type (IpcMainInvokeEvent). */
export interface IpcLike<E> {
  handle(channel: string, listener: (event: E, ...args: unknown[]) => Promise<IpcResult<unknown>>): void
}

export interface Dialogs {
  /** null when the user cancels. */
  openCsv(): Promise<{ path: string; name: string } | null>
  /** Asks where to save an export; null when the user cancels. */
  saveExport(defaultName: string): Promise<string | null>
}

export interface IpcDeps<E> {
  dataDir: string
  secretStore: SecretStore
  dialogs: Dialogs
  /** Shows the portal's sign-in page; resolves with the first navigation `isCallback` accepts
   * (the redirect carrying ?code=&state=). Rejects with SignInCancelledError when closed. */
  openAuthWindow(authorizeUrl: string, isCallback: (url: string) => boolean): Promise<string>
  openExternal(url: string): Promise<void>
  /** Electron: clipboard.writeText. Without it, clipboard.writeText answers NOT_ALLOWED. */
  writeClipboard?(text: string): void
  emit<K extends ApiEvent>(event: K, payload: ApiEvents[K]): void
  appInfo: AppInfo
  /** Whether an invoke came from the app's own page (Electron: event.senderFrame). */
  isTrustedSender(event: E): boolean
  logger?: Logger
  /** Called once a run session ends (finished, paused, cancelled): the desktop notification. */
  runEnded?(run: RunSummaryView): void
  /** Passed to every REST client (user agent, timeout...). */
  clientOptions?: Pick<BitrixClientOptions, 'userAgent' | 'timeoutMs' | 'now'>
}

/** A channel's implementation: the contract's parameters, its plain result (sync or async). */
export type HandlerImpl<K extends ApiMethod> = (
  ...args: Parameters<ApiHandlers[K]>
) => ReturnType<ApiHandlers[K]> | Promise<ReturnType<ApiHandlers[K]>>

export type HandlerMap<K extends ApiMethod = ApiMethod> = { [P in K]: HandlerImpl<P> }
