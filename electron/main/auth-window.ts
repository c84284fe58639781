// The portal's sign-in page (/oauth/authorize/) in a window of its own: sandboxed, no preload, no
// Node, a separate in-memory session so the portal's cookies never mix with the app's. Bitrix24
// sends the browser on to the app's configured redirect URI with ?code=…&state=…; that navigation
// is caught in will-redirect / will-navigate and cancelled before anything loads, so the
// redirect URI need not point anywhere real (see ipc/sign-in.ts for what to configure).
//
// The user types a password here, so the window says where it is: its title carries the host
// of the page on screen, and the page cannot change the title. It stays on the portal and the
// Bitrix24 sign-in servers, downloads nothing, and a page that fails (no network, unknown host,
// the portal refusing the app's client_id) is reported as that, not as "cancelled".
import { BrowserWindow, session } from 'electron'
import { randomUUID } from 'node:crypto'
import { SignInCancelledError, SignInFailedError } from './ipc/sign-in'
import { dialogText } from './dialog-text'
import type { Logger } from './logger'

/** Hosts the sign-in may pass through besides the portal itself: Bitrix24's OAuth server, and
 * the Bitrix24 account login (bitrix24.net) that cloud portals send signed-out users to. */
const SIGN_IN_HOSTS = ['oauth.bitrix.info', 'bitrix24.net']

function hostOf(url: string): string | undefined {
  try {
    const u = new URL(url)
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.hostname.toLowerCase() : undefined
  } catch {
    return undefined
  }
}

/** Whether the sign-in window may show `url`: the portal (same scheme and host as the authorize
 * URL) or an https page of the Bitrix24 sign-in servers. */
export function isSignInPage(url: string, authorizeUrl: string): boolean {
  let u: URL
  let portal: URL
  try {
    u = new URL(url)
    portal = new URL(authorizeUrl)
  } catch {
    return false
  }
  if (u.origin === portal.origin) return true
  if (u.protocol !== 'https:') return false
  const host = u.hostname.toLowerCase()
  return SIGN_IN_HOSTS.some((h) => host === h || host.endsWith(`.${h}`))
}

export function signInTitle(url: string): string {
  const title = dialogText().signIn
  const host = hostOf(url)
  return host ? `${title} — ${host}` : title
}

/** Opens `authorizeUrl`; resolves with the first URL `isCallback` accepts, then closes the window.
 * Rejects with SignInCancelledError when the user closes it, SignInFailedError when the page
 * cannot be shown or the portal refuses the request. */
export function openAuthWindow(
  authorizeUrl: string,
  isCallback: (url: string) => boolean,
  parent?: BrowserWindow,
  logger?: Logger
): Promise<string> {
  return new Promise((resolve, reject) => {
    const ses = session.fromPartition(`auth-${randomUUID()}`)
    const win = new BrowserWindow({
      width: 560,
      height: 720,
      parent,
      modal: false,
      title: signInTitle(authorizeUrl),
      autoHideMenuBar: true,
      webPreferences: {
        session: ses,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
        webviewTag: false
      }
    })
    const portalHost = hostOf(authorizeUrl) ?? 'the portal'
    let settled = false
    const finish = (outcome: { url: string } | { error: Error }): void => {
      if (settled) return
      settled = true
      if ('url' in outcome) resolve(outcome.url)
      else reject(outcome.error)
      if (!win.isDestroyed()) win.close()
    }
    const contents = win.webContents

    // Top-level navigation: the callback ends the sign-in; the portal and the sign-in servers may
    // load; anything else (a link on the login page) is refused. Frames inside the page (a
    // captcha) are the page's business.
    const guard = (event: { preventDefault(): void; url: string }, redirect: boolean): void => {
      if (isCallback(event.url)) {
        event.preventDefault()
        finish({ url: event.url })
        return
      }
      if (isSignInPage(event.url, authorizeUrl)) return
      event.preventDefault()
      const where = hostOf(event.url) ?? 'a non-web address'
      logger?.warn(`sign-in window: blocked a ${redirect ? 'redirect' : 'navigation'} to ${where}`)
      // A link the user clicked just does nothing; a server redirect would leave the window
      // stuck on a half-loaded page, so say where the sign-in went instead.
      if (redirect) {
        finish({
          error: new SignInFailedError(
            `The sign-in page sent the window to ${where}, outside ${portalHost} and the Bitrix24 sign-in servers, so the app stopped there. ` +
              'Check the portal address.'
          )
        })
      }
    }
    contents.on('will-redirect', (event) => guard(event, true))
    contents.on('will-navigate', (event) => guard(event, false))
    contents.setWindowOpenHandler(() => ({ action: 'deny' }))
    contents.on('will-attach-webview', (event) => event.preventDefault())

    // The title is ours: the host of the page actually on screen, whatever the page says.
    win.on('page-title-updated', (event) => event.preventDefault())
    contents.on('did-navigate', (_event, url, httpResponseCode) => {
      if (!win.isDestroyed()) win.setTitle(signInTitle(url))
      // The portal answers an unknown client_id (or an app not installed there) with an error
      // page and no redirect (reference §5.2).
      if (httpResponseCode >= 400 && hostOf(url) === hostOf(authorizeUrl)) {
        finish({
          error: new SignInFailedError(
            `${portalHost} refused the sign-in request (HTTP ${httpResponseCode}). Check the profile's Client ID ` +
              'and that the local application is installed on this portal.'
          )
        })
      }
    })
    contents.on('did-fail-load', (_event, errorCode, errorDescription, validatedURL, isMainFrame) => {
      // -3 (ERR_ABORTED) is our own cancelled redirect or a replaced navigation.
      if (!isMainFrame || errorCode === -3) return
      finish({
        error: new SignInFailedError(
          `The sign-in page of ${hostOf(validatedURL) ?? portalHost} could not be opened (${errorDescription}). ` +
            'Check the portal address and the network.'
        )
      })
    })

    ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
    ses.setPermissionCheckHandler(() => false)
    ses.on('will-download', (event) => {
      event.preventDefault()
      logger?.warn('sign-in window: refused a download')
    })

    win.on('closed', () => finish({ error: new SignInCancelledError() }))
    void win.loadURL(authorizeUrl).catch(() => {
      // Failures arrive through did-fail-load above; an intercepted redirect rejects here too.
    })
  })
}
