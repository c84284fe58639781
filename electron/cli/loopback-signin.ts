// A browser sign-in for the terminal, as other OAuth CLIs do it: listen on 127.0.0.1, send the
// admin's browser to the portal's authorize page, and take the `code` from the redirect that
// comes back to us. Bitrix24 redirects to the handler URL set in the app's settings (it ignores
// a redirect_uri in the request), so that setting must name this listener: `--port` keeps the
// address fixed for it. The `state` check makes sure the code is the answer to our request.
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface LoopbackSignInOptions {
  /** 0: any free port. */
  port: number
  /** The authorize URL for this `state`. */
  authorizeUrl(state: string): Promise<string>
  /** Called once listening: show (or open) the URL; `redirectUri` is where the portal must send the browser. */
  ready(url: string, redirectUri: string): void
  /** Trades the code for tokens and stores them; its error is shown in the browser too. */
  exchange(code: string, redirectUri: string): Promise<void>
  timeoutMs: number
}

export class SignInError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SignInError'
  }
}

function page(res: ServerResponse, status: number, title: string, text: string): void {
  const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
  res.end(`<!doctype html><meta charset="utf-8"><title>${esc(title)}</title><h1>${esc(title)}</h1><p>${esc(text)}</p>`)
}

/** Resolves once the portal's redirect brought a code for our state and it was exchanged. */
export async function loopbackSignIn(opts: LoopbackSignInOptions): Promise<void> {
  const state = randomBytes(16).toString('hex')
  let settle: { resolve: () => void; reject: (err: Error) => void } | undefined
  const finished = new Promise<void>((resolve, reject) => (settle = { resolve, reject }))
  let busy = false
  let redirectUri = ''

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', redirectUri)
    const q = url.searchParams
    if (q.get('error')) {
      page(res, 400, 'Sign-in refused', q.get('error_description') || q.get('error') || '')
      settle?.reject(new SignInError(`The portal refused the sign-in: ${q.get('error_description') || q.get('error')}.`))
      return
    }
    const code = q.get('code')
    if (!code) {
      page(res, 404, 'Waiting for the sign-in', 'This address receives the portal\'s answer; nothing to see here.')
      return
    }
    // Someone else's (or an old tab's) code: refuse it and keep waiting for ours.
    if (q.get('state') !== state) {
      page(res, 400, 'Sign-in not accepted', 'This answer does not belong to the sign-in the terminal started. Start again from the terminal.')
      return
    }
    if (busy) {
      page(res, 409, 'Sign-in in progress', 'The terminal is already completing this sign-in.')
      return
    }
    busy = true
    opts.exchange(code, redirectUri).then(
      () => {
        page(res, 200, 'Signed in', 'You can close this tab and go back to the terminal.')
        settle?.resolve()
      },
      (err: unknown) => {
        const message = err instanceof Error ? err.message : String(err)
        page(res, 502, 'Sign-in failed', message)
        settle?.reject(err instanceof Error ? err : new Error(message))
      }
    )
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new SignInError(err.code === 'EADDRINUSE' ? `Port ${opts.port} on 127.0.0.1 is in use; choose another with --port.` : err.message))
    )
    server.listen(opts.port, '127.0.0.1', () => resolve())
  })
  const timer = setTimeout(
    () => settle?.reject(new SignInError(`No answer from the portal within ${Math.round(opts.timeoutMs / 1000)} s; nothing was changed. Run the command again.`)),
    opts.timeoutMs
  )
  try {
    const { port } = server.address() as AddressInfo
    redirectUri = `http://127.0.0.1:${port}/`
    opts.ready(await opts.authorizeUrl(state), redirectUri)
    await finished
  } finally {
    clearTimeout(timer)
    // Answers already written still reach the browser; idle keep-alive sockets go at once.
    server.close()
    server.closeIdleConnections()
  }
}
