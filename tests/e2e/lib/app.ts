// The main process as the e2e tests run it: the real registerIpc() over a real data directory,
// the real keychain (keytar → gnome-keyring, see tests/with-keyring.sh) and the sandbox portal.
// Only what needs the Electron window is stood in for: dialogs answer with a fixture path or a
// temp path, and the sign-in window is a fetch that follows the portal's /oauth/authorize/ redirect.
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import type { ApiEvent, ApiEvents } from '../../../electron/shared/ipc'
import { registerIpc, type IpcWiring } from '../../../electron/main/ipc'
import { SignInCancelledError, SignInFailedError } from '../../../electron/main/ipc/sign-in'
import { createFileLogger } from '../../../electron/main/logger'
import { isAppUrl } from '../../../electron/main/security'
import { redact } from '../../../electron/core/bitrix'
import { createProfileStore } from '../../../electron/core/profiles/profile-store'
import { createKeytarSecretStore, type SecretStore } from '../../../electron/core/profiles/secret-store'
import { emitToPage, recordingIpc, type BridgeEvent, type Handler } from './bridge'
import { E2E_KEYCHAIN_SERVICE } from './keychain'


export interface DialogScript {
  /** Paths the next "Open CSV…" dialogs return, in order; empty = the user cancels. */
  openCsv: string[]
  /** Where saveExport puts files. */
  exportDir: string
  /** Every path saveExport returned. */
  saved: string[]
}

export interface MainProcess {
  handlers: Map<string, Handler>
  wiring: IpcWiring
  secretStore: SecretStore
  /** Events pushed to the page, newest last. */
  events: { event: ApiEvent; payload: unknown }[]
  /** Texts put on the clipboard through main, newest last. */
  clipboard: string[]
  /** How many times the page has called an IPC channel. */
  calls(channel: string): number
}

/** Follows the portal's sign-in redirects by hand, as the Electron window would navigate. */
export async function fetchAuthWindow(authorizeUrl: string, isCallback: (url: string) => boolean): Promise<string> {
  let url = authorizeUrl
  for (let hop = 0; hop < 5; hop++) {
    const res = await fetch(url, { redirect: 'manual' })
    // As the real window (auth-window.ts) reports an error page from the portal.
    if (res.status >= 400) {
      throw new SignInFailedError(`${new URL(url).hostname} refused the sign-in request (HTTP ${res.status}). Check the profile's Client ID and that the local application is installed on this portal.`)
    }
    const location = res.headers.get('location')
    if (!location) break
    url = new URL(location, url).toString()
    if (isCallback(url)) return url
  }
  // The real window would stay on the portal's error page until the user closes it.
  throw new SignInCancelledError()
}

export function startMainProcess(opts: { dataDir: string; appUrl: string; page: () => Page | undefined; dialogs: DialogScript }): MainProcess {
  const ipc = recordingIpc()
  const secretStore = createKeytarSecretStore({ service: E2E_KEYCHAIN_SERVICE })
  const events: MainProcess['events'] = []
  const clipboard: string[] = []
  const wiring = registerIpc<BridgeEvent>(ipc, {
    dataDir: opts.dataDir,
    secretStore,
    dialogs: {
      openCsv: async () => {
        const path = opts.dialogs.openCsv.shift()
        return path ? { path, name: path.split('/').pop() ?? path } : null
      },
      saveExport: async (defaultName) => {
        const path = join(opts.dialogs.exportDir, defaultName)
        opts.dialogs.saved.push(path)
        return path
      }
    },
    openAuthWindow: fetchAuthWindow,
    openExternal: async () => {},
    writeClipboard: (text) => void clipboard.push(text),
    emit: <K extends ApiEvent>(event: K, payload: ApiEvents[K]) => {
      events.push({ event, payload })
      const page = opts.page()
      if (page) void emitToPage(page, event, payload)
    },
    appInfo: { version: 'e2e', platform: process.platform, dataDir: opts.dataDir, locale: 'en' },
    isTrustedSender: (event) => !!event.senderFrame?.isMainFrame && isAppUrl(event.senderFrame.url, opts.appUrl),
    logger: createFileLogger({ file: join(opts.dataDir, 'logs', 'main.log'), redact })
  })
  // Counted where the page's calls arrive, so a scenario can tell "asked once" from "asked twice".
  const counts = new Map<string, number>()
  for (const [channel, handler] of ipc.handlers) {
    ipc.handlers.set(channel, (event, ...args) => {
      counts.set(channel, (counts.get(channel) ?? 0) + 1)
      return handler(event, ...args)
    })
  }
  return { handlers: ipc.handlers, wiring, secretStore, events, clipboard, calls: (channel) => counts.get(channel) ?? 0 }
}

/** Removes the keychain items the tests created. Inside with-keyring.sh the whole keyring is
 * thrown away anyway; run outside it, this keeps the user's keychain clean. */
export async function forgetSecrets(main: MainProcess, dataDir: string): Promise<void> {
  const profiles = await createProfileStore({ dataDir }).list().catch(() => [])
  for (const p of profiles) await main.secretStore.delete(p.id).catch(() => false)
}
