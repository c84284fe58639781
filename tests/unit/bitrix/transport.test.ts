// Transport edge cases against tiny servers on 127.0.0.1: what reached the server decides
// whether an error may be called retry-safe.
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import https from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { BitrixError, createBitrixClient, type Credentials, type ResponseInfo } from '../../../electron/core/bitrix'
import { closedPort, errorTexts, sendJson, startLocalServer, type LocalServer } from './local-server'

const SECRET = `wh${randomBytes(8).toString('hex')}`
const TOKEN = `at${randomBytes(12).toString('hex')}`

const servers: LocalServer[] = []
async function server(handle: Parameters<typeof startLocalServer>[0]): Promise<LocalServer> {
  const s = await startLocalServer(handle)
  servers.push(s)
  return s
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

const webhook = (origin: string): Credentials => ({ kind: 'webhook', webhookUrl: `${origin}/rest/1/${SECRET}/` })

async function failure(promise: Promise<unknown>): Promise<BitrixError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e
  )
  expect(err).toBeInstanceOf(BitrixError)
  const be = err as BitrixError
  expect(errorTexts(be)).not.toContain(SECRET)
  expect(errorTexts(be)).not.toContain(TOKEN)
  return be
}

describe('REST transport', () => {
  it('POSTs JSON with a real User-Agent and parses the envelope', async () => {
    const s = await server((_req, res) =>
      sendJson(res, 200, { result: [{ ID: '1' }], next: 50, total: 120, time: { start: 1, finish: 1.5, duration: 0.5, operating: 2.5, operating_reset_at: 1700000000, date_start: 'x' } })
    )
    const seen: ResponseInfo[] = []
    const client = createBitrixClient({ credentials: webhook(s.origin), onResponse: (i) => seen.push(i) })
    const res = await client.call<{ ID: string }[]>('crm.item.list', { entityTypeId: 2, filter: { '@id': [1, 2] } })

    expect(res).toEqual({
      result: [{ ID: '1' }],
      next: 50,
      total: 120,
      status: 200,
      time: { start: 1, finish: 1.5, duration: 0.5, operating: 2.5, operating_reset_at: 1700000000, date_start: 'x' }
    })
    const req = s.seen[0]!
    expect(req.method).toBe('POST')
    expect(req.url).toBe(`/rest/1/${SECRET}/crm.item.list`)
    expect(req.headers['content-type']).toBe('application/json')
    expect(req.headers.accept).toBe('application/json')
    expect(req.headers['user-agent']).toMatch(/^b24-trigger-runner\/\d+\.\d+\.\d+/)
    expect(JSON.parse(req.body)).toEqual({ entityTypeId: 2, filter: { '@id': [1, 2] } })
    expect(seen).toHaveLength(1)
    expect(seen[0]).toMatchObject({ method: 'crm.item.list', status: 200, time: { operating: 2.5 } })
  })

  it('normalizes the webhook URL (missing slash, pasted method)', async () => {
    const s = await server((_req, res) => sendJson(res, 200, { result: true }))
    for (const url of [`${s.origin}/rest/1/${SECRET}`, `${s.origin}/rest/1/${SECRET}/profile.json?x=1`]) {
      const client = createBitrixClient({ credentials: { kind: 'webhook', webhookUrl: url } })
      expect(client.describe()).toEqual({ portalUrl: s.origin, kind: 'webhook' })
      await client.call('profile')
    }
    expect(s.seen.map((r) => r.url)).toEqual([`/rest/1/${SECRET}/profile`, `/rest/1/${SECRET}/profile`])
  })

  it('accepts an answer without `time`', async () => {
    const s = await server((_req, res) => sendJson(res, 200, { result: true }))
    const res = await createBitrixClient({ credentials: webhook(s.origin) }).call('crm.automation.trigger', { target: 'DEAL_1' })
    expect(res).toEqual({ result: true, status: 200 })
  })

  it('follows a 302 domain change by re-POSTing the same body, and persists the new address', async () => {
    const moved = await server((_req, res) => sendJson(res, 200, { result: 'from new host' }))
    const old = await server((req, res) => {
      res.writeHead(302, { location: `${moved.origin}${req.url}` })
      res.end()
    })
    const persisted: Credentials[] = []
    const client = createBitrixClient({ credentials: webhook(old.origin), persist: async (c) => void persisted.push(c) })

    const res = await client.call('crm.deal.get', { id: 5, fields: { TITLE: 'a&b' } })
    expect(res.result).toBe('from new host')
    expect(moved.seen).toHaveLength(1)
    expect(moved.seen[0]!.method).toBe('POST')
    expect(moved.seen[0]!.headers['content-type']).toBe('application/json')
    expect(moved.seen[0]!.body).toBe(old.seen[0]!.body)
    expect(JSON.parse(moved.seen[0]!.body)).toEqual({ id: 5, fields: { TITLE: 'a&b' } })
    expect(persisted).toEqual([{ kind: 'webhook', webhookUrl: `${moved.origin}/rest/1/${SECRET}/` }])
    expect(client.describe().portalUrl).toBe(moved.origin)

    await client.call('crm.deal.get', { id: 6 })
    expect(old.seen).toHaveLength(1)
    expect(moved.seen).toHaveLength(2)
  })

  it('an OAuth domain change updates client_endpoint and keeps auth in the body', async () => {
    const moved = await server((_req, res) => sendJson(res, 200, { result: 'ok' }))
    const old = await server((req, res) => {
      res.writeHead(302, { location: `${moved.origin}${req.url}` })
      res.end()
    })
    const persisted: Credentials[] = []
    const creds: Credentials = {
      kind: 'oauth', clientId: 'local.1', clientSecret: `cs${SECRET}`, accessToken: TOKEN, refreshToken: `rt${SECRET}`,
      expires: Math.floor(Date.now() / 1000) + 3600, clientEndpoint: `${old.origin}/rest/`, oauthServer: old.origin
    }
    const client = createBitrixClient({ credentials: creds, persist: async (c) => void persisted.push(c) })
    await client.call('crm.automation.trigger.list')
    expect(moved.seen[0]!.url).toBe('/rest/crm.automation.trigger.list')
    expect(JSON.parse(moved.seen[0]!.body)).toEqual({ auth: TOKEN })
    expect(persisted).toHaveLength(1)
    expect(persisted[0]).toMatchObject({ kind: 'oauth', clientEndpoint: `${moved.origin}/rest/`, oauthServer: moved.origin, accessToken: TOKEN })
  })

  it('stops after a bounded number of redirects', async () => {
    const loop = await server((req, res) => {
      res.writeHead(302, { location: req.url })
      res.end()
    })
    const err = await failure(createBitrixClient({ credentials: webhook(loop.origin) }).call('profile'))
    expect(err.code).toBe('TOO_MANY_REDIRECTS')
    expect(err.kind).toBe('run-fatal')
    expect(loop.seen.length).toBeLessThanOrEqual(4)
  })

  it('refuses a redirect to plain http on a non-loopback host without connecting', async () => {
    const s = await server((req, res) => {
      res.writeHead(302, { location: `http://portal.example.invalid${req.url}` })
      res.end()
    })
    const err = await failure(createBitrixClient({ credentials: webhook(s.origin) }).call('profile'))
    expect(err.code).toBe('INSECURE_URL')
    expect(err.kind).toBe('run-fatal')
  })

  it('refuses plain http to a non-loopback host at construction', () => {
    const bad: Credentials[] = [
      { kind: 'webhook', webhookUrl: `http://portal.example.com/rest/1/${SECRET}/` },
      { kind: 'webhook', webhookUrl: `http://127.0.0.1.example.com/rest/1/${SECRET}/` },
      { kind: 'webhook', webhookUrl: `ftp://127.0.0.1/rest/1/${SECRET}/` },
      {
        kind: 'oauth', clientId: 'c', clientSecret: `cs${SECRET}`, accessToken: TOKEN, refreshToken: `rt${SECRET}`, expires: 0,
        clientEndpoint: 'http://portal.example.com/rest/', oauthServer: 'https://oauth.bitrix.info'
      },
      {
        kind: 'oauth', clientId: 'c', clientSecret: `cs${SECRET}`, accessToken: TOKEN, refreshToken: `rt${SECRET}`, expires: 0,
        clientEndpoint: 'https://portal.example.com/rest/', oauthServer: 'http://oauth.bitrix.info'
      }
    ]
    for (const credentials of bad) {
      let caught: unknown
      try {
        createBitrixClient({ credentials })
      } catch (err) {
        caught = err
      }
      expect(caught).toBeInstanceOf(BitrixError)
      expect((caught as BitrixError).code).toBe('INSECURE_URL')
      expect(errorTexts(caught)).not.toContain(SECRET)
    }
    for (const host of ['127.0.0.1', '127.3.4.5', 'localhost', '[::1]']) {
      expect(() => createBitrixClient({ credentials: { kind: 'webhook', webhookUrl: `http://${host}:9/rest/1/${SECRET}/` } })).not.toThrow()
    }
  })

  it('a hang after the request was sent is an ambiguous REQUEST_TIMEOUT', async () => {
    const s = await server(() => {
      /* never answers */
    })
    // The deadline is a timer the test moves only once the server holds the request: with a real
    // one, a stall of a loaded machine before the connect would make it CONNECTION_FAILED instead.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
    try {
      const pending = failure(createBitrixClient({ credentials: webhook(s.origin), timeoutMs: 30_000 }).call('crm.automation.trigger', { target: 'DEAL_1' }))
      await vi.waitFor(() => expect(s.seen).toHaveLength(1), { timeout: 10_000 })
      vi.advanceTimersByTime(30_000)
      const err = await pending
      expect(err.code).toBe('REQUEST_TIMEOUT')
      expect(err.kind).toBe('ambiguous')
      expect(err.status).toBe(0)
    } finally {
      vi.useRealTimers()
    }
  })

  it('a reset after the body was read is an ambiguous NETWORK_ERROR', async () => {
    const s = await server((_req, _res, raw) => raw.socket.destroy())
    const err = await failure(createBitrixClient({ credentials: webhook(s.origin) }).call('crm.automation.trigger', { target: 'DEAL_1' }))
    expect(err.code).toBe('NETWORK_ERROR')
    expect(err.kind).toBe('ambiguous')
    expect(s.seen).toHaveLength(1)
  })

  it('an answer cut off mid-body is ambiguous', async () => {
    const s = await server((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' })
      res.write('{"result":tr')
      setTimeout(() => res.socket?.destroy(), 20)
    })
    const err = await failure(createBitrixClient({ credentials: webhook(s.origin) }).call('profile'))
    expect(err.code).toBe('NETWORK_ERROR')
    expect(err.kind).toBe('ambiguous')
  })

  it('a refused connection is a retry-safe CONNECTION_FAILED', async () => {
    const port = await closedPort()
    const err = await failure(createBitrixClient({ credentials: webhook(`http://127.0.0.1:${port}`) }).call('profile'))
    expect(err.code).toBe('CONNECTION_FAILED')
    expect(err.kind).toBe('retry-safe')
    expect(err.description).toContain('ECONNREFUSED')
  })

  it('a TLS failure before the request was written is retry-safe', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'b24-tls-'))
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' })
      let requests = 0
      const tls = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_req, res) => {
        requests++
        res.end('{}')
      })
      await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve))
      const port = (tls.address() as AddressInfo).port
      try {
        const err = await failure(createBitrixClient({ credentials: webhook(`https://127.0.0.1:${port}`) }).call('profile'))
        expect(err.code).toBe('CONNECTION_FAILED')
        expect(err.kind).toBe('retry-safe')
        expect(requests).toBe(0)
      } finally {
        tls.closeAllConnections()
        await new Promise<void>((resolve) => tls.close(() => resolve()))
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('an HTML page is an ambiguous NON_JSON_RESPONSE, and pacing still hears about it', async () => {
    const s = await server((req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' })
      res.end(`<html><body>Bad gateway for ${req.url} auth=${TOKEN}</body></html>`)
    })
    const seen: ResponseInfo[] = []
    const err = await failure(createBitrixClient({ credentials: webhook(s.origin), onResponse: (i) => seen.push(i) }).call('crm.automation.trigger', { target: 'DEAL_1' }))
    expect(err.code).toBe('NON_JSON_RESPONSE')
    expect(err.kind).toBe('ambiguous')
    expect(err.status).toBe(502)
    expect(err.description).toContain('text/html')
    expect(seen.map((i) => i.status)).toEqual([502])
  })

  it('an empty 500 is ambiguous', async () => {
    const s = await server((_req, res) => {
      res.writeHead(500)
      res.end()
    })
    const err = await failure(createBitrixClient({ credentials: webhook(s.origin) }).call('profile'))
    expect(err).toMatchObject({ code: 'NON_JSON_RESPONSE', kind: 'ambiguous', status: 500 })
  })

  it('a 503 QUERY_LIMIT_EXCEEDED is reported and thrown, never retried by the client', async () => {
    const s = await server((_req, res) => sendJson(res, 503, { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' }))
    const seen: ResponseInfo[] = []
    const err = await failure(createBitrixClient({ credentials: webhook(s.origin), onResponse: (i) => seen.push(i) }).call('profile'))
    expect(err).toMatchObject({ code: 'QUERY_LIMIT_EXCEEDED', kind: 'retry-safe', status: 503, method: 'profile', description: 'Too many requests' })
    expect(seen).toMatchObject([{ method: 'profile', status: 503, code: 'QUERY_LIMIT_EXCEEDED' }])
    expect(s.seen).toHaveLength(1)
  })

  it('a 401 answer names the code and leaks no secret', async () => {
    const s = await server((req, res) =>
      sendJson(res, 401, { error: 'NO_AUTH_FOUND', error_description: `Wrong authorization data for ${req.url}` })
    )
    const err = await failure(createBitrixClient({ credentials: webhook(s.origin) }).call('profile'))
    expect(err).toMatchObject({ code: 'NO_AUTH_FOUND', kind: 'run-fatal', status: 401 })
    expect(err.description).toContain('/rest/1/')
  })

  it('an abort before the connection opens is retry-safe; after sending it is ambiguous', async () => {
    const s = await server(() => {
      /* never answers */
    })
    const client = createBitrixClient({ credentials: webhook(s.origin) })
    const before = await failure(client.call('profile', {}, { signal: AbortSignal.abort() }))
    expect(before).toMatchObject({ code: 'ABORTED_BEFORE_SEND', kind: 'retry-safe' })
    expect(s.connections).toBe(0)

    const controller = new AbortController()
    const pending = client.call('profile', {}, { signal: controller.signal })
    await expect.poll(() => s.seen.length, { timeout: 10_000 }).toBe(1)
    controller.abort()
    const after = await failure(pending)
    expect(after).toMatchObject({ code: 'REQUEST_ABORTED', kind: 'ambiguous' })
  })

  it('rejects method names that could change the path', async () => {
    const s = await server((_req, res) => sendJson(res, 200, { result: true }))
    const client = createBitrixClient({ credentials: webhook(s.origin) })
    for (const method of ['../2/other/profile', 'crm.item.list?x=1', '', 'a b']) {
      await expect(client.call(method)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' })
    }
    expect(s.connections).toBe(0)
  })
})
