// The Electron shell: app lifecycle, the one window, the menu, and the IPC wiring to core.
// Everything that can run without Electron lives elsewhere (ipc/, window-state.ts, security.ts,
// logger.ts) so it is tested in plain Node; this file only connects Electron to it.
import { app, BrowserWindow, ipcMain, Menu, shell, type IpcMainInvokeEvent } from 'electron'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { ApiEvent, ApiEvents } from '../shared/ipc'
import { defaultDataDir } from '../core/data-dir'
import { redact } from '../core/bitrix'
import { createKeytarSecretStore } from '../core/profiles/secret-store'
import { openAuthWindow } from './auth-window'
import { createDialogs } from './dialogs'
import { registerIpc, type IpcWiring } from './ipc'
import { createFileLogger } from './logger'
import { buildMenu } from './menu'
import { isAppUrl } from './security'
import { createMainWindow, hardenDefaultSession } from './window'
import { showRunNotification } from './run-notification'

// The CLI and the app share one data directory (profiles.json, runs/). Chromium's own files
// (cache, local storage) go to a subfolder so they do not mix with ours. Both paths must be set
// before the app is ready, and before the single-instance lock, which lives in userData.
const dataDir = defaultDataDir()
app.setPath('userData', dataDir)
app.setPath('sessionData', join(dataDir, 'chromium'))

const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined
const rendererFile = join(__dirname, '../renderer/index.html')
const appUrl = devServerUrl ?? pathToFileURL(rendererFile).toString()
const logFile = join(dataDir, 'logs', 'main.log')
const logger = createFileLogger({ file: logFile, redact })

let mainWindow: BrowserWindow | undefined
let wiring: IpcWiring | undefined

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

/** Only the app's own top-level page may call main: not an iframe, not a page navigated elsewhere. */
function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame
  return !!frame && frame.parent === null && isAppUrl(frame.url, appUrl)
}

function startIpc(): IpcWiring {
  const dialogs = createDialogs(() => mainWindow)
  return registerIpc<IpcMainInvokeEvent>(ipcMain, {
    dataDir,
    secretStore: createKeytarSecretStore(),
    dialogs,
    openAuthWindow: (url, isCallback) => openAuthWindow(url, isCallback, mainWindow),
    openExternal: (url) => shell.openExternal(url),
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

function openWindow(): void {
  mainWindow = createMainWindow({
    appUrl,
    devServerUrl,
    preloadPath: join(__dirname, '../preload/index.js'),
    iconPath: join(app.getAppPath(), 'resources', 'icon.png'),
    stateFile: join(dataDir, 'window-state.json'),
    logger
  })
  mainWindow.on('closed', () => {
    mainWindow = undefined
  })
  const loading = devServerUrl ? mainWindow.loadURL(devServerUrl) : mainWindow.loadFile(rendererFile)
  loading.catch((err: unknown) => logger.error('the window could not load the app', err))
}

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
      logger.info(`starting ${app.getVersion()} on ${process.platform}, data in ${dataDir}`)
      hardenDefaultSession(devServerUrl)
      wiring = startIpc()
      wiring.ready.catch((err: unknown) => logger.error('start-up recovery of runs failed', err))
      Menu.setApplicationMenu(
        buildMenu({
          isDev: !!devServerUrl,
          isMac: process.platform === 'darwin',
          dataDir,
          logFile,
          command: (command) => {
            focusMainWindow()
            send('app.command', { command })
          }
        })
      )
      openWindow()
      app.on('activate', () => {
        if (BrowserWindow.getAllWindows().length === 0) openWindow()
      })
    },
    (err: unknown) => logger.error('app failed to start', err)
  )

  // A single-window tool: closing the window quits, on macOS too (runs keep their journal).
  app.on('window-all-closed', () => app.quit())

  let closing = false
  app.on('before-quit', (event) => {
    if (closing || !wiring) return
    closing = true
    event.preventDefault()
    void wiring
      .close()
      .catch((err: unknown) => logger.error('shutdown failed', err))
      .finally(() => app.quit())
  })
}
