// Pure rules behind the window hardening in window.ts (DESIGN.md, Security), kept apart from
// Electron so they can be unit-tested: which URLs count as the app itself, which links may leave
// for the system browser, and the Content-Security-Policy sent with every response.

/** The renderer's own scheme and host (app-protocol.ts serves them). */
export const APP_SCHEME = 'app'
export const APP_HOST = 'renderer'
/** The main window's page. */
export const APP_URL = `${APP_SCHEME}://${APP_HOST}/index.html`

/** The app's own pages: app://renderer/index.html (or, before that, a file:// page), or in
 * development the dev server origin. URLs are compared parsed, never as strings: Chromium and
 * Node escape paths differently (`~`, `[`, `%`, spaces), so string equality refused every IPC
 * call from an install folder with such a character in it. */
export function isAppUrl(candidate: string, appUrl: string): boolean {
  let c: URL
  let a: URL
  try {
    c = new URL(candidate)
    a = new URL(appUrl)
  } catch {
    return false
  }
  if (a.protocol === 'http:' || a.protocol === 'https:') return c.origin === a.origin
  // app: and file: have no useful origin in WHATWG URLs: compare scheme, host and the decoded path.
  return c.protocol === a.protocol && c.host === a.host && decodedPath(c.pathname) === decodedPath(a.pathname)
}

function decodedPath(path: string): string {
  try {
    return decodeURIComponent(path)
  } catch {
    return path
  }
}

/** The frame an IPC call came from, as Electron describes it (event.senderFrame). */
export interface SenderFrame {
  url: string
  parent: unknown
}

/** Only the app's own top-level page may call main: not an iframe, not a page navigated elsewhere. */
export function isTrustedFrame(frame: SenderFrame | null | undefined, appUrl: string): boolean {
  return !!frame && frame.parent === null && isAppUrl(frame.url, appUrl)
}

/** Links the system browser may open: https only, no credentials in the URL, a real host. */
export function isSafeExternalUrl(candidate: string): boolean {
  let url: URL
  try {
    url = new URL(candidate)
  } catch {
    return false
  }
  return url.protocol === 'https:' && url.hostname !== '' && url.username === '' && url.password === ''
}

/** The CSP header, sent by the app:// handler and the dev server's session. The renderer's
 * index.html carries the same policy as a meta tag. naive-ui injects its styles at run time, hence 'unsafe-inline' for styles only; the
 * dev server additionally needs its HMR websocket. */
export function contentSecurityPolicy(devServerUrl?: string): string {
  const connect = ["'self'"]
  if (devServerUrl) {
    const dev = new URL(devServerUrl)
    connect.push(`ws://${dev.host}`)
  }
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src ${connect.join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'"
  ].join('; ')
}
