// One REST client for webhook and OAuth profiles: JSON POST to `<base><method>`, the envelope
// read into a result or a classified BitrixError. It never retries on its own except once after
// expired_token, which the portal answers before running anything (reference §5.1); every other
// retry decision belongs to the runner, which knows whether a re-send could duplicate a trigger.
import { performance } from 'node:perf_hooks'
import { createAuthSession } from './auth'
import { assertMethodName, decodeBatch, encodeBatch } from './batch-codec'
import { readEnvelope } from './envelope'
import type { BitrixError } from './errors'
import { redact } from './redact'
import { post } from './transport'
import type { BatchCommand, BatchResponse, BitrixClient, BitrixClientOptions, CallOptions, RestResponse } from './types'
import { DEFAULT_USER_AGENT } from './user-agent'

/** Above the 60 s cloud cap, so the portal's own cut arrives first. */
export const DEFAULT_TIMEOUT_MS = 75_000
const MAX_REDIRECTS = 3

export function createBitrixClient(options: BitrixClientOptions): BitrixClient {
  const now = options.now ?? Date.now
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT
  const log = (line: string): void => options.log?.(redact(line))
  const session = createAuthSession(options.credentials, {
    persist: options.persist,
    now,
    tokenRequest: { userAgent, timeoutMs },
    log
  })
  const headers = { 'Content-Type': 'application/json', Accept: 'application/json', 'User-Agent': userAgent }

  async function send(method: string, params: Record<string, unknown>, opts: CallOptions): Promise<RestResponse> {
    let renewed = false
    for (;;) {
      const auth = await session.prepare(opts.signal)
      const target = new URL(method, auth.base)
      const body = JSON.stringify(auth.accessToken === undefined ? params : { ...params, auth: auth.accessToken })
      const sentAt = now()
      const started = performance.now()
      const answer = await post(target, body, {
        headers,
        timeoutMs: opts.timeoutMs ?? timeoutMs,
        signal: opts.signal,
        maxRedirects: MAX_REDIRECTS,
        method
      })
      const envelope = readEnvelope(answer, method)
      report(method, answer.status, envelope.ok?.time, envelope.error, performance.now() - started, sentAt)

      // Only a pure domain change moves the profile; other redirects are followed, not learned.
      if (answer.url.origin !== target.origin && answer.url.pathname === target.pathname) {
        log(`Portal moved from ${target.origin} to ${answer.url.origin}`)
        await session.moveTo(answer.url.origin)
      }
      if (!envelope.error) return envelope.ok
      if (!renewed && session.kind === 'oauth' && envelope.error.code.toLowerCase() === 'expired_token') {
        renewed = true
        await session.renewAfterExpired(auth.accessToken, opts.signal)
        continue
      }
      throw envelope.error
    }
  }

  function report(method: string, status: number, time: RestResponse['time'], error: BitrixError | undefined, durationMs: number, sentAt: number): void {
    if (!options.onResponse) return
    try {
      options.onResponse({ method, status, durationMs, sentAt, ...(time && { time }), ...(error && { code: error.code }) })
    } catch (err) {
      // A faulty observer must not turn a known outcome into an exception.
      log(`onResponse hook failed: ${err instanceof Error ? err.message : String(err)}`)
    }
  }

  const client: BitrixClient = {
    async call<T>(method: string, params: Record<string, unknown> = {}, opts: CallOptions = {}): Promise<RestResponse<T>> {
      assertMethodName(method)
      return (await send(method, params, opts)) as RestResponse<T>
    },
    async batch(commands: BatchCommand[], opts: { halt?: boolean } & CallOptions = {}): Promise<BatchResponse> {
      const cmd = encodeBatch(commands)
      const res = await send('batch', { cmd, halt: opts.halt ? 1 : 0 }, opts)
      const out: BatchResponse = { items: decodeBatch(commands, res.result, res.status), status: res.status }
      if (res.time) out.time = res.time
      return out
    },
    describe: () => ({ portalUrl: session.portalOrigin(), kind: session.kind })
  }
  if (session.refreshNow) client.refreshNow = session.refreshNow
  return client
}
