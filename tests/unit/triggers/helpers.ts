// Clients for the sandbox portal's identities, as the trigger and profile tests need them.
import { createBitrixClient } from '../../../electron/core/bitrix/client'
import type { BitrixClient, Credentials } from '../../../electron/core/bitrix/types'
import type { Sandbox } from '../../../sandbox/index'

/** OAuth credentials as the install callback would give them, for `userId` of `clientId`'s app. */
export function oauthCredentials(sandbox: Sandbox, opts: { userId?: number; clientId?: string } = {}): Extract<Credentials, { kind: 'oauth' }> {
  const app = opts.clientId === sandbox.otherApp.clientId ? sandbox.otherApp : sandbox.app
  const pair = sandbox.issueTokens({ userId: opts.userId ?? 1, clientId: app.clientId })
  return {
    kind: 'oauth',
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    accessToken: pair.access_token,
    refreshToken: pair.refresh_token,
    expires: pair.expires,
    clientEndpoint: pair.client_endpoint,
    oauthServer: sandbox.url,
    userId: pair.user_id,
    scope: pair.scope
  }
}

export function oauthClient(sandbox: Sandbox, opts: { userId?: number; clientId?: string } = {}): BitrixClient {
  return createBitrixClient({ credentials: oauthCredentials(sandbox, opts) })
}

export function webhookClient(webhookUrl: string): BitrixClient {
  return createBitrixClient({ credentials: { kind: 'webhook', webhookUrl } })
}
