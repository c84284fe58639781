// The portal's sign-in page (/oauth/authorize/) in a window of its own: sandboxed, no preload, no
// Node, a separate in-memory session so the portal's cookies never mix with the app's. Bitrix24
// sends the browser on to the app's configured redirect URI with ?code=…&state=…; that navigation
// is caught in will-redirect / will-navigate and cancelled before anything loads, so the
// redirect URI need not point anywhere real (see ipc/sign-in.ts for what to configure).
import { BrowserWindow, session } from 'electron'
import { randomUUID } from 'node:crypto'
import { SignInCancelledError } from './ipc/sign-in'

/** Opens `authorizeUrl`; resolves with the first URL `isCallback` accepts, then closes the window. */
export function openAuthWindow(
  authorizeUrl: string,
  isCallback: (url: string) => boolean,
  parent?: BrowserWindow
): Promise<string> {
  return new Promise((resolve, reject) => {
    const win = new BrowserWindow({
      width: 560,
      height: 720,
      parent,
      modal: false,
      title: 'Sign in to Bitrix24',
      autoHideMenuBar: true,
      webPreferences: {
        session: session.fromPartition(`auth-${randomUUID()}`),
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
      }
    })
    let settled = false
    const finish = (url: string | undefined): void => {
      if (settled) return
      settled = true
      if (url === undefined) reject(new SignInCancelledError())
      else resolve(url)
      if (!win.isDestroyed()) win.close()
    }
    const intercept = (event: { preventDefault(): void }, url: string): void => {
      if (!isCallback(url)) return
      event.preventDefault()
      finish(url)
    }
    win.webContents.on('will-redirect', (event) => intercept(event, event.url))
    win.webContents.on('will-navigate', (event) => intercept(event, event.url))
    win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }))
    win.webContents.session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
    win.on('closed', () => finish(undefined))
    void win.loadURL(authorizeUrl).catch(() => {
      // An intercepted redirect aborts the load (ERR_ABORTED); a real failure leaves the error
      // page on screen for the user, who closes the window.
    })
  })
}
