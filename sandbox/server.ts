// HTTP front of the sandbox portal (plain node:http): path normalisation, the OAuth endpoints,
// and for /rest/ the order a cloud portal follows: connection faults, the request bucket, auth,
// then the method; post-run faults; and the request cap that closes a socket with no answer.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { authenticate } from './auth'
import { buildTime, errors, successBody } from './envelope'
import type { RestError } from './envelope'
import type { Dispatcher } from './dispatch'
import type { FaultPlan } from './faults'
import type { LeakyBucket } from './limits'
import { OperatingRequest } from './limits'
import type { OAuthServer, HttpAnswer } from './oauth'
import { parseBody, parsePhpQuery } from './params'
import type { Params } from './params'
import type { PortalState } from './state'

export interface ServerDeps {
  state: PortalState
  oauth: OAuthServer
  dispatcher: Dispatcher
  bucket: LeakyBucket | undefined
  faults: FaultPlan
  requestCapMs: number
  now: () => number
  log: ((line: string) => void) | undefined
  /** Paths of the apps' redirect URIs on this origin: a browser landing there gets a small page. */
  appPages: () => Set<string>
}

const MAX_BODY = 16 * 1024 * 1024
const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' }
const HTML_TYPE = { 'content-type': 'text/html; charset=utf-8' }

function nginxPage(status: number, text: string): string {
  return `<html>\r\n<head><title>${status} ${text}</title></head>\r\n<body>\r\n<center><h1>${status} ${text}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > MAX_BODY) {
        reject(new Error('body too large'))
        req.destroy()
      } else chunks.push(c)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function send(res: ServerResponse, answer: HttpAnswer): void {
  if (res.writableEnded || res.destroyed) return
  res.writeHead(answer.status, answer.headers)
  res.end(answer.body)
}

function errorAnswer(e: RestError): HttpAnswer {
  return { status: e.status, headers: JSON_TYPE, body: JSON.stringify(e.toJSON()) }
}

/** /rest/{userId}/{secret}/{method} or /rest/{method}; the method in lower case without .json. */
function restRoute(path: string): { webhook?: { userId: number; secret: string }; method: string } {
  const segs = path.slice('/rest/'.length).split('/').filter(Boolean).map((s) => {
    try {
      return decodeURIComponent(s)
    } catch {
      return s
    }
  })
  const normal = (m: string | undefined): string => (m ?? '').toLowerCase().replace(/\.(json|xml)$/, '')
  if (segs.length >= 2 && /^\d+$/.test(segs[0] as string)) {
    return { webhook: { userId: Number(segs[0]), secret: segs[1] as string }, method: normal(segs[2]) }
  }
  return { method: normal(segs[0]) }
}

export function createHandler(deps: ServerDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { state, oauth, dispatcher, faults, now } = deps

  async function rest(req: IncomingMessage, res: ServerResponse, path: string, query: Params): Promise<void> {
    const requestStart = now()
    const t0 = performance.now()
    state.counters.requests++
    const route = restRoute(path)
    const chosen = faults.choose(route.method)
    const action = chosen.action?.fault
    if (action === 'refuse') {
      deps.log?.(`${req.method} ${route.method || '-'} refused`)
      req.socket.destroy()
      return
    }
    const params: Params = { ...query, ...parseBody(req.headers['content-type'], await readBody(req)) }
    const finish = async (answer: HttpAnswer, status?: number): Promise<void> => {
      if (chosen.latencyMs > 0) await sleep(chosen.latencyMs)
      deps.log?.(`${req.method} ${route.method || '-'} ${status ?? answer.status} ${(performance.now() - t0).toFixed(1)}ms`)
      send(res, answer)
    }

    if (deps.bucket && !deps.bucket.take()) {
      state.counters.rejected503++
      return finish(errorAnswer(errors.queryLimit()))
    }
    if (action === 'error500') return finish(errorAnswer(errors.internal()))
    // A hang answers nothing; the request cap closes the socket.
    if (action === 'hang') return

    // [rest] CRestServer::process: the method is looked up before auth, so an unknown method is
    // 404 even without credentials.
    if (!dispatcher.knows(route.method)) return finish(errorAnswer(errors.methodNotFound()))
    const caller = authenticate(state, oauth, route.webhook, params.auth)
    if (!('kind' in caller)) return finish(errorAnswer(caller))
    delete params.auth
    const opRequest = new OperatingRequest(requestStart)
    const report = await dispatcher.call(caller, route.method, params, false, opRequest)
    // [rest] LoadLimiter::finalize (a background job right after the answer): stored before we answer.
    dispatcher.finalize(opRequest)
    const { outcome } = report

    if (action === 'drop-after') {
      deps.log?.(`${req.method} ${route.method || '-'} dropped after running`)
      req.socket.destroy()
      return
    }
    if (action === 'error500-after') return finish({ status: 500, headers: HTML_TYPE, body: nginxPage(500, 'Internal Server Error') })
    if (action === 'html') {
      const status = chosen.action?.status ?? 502
      return finish({ status, headers: HTML_TYPE, body: nginxPage(status, status === 200 ? 'OK' : 'Bad Gateway') })
    }
    if (!outcome.ok) return finish(errorAnswer(outcome.error))
    const durationMs = performance.now() - t0 + chosen.latencyMs
    const time = buildTime(requestStart, requestStart + durationMs, report.processingMs, dispatcher.timeFormat, report.op)
    return finish({ status: 200, headers: JSON_TYPE, body: JSON.stringify(successBody(outcome.res, time)) })
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = req.url ?? '/'
    const q = raw.indexOf('?')
    // Repeated slashes are merged, as a portal's web server does (/rest//method).
    const path = (q < 0 ? raw : raw.slice(0, q)).replace(/\/{2,}/g, '/')
    const query = q < 0 ? {} : parsePhpQuery(raw.slice(q + 1))

    if (path.startsWith('/rest/')) return rest(req, res, path, query)
    if (path === '/oauth/authorize/' || path === '/oauth/authorize') {
      const body = parseBody(req.headers['content-type'], await readBody(req))
      return send(res, oauth.authorize({ ...query, ...body }))
    }
    if (path === '/oauth/token/' || path === '/oauth/token') {
      const body = parseBody(req.headers['content-type'], await readBody(req))
      return send(res, oauth.token({ ...query, ...body }))
    }
    if (deps.appPages().has(path)) {
      return send(res, { status: 200, headers: HTML_TYPE, body: '<html><body><h1>Application authorized</h1></body></html>' })
    }
    send(res, { status: 404, headers: HTML_TYPE, body: nginxPage(404, 'Not Found') })
  }

  return (req, res) => {
    // The cloud cuts a request at 60 s: the connection closes without a body.
    const cap = setTimeout(() => {
      if (!res.writableEnded) res.destroy()
    }, deps.requestCapMs)
    res.on('close', () => clearTimeout(cap))
    handle(req, res).catch((e: unknown) => {
      deps.log?.(`sandbox: request failed: ${e instanceof Error ? e.message : String(e)}`)
      if (!res.headersSent && !res.destroyed) send(res, errorAnswer(errors.internal()))
    })
  }
}
