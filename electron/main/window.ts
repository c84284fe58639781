// The one main window and the hardening around it (DESIGN.md, Security): an isolated, sandboxed
// renderer without Node, no navigation away from the app, no new windows, no permissions, a CSP
// header on every response of the app's session. Its size and position persist in userData.
import { BrowserWindow, screen, session, shell, type Rectangle } from 'electron'
import { existsSync } from 'node:fs'
import { MIN_SIZE, loadWindowState, saveWindowState, type WindowState } from './window-state'
import { contentSecurityPolicy, isAppUrl, isSafeExternalUrl } from './security'
import type { Logger } from './logger'

export interface MainWindowOptions {
  /** What the window loads: the dev server URL, or app://renderer/index.html (app-protocol.ts). */
  appUrl: string
  devServerUrl?: string
  preloadPath: string
  iconPath: string
  stateFile: string
  logger: Logger
}

/** Session-wide rules, applied once before the first window: deny every permission request
 * (camera, notifications, geolocation...), refuse downloads, and send the CSP with every http
 * response (the dev server; app:// responses carry it from app-protocol.ts). */
export function hardenDefaultSession(devServerUrl: string | undefined): void {
  const ses = session.defaultSession
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  ses.setPermissionCheckHandler(() => false)
  // The page never downloads anything: exports are written by main after a save dialog.
  ses.on('will-download', (event) => event.preventDefault())
  const csp = contentSecurityPolicy(devServerUrl)
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } })
  })
}

function workAreas(): Rectangle[] {
  const primary = screen.getPrimaryDisplay()
  return [primary, ...screen.getAllDisplays().filter((d) => d.id !== primary.id)].map((d) => d.workArea)
}

/** Links the user clicks go to the system browser, and only https ones. */
function openOutside(url: string, logger: Logger): void {
  if (!isSafeExternalUrl(url)) {
    logger.warn(`blocked a link to ${url}`)
    return
  }
  void shell.openExternal(url).catch((err: unknown) => logger.warn('could not open a link', err))
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const state = loadWindowState(options.stateFile, workAreas())
  const win = new BrowserWindow({
    x: state.x,
    y: state.y,
    width: state.width,
    height: state.height,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    show: false,
    title: 'Trigger Runner for Bitrix24',
    icon: existsSync(options.iconPath) ? options.iconPath : undefined,
    webPreferences: {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false
    }
  })

  win.once('ready-to-show', () => {
    if (state.maximized) win.maximize()
    win.show()
  })

  const contents = win.webContents
  contents.on('will-navigate', (event) => {
    if (isAppUrl(event.url, options.appUrl)) return
    event.preventDefault()
    openOutside(event.url, options.logger)
  })
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url, options.appUrl)) event.preventDefault()
  })
  contents.setWindowOpenHandler(({ url }) => {
    openOutside(url, options.logger)
    return { action: 'deny' }
  })
  contents.on('will-attach-webview', (event) => event.preventDefault())

  win.on('close', () => {
    const bounds = win.getNormalBounds()
    const next: WindowState = { ...bounds, maximized: win.isMaximized() }
    try {
      saveWindowState(options.stateFile, next)
    } catch (err) {
      options.logger.warn('could not save the window position', err)
    }
  })

  return win
}
