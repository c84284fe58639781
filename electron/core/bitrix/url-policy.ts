// Where a request may go. Tokens and webhook secrets travel in every request, so plain http is
// refused unless the host is this machine (the sandbox). Checked when a client is built and
// again on every redirect hop.
import { isIPv4 } from 'node:net'
import { SyntheticCode } from './classify'
import { BitrixError } from './errors'

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase()
  if (host === 'localhost' || host === '[::1]') return true
  return isIPv4(host) && host.startsWith('127.')
}

/** Parses and checks a URL; throws a run-fatal BitrixError when it may not be used. */
export function secureUrl(raw: string | URL, what: string): URL {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new BitrixError({ code: SyntheticCode.INVALID_ARGUMENT, description: `${what} is not a valid URL.`, status: 0, kind: 'run-fatal' })
  }
  if (url.protocol === 'https:') return url
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url
  throw new BitrixError({
    code: SyntheticCode.INSECURE_URL,
    description: `${what} must use https:// (plain http is allowed only for loopback hosts), got ${url.protocol}//${url.host}.`,
    status: 0
  })
}
