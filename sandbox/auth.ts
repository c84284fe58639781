// Who is calling: an incoming webhook from the path (/rest/{userId}/{secret}/method) or an OAuth
// access token in the `auth` parameter. Failures use the cloud's system errors (reference §4.4).
import { RestError, errors } from './envelope'
import type { OAuthServer } from './oauth'
import type { PortalState, User } from './state'
import { str } from './params'

export type Caller =
  | { kind: 'webhook'; webhookId: string; user: User; scopes: ReadonlySet<string> }
  | { kind: 'oauth'; clientId: string; user: User; scopes: ReadonlySet<string> }

/** The operating-limit key: auth type | app or webhook | method ([src] LoadLimiter). */
export function operatingKey(caller: Caller, method: string): string {
  return caller.kind === 'webhook' ? `APAuth|${caller.webhookId}|${method}` : `OAuth|${caller.clientId}|${method}`
}

/** The ledger's caller: client_id for apps, webhook id for webhooks. */
export function callerId(caller: Caller): string {
  return caller.kind === 'webhook' ? caller.webhookId : caller.clientId
}

export function authenticate(
  state: PortalState,
  oauth: OAuthServer,
  webhook: { userId: number; secret: string } | undefined,
  authParam: unknown
): Caller | RestError {
  if (webhook) {
    const hook = state.webhooks.find((h) => h.userId === webhook.userId && h.secret === webhook.secret)
    const user = hook && state.users.get(hook.userId)
    if (!hook || !user) return errors.invalidCredentials()
    return { kind: 'webhook', webhookId: hook.id, user, scopes: hook.scopes }
  }
  const token = str(authParam)
  if (!token) return errors.noAuth()
  const rec = oauth.lookup(token)
  if (!rec) return errors.invalidToken()
  if (oauth.isExpired(rec)) return errors.expiredToken()
  const app = state.apps.get(rec.clientId)
  const user = state.users.get(rec.userId)
  if (!app || !user) return errors.invalidToken()
  return { kind: 'oauth', clientId: app.clientId, user, scopes: app.scopes }
}
