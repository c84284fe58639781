// "Copy as curl" for one call: the exact request the tool would send, with the credential
// replaced by a placeholder, so it can be pasted into a ticket or a terminal without leaking.
import type { ProfileKind } from '../../shared/domain'
import { redact } from '../bitrix/redact'

export const WEBHOOK_SECRET_PLACEHOLDER = '<webhook-secret>'
export const ACCESS_TOKEN_PLACEHOLDER = '<access-token>'

/**
 * @param portalUrl the portal origin, the OAuth client endpoint (https://portal/rest/), or a full
 *   webhook URL; a webhook secret in it is never copied into the output.
 * @param opts.userId the webhook's user id when portalUrl is a bare origin (defaults to 1).
 */
export function toCurl(
  profileKind: ProfileKind,
  portalUrl: string,
  method: string,
  params: Record<string, unknown>,
  opts: { userId?: number } = {}
): string {
  const url = new URL(portalUrl)
  const restBase = /^\/rest\/(\d+)\/[^/]+/.exec(url.pathname)
  // Params carry no credentials by design; redact() is the net in case one ever does.
  const safeParams = JSON.parse(redact(JSON.stringify(params))) as Record<string, unknown>
  let endpoint: string
  let body: Record<string, unknown>
  if (profileKind === 'webhook') {
    const userId = restBase?.[1] ?? String(opts.userId ?? 1)
    endpoint = `${url.origin}/rest/${userId}/${WEBHOOK_SECRET_PLACEHOLDER}/${method}`
    body = safeParams
  } else {
    endpoint = `${url.origin}/rest/${method}`
    body = { ...safeParams, auth: ACCESS_TOKEN_PLACEHOLDER }
  }
  const json = JSON.stringify(body)
  return [
    'curl -X POST',
    "  -H 'Content-Type: application/json'",
    "  -H 'Accept: application/json'",
    `  -d ${shellQuote(json)}`,
    `  ${shellQuote(endpoint)}`
  ].join(' \\\n')
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`
}
