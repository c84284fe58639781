// Pure rules behind the window hardening in window.ts (DESIGN.md, Security), kept apart from
// Electron so they can be unit-tested: which URLs count as the app itself, which links may leave
// for the system browser, and the Content-Security-Policy sent with every response.

/** The app's own pages: the built index.html (file://) or, in development, the dev server origin. */
export function isAppUrl(candidate: string, appUrl: string): boolean {
  let c: URL
  let a: URL
  try {
    c = new URL(candidate)
    a = new URL(appUrl)
  } catch {
    return false
  }
  if (a.protocol === 'file:') return c.protocol === 'file:' && c.pathname === a.pathname
  return c.origin === a.origin
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

/** The CSP header. The renderer's index.html carries the same policy as a meta tag (file:// has no
 * headers). naive-ui injects its styles at run time, hence 'unsafe-inline' for styles only; the
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
