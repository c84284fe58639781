// The Electron shell: app lifecycle, the one window, the menu, and the IPC wiring to core.
// Everything that can run without Electron lives elsewhere (ipc/, window-state.ts, security.ts,
// logger.ts) so it is tested in plain Node; this file only connects Electron to it.
import { app, BrowserWindow, clipboard, ipcMain, Menu, shell, type IpcMainInvokeEvent } from 'electron'
import { join } from 'node:path'
import type { ApiEvent, ApiEvents } from '../shared/ipc'
import { defaultDataDir } from '../core/data-dir'
import { redact } from '../core/bitrix'
import { createKeytarSecretStore } from '../core/profiles/secret-store'
import { APP_URL, handleAppProtocol, registerAppScheme } from './app-protocol'
import { openAuthWindow } from './auth-window'
import { createDialogs } from './dialogs'
import { registerIpc, type IpcWiring } from './ipc'
import type { Logger } from './logger'
import { buildMenu } from './menu'
import { installQuitGuard } from './quit-guard'
import { contentSecurityPolicy, isTrustedFrame } from './security'
import { failStartup, prepareDataDir, stderrLogger, watchMainWindow } from './startup'
import { createMainWindow, hardenDefaultSession } from './window'
import { showRunNotification } from './run-notification'

// app:// must be declared privileged before `ready`.
registerAppScheme()

const dataDir = defaultDataDir()
// An empty variable counts as unset.
const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL || undefined : undefined
const rendererDir = join(__dirname, '../renderer')
const appUrl = devServerUrl ?? APP_URL

// The data folder is proven writable before anything goes there; the log folder comes after.
const prepared = prepareDataDir(dataDir, redact)
const logger: Logger = prepared.ok ? prepared.logger : stderrLogger
const logFile = prepared.ok ? prepared.logFile : undefined

let mainWindow: BrowserWindow | undefined

function focusMainWindow(): void {
  if (!mainWindow || mainWindow.isDestroyed()) return
  if (mainWindow.isMinimized()) mainWindow.restore()
  mainWindow.show()
  mainWindow.focus()
}

/** main → renderer push. A window that is gone or reloading simply misses it. */
function send<K extends ApiEvent>(event: K, payload: ApiEvents[K]): void {
  if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.send(event, payload)
}

function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  return isTrustedFrame(event.senderFrame, appUrl)
}

function startIpc(): IpcWiring {
  const dialogs = createDialogs(() => mainWindow)
  return registerIpc<IpcMainInvokeEvent>(ipcMain, {
    dataDir,
    secretStore: createKeytarSecretStore(),
    dialogs,
    openAuthWindow: (url, isCallback) => openAuthWindow(url, isCallback, mainWindow, logger),
    openExternal: (url) => shell.openExternal(url),
    writeClipboard: (text) => clipboard.writeText(text),
    emit: send,
    appInfo: { version: app.getVersion(), platform: process.platform, dataDir, locale: app.getLocale() },
    isTrustedSender,
    logger,
    runEnded: (run) =>
      showRunNotification(run, app.getLocale(), (runId) => {
        focusMainWindow()
        send('app.command', { command: 'open-run', runId })
      }),
    clientOptions: { userAgent: `b24-trigger-runner/${app.getVersion()} (desktop)` }
  })
}

function openWindow(quitGuard: ReturnType<typeof installQuitGuard>): void {
  const win = createMainWindow({
    appUrl,
    devServerUrl,
    preloadPath: join(__dirname, '../preload/index.js'),
    iconPath: join(app.getAppPath(), 'resources', 'icon.png'),
    stateFile: join(dataDir, 'window-state.json'),
    logger
  })
  mainWindow = win
  watchMainWindow(win, { logger, logFile })
  quitGuard.watchWindow(win)
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = undefined
  })
  // Load failures are reported by watchMainWindow (did-fail-load); the promise only repeats them.
  win.loadURL(appUrl).catch((err: unknown) => logger.warn('the window load was interrupted', err))
}

function start(): void {
  logger.info(`starting ${app.getVersion()} on ${process.platform}, data in ${dataDir}`)
  const csp = contentSecurityPolicy(devServerUrl)
  handleAppProtocol(rendererDir, csp)
  hardenDefaultSession(devServerUrl)
  const ipc = startIpc()
  ipc.ready.catch((err: unknown) => logger.error('start-up recovery of runs failed', err))
  const quitGuard = installQuitGuard({
    runningRuns: () => ipc.runningRuns(),
    shutdown: () => ipc.close(),
    window: () => mainWindow,
    logger
  })
  Menu.setApplicationMenu(
    buildMenu({
      isDev: !!devServerUrl,
      isMac: process.platform === 'darwin',
      dataDir,
      logFile: logFile ?? join(dataDir, 'logs', 'main.log'),
      command: (command) => {
        focusMainWindow()
        send('app.command', { command })
      }
    })
  )
  openWindow(quitGuard)
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openWindow(quitGuard)
  })
}

if (!prepared.ok) {
  // Chromium keeps its default profile folder; ours cannot be written. Say so and leave.
  failStartup(prepared.error, logger)
} else {
  // The CLI and the app share one data directory (profiles.json, runs/). Chromium's own files
  // (cache, local storage) go to a subfolder so they do not mix with ours. Both paths must be
  // set before the app is ready, and before the single-instance lock, which lives in userData.
  app.setPath('userData', dataDir)
  app.setPath('sessionData', join(dataDir, 'chromium'))

  if (!app.requestSingleInstanceLock()) {
    // Two instances would share one journal and one keychain item per profile: hand over and leave.
    app.quit()
  } else {
    app.on('second-instance', focusMainWindow)

    // Observed, not handled: Electron's own reaction (an error dialog) stays as it is.
    process.on('uncaughtExceptionMonitor', (err) => logger.error('uncaught exception', err))
    process.on('unhandledRejection', (reason) => logger.error('unhandled rejection', reason))

    app.whenReady().then(
      () => {
        try {
          start()
        } catch (err) {
          failStartup(err, logger, logFile)
        }
      },
      (err: unknown) => failStartup(err, logger, logFile)
    )

    // A single-window tool: closing the window quits, on macOS too (the quit guard asks first
    // when a run is sending, and pauses it).
    app.on('window-all-closed', () => app.quit())
  }
}
