// Tiny HTTP servers on 127.0.0.1 for transport edge cases the sandbox does not model.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface SeenRequest {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  body: string
}

export interface LocalServer {
  origin: string
  port: number
  seen: SeenRequest[]
  /** Connections accepted, whether or not a request was read from them. */
  connections: number
  close(): Promise<void>
}

/** `handle` gets the request after its body was read in full. */
export async function startLocalServer(
  handle: (req: SeenRequest, res: http.ServerResponse, raw: http.IncomingMessage) => void
): Promise<LocalServer> {
  const seen: SeenRequest[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }
      seen.push(entry)
      handle(entry, res, req)
    })
  })
  const state = { connections: 0 }
  server.on('connection', () => state.connections++)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    seen,
    get connections() {
      return state.connections
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
  res.end(JSON.stringify(body))
}

/** A port nobody listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = http.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

/** Every text a caller could show or store for an error. */
export function errorTexts(err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  return [err.message, String(err), err.stack ?? '', JSON.stringify(err)].join('\n')
}
