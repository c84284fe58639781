// The renderer is served from app://renderer/ instead of file:// (Electron security checklist,
// item 18). Under file:// any script in the page could fetch('file:///…') every file the user can
// read, and the page's URL would contain the install path, which Node and Chromium percent-encode
// differently (`~`, `[`, `%`...). Here the handler answers only for files under the renderer's
// build folder, and the page's URL is the same on every machine.
import { protocol } from 'electron'
import { readFile } from 'node:fs/promises'
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path'
import { APP_HOST, APP_SCHEME } from './security'

export { APP_HOST, APP_SCHEME, APP_URL } from './security'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8'
}

/** The file an app:// URL names, or undefined when it names none under `root` (other host,
 * `..` in any encoding, a NUL byte, a malformed escape). `/` is index.html. */
export function resolveAppPath(url: string, root: string): string | undefined {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return undefined
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return undefined
  let path: string
  try {
    path = decodeURIComponent(parsed.pathname)
  } catch {
    return undefined
  }
  if (path.includes('\0')) return undefined
  if (path === '/' || path === '') path = '/index.html'
  const base = resolve(root)
  const file = resolve(join(base, path))
  const rel = relative(base, file)
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) return undefined
  return file
}

/** The response for one request: the file with its type and the CSP, or a 404. Never a listing,
 * never a file outside `root`. */
export async function serveAppRequest(request: Request, root: string, csp: string): Promise<Response> {
  const file = resolveAppPath(request.url, root)
  const headers = { 'Content-Security-Policy': csp, 'X-Content-Type-Options': 'nosniff' }
  if (!file || (request.method !== 'GET' && request.method !== 'HEAD')) {
    return new Response('Not found', { status: 404, headers: { ...headers, 'Content-Type': 'text/plain; charset=utf-8' } })
  }
  try {
    const body = await readFile(file)
    const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream'
    return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers: { ...headers, 'Content-Type': type } })
  } catch {
    return new Response('Not found', { status: 404, headers: { ...headers, 'Content-Type': 'text/plain; charset=utf-8' } })
  }
}

/** Before `ready`: app:// behaves like https (origin, fetch, secure context, localStorage).
 * No bypassCSP: the page's policy applies. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }
  ])
}

/** After `ready`: serve the renderer's build folder. */
export function handleAppProtocol(root: string, csp: string): void {
  protocol.handle(APP_SCHEME, (request) => serveAppRequest(request, root, csp))
}
