// One HTTP POST, on node:http/https rather than fetch, because retry safety depends on knowing
// whether the connection ever opened: before that, nothing can have reached the portal; after
// it, the portal may have run the method whatever happens next. Every request gets its own
// connection (no keep-alive): on a reused socket a reset is ambiguous even when the server
// never read the request, which would turn harmless races into "uncertain" rows.
import http from 'node:http'
import https from 'node:https'
import { SyntheticCode } from './classify'
import { BitrixError } from './errors'
import { secureUrl } from './url-policy'

export interface HttpResult {
  status: number
  headers: http.IncomingHttpHeaders
  body: string
  /** The URL that produced this answer (differs from the request after a redirect). */
  url: URL
}

export interface PostOptions {
  headers: Record<string, string>
  /** Whole exchange, redirect hops included. */
  timeoutMs: number
  signal?: AbortSignal
  /** Redirect hops to follow by re-POSTing the same body; 0 returns the 3xx as is. */
  maxRedirects: number
  /** For error messages. */
  method: string
}

type Reason = 'timeout' | 'aborted' | 'network'

/** Internal: a failed exchange and whether the connection had opened before it failed. */
class Fault extends Error {
  constructor(readonly phase: 'not-sent' | 'sent', readonly reason: Reason, readonly detail: string) {
    super(`${phase}: ${reason}`)
  }
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])

/** POSTs `body`; a redirect (portal domain change) is followed by re-POSTing the same body,
 * which is safe because a 3xx means that host did not run the method. */
export async function post(target: URL, body: string, opts: PostOptions): Promise<HttpResult> {
  const deadline = Date.now() + opts.timeoutMs
  let url = target
  for (let hop = 0; ; hop++) {
    const res = await postOnce(url, body, opts, deadline - Date.now())
    const location = res.headers.location
    if (!REDIRECT_STATUSES.has(res.status) || !location || opts.maxRedirects === 0) return res
    if (hop >= opts.maxRedirects) {
      throw new BitrixError({ code: SyntheticCode.TOO_MANY_REDIRECTS, description: `Gave up after ${hop + 1} redirects.`, status: res.status, method: opts.method })
    }
    url = secureUrl(new URL(location, url), 'The redirect target')
  }
}

async function postOnce(url: URL, body: string, opts: PostOptions, timeoutMs: number): Promise<HttpResult> {
  try {
    return await exchange(url, body, opts.headers, timeoutMs, opts.signal)
  } catch (err) {
    if (err instanceof Fault) throw faultError(err, opts)
    throw err
  }
}

function faultError(fault: Fault, opts: PostOptions): BitrixError {
  const seconds = Math.round(opts.timeoutMs / 100) / 10
  const method = opts.method
  if (fault.phase === 'not-sent') {
    if (fault.reason === 'aborted') {
      return new BitrixError({ code: SyntheticCode.ABORTED_BEFORE_SEND, description: 'Cancelled before the connection opened.', status: 0, method })
    }
    const why = fault.reason === 'timeout' ? `no connection within ${seconds} s` : fault.detail
    return new BitrixError({ code: SyntheticCode.CONNECTION_FAILED, description: `Could not connect (${why}); nothing was sent.`, status: 0, method })
  }
  if (fault.reason === 'timeout') {
    return new BitrixError({ code: SyntheticCode.REQUEST_TIMEOUT, description: `No answer within ${seconds} s after sending.`, status: 0, method })
  }
  if (fault.reason === 'aborted') {
    return new BitrixError({ code: SyntheticCode.REQUEST_ABORTED, description: 'Cancelled after the request was sent.', status: 0, method })
  }
  return new BitrixError({ code: SyntheticCode.NETWORK_ERROR, description: `Connection lost after sending (${fault.detail}).`, status: 0, method })
}

function exchange(
  url: URL,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  signal: AbortSignal | undefined
): Promise<HttpResult> {
  return new Promise<HttpResult>((resolve, reject) => {
    if (signal?.aborted) return reject(new Fault('not-sent', 'aborted', ''))
    const secure = url.protocol === 'https:'
    let opened = false
    let settled = false

    const req = (secure ? https : http).request(url, {
      method: 'POST',
      headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
      agent: false
    })

    const finish = (outcome: { ok: HttpResult } | { fault: { reason: Reason; detail: string } }): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
      if ('ok' in outcome) return resolve(outcome.ok)
      req.destroy()
      reject(new Fault(opened ? 'sent' : 'not-sent', outcome.fault.reason, outcome.fault.detail))
    }
    const onAbort = (): void => finish({ fault: { reason: 'aborted', detail: '' } })
    const timer = setTimeout(() => finish({ fault: { reason: 'timeout', detail: '' } }), Math.max(0, timeoutMs))
    signal?.addEventListener('abort', onAbort, { once: true })

    req.on('socket', (socket) => {
      // For TLS the request bytes are only written after the handshake.
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        opened = true
      })
    })
    req.on('error', (err: NodeJS.ErrnoException) => finish({ fault: { reason: 'network', detail: err.code ?? 'socket error' } }))
    req.on('response', (res) => {
      opened = true
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        if (!res.complete) return finish({ fault: { reason: 'network', detail: 'answer cut short' } })
        finish({ ok: { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), url } })
      })
      res.on('error', () => finish({ fault: { reason: 'network', detail: 'answer cut short' } }))
      res.on('close', () => {
        if (!res.complete) finish({ fault: { reason: 'network', detail: 'answer cut short' } })
      })
    })
    req.end(body)
  })
}
