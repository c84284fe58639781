// profiles.*: portal profiles, the OAuth sign-in, and the connection test.
import type { ConnectionReport } from '../../shared/ipc'
import type { CoreContext } from './context'
import { ConnectionRefusedError } from './errors'
import { codeFromCallback, isCallbackFor, newState } from './sign-in'
import type { HandlerMap, IpcDeps } from './types'

type ProfileChannels = 'profiles.list' | 'profiles.addWebhook' | 'profiles.addOAuth' | 'profiles.signIn' | 'profiles.update' | 'profiles.remove' | 'profiles.test'

/** The redirect target without its query: what the portal has configured for the app. */
function redirectBase(callbackUrl: string): string {
  const url = new URL(callbackUrl)
  return `${url.origin}${url.pathname}`
}

export function profileHandlers<E>(ctx: CoreContext, deps: IpcDeps<E>): HandlerMap<ProfileChannels> {
  const { profiles } = ctx
  return {
    'profiles.list': () => profiles.list(),
    // Tested before the admin hears "Portal added": a wrong secret, a deleted webhook or a user
    // without access would otherwise sit in the list looking usable. Only a portal's own refusal
    // undoes the add; a network fault says nothing about the webhook, so the profile stays and
    // its card shows the failed test.
    async 'profiles.addWebhook'(req) {
      const profile = await profiles.addWebhookProfile(req)
      const report = await (await ctx.triggersFor(profile.id)).checkConnection().catch(() => null)
      if (report && !report.ok && (report.error.kind === 'definite' || report.error.kind === 'run-fatal')) {
        await profiles.remove(profile.id).catch(() => undefined)
        ctx.forget(profile.id)
        throw new ConnectionRefusedError({
          code: report.error.code,
          message: `The portal refused this webhook, so it was not added: ${report.message}`,
          kind: report.error.kind,
          ...(report.error.description && { portalText: report.error.description })
        })
      }
      return profile
    },
    'profiles.addOAuth': (req) =>
      profiles.addOAuthProfile({
        name: req.name,
        portalUrl: req.portalUrl,
        clientId: req.clientId,
        clientSecret: req.clientSecret,
        plan: req.plan,
        ...(req.accessToken && req.refreshToken ? { tokens: { accessToken: req.accessToken, refreshToken: req.refreshToken } } : {})
      }),
    async 'profiles.signIn'(profileId) {
      const state = newState()
      const authorizeUrl = await profiles.signInUrl(profileId, state)
      const callbackUrl = await deps.openAuthWindow(authorizeUrl, isCallbackFor(state))
      const code = codeFromCallback(callbackUrl, state)
      const profile = await profiles.completeSignIn(profileId, code, { redirectUri: redirectBase(callbackUrl) })
      ctx.forget(profileId)
      return profile
    },
    async 'profiles.update'(req) {
      const { id, ...patch } = req
      const profile = await profiles.update(id, patch)
      ctx.forget(id)
      return profile
    },
    async 'profiles.remove'(profileId) {
      const { secretRemoved } = await profiles.remove(profileId)
      ctx.forget(profileId)
      if (!secretRemoved) deps.logger?.warn(`profile ${profileId} removed, but its keychain item could not be deleted`)
    },
    async 'profiles.test'(profileId): Promise<ConnectionReport> {
      const triggers = await ctx.triggersFor(profileId)
      const report = await triggers.checkConnection()
      if (!report.ok) {
        return {
          ok: false,
          appContext: false,
          scopes: [],
          canRunAppTriggers: false,
          canRunWebhookTriggers: false,
          message: report.message,
          error: { code: report.error.code, message: report.message, portalText: report.error.description, kind: report.error.kind }
        }
      }
      return {
        ok: true,
        user: report.user,
        appContext: report.appContext,
        scopes: report.scopes ?? [],
        canRunAppTriggers: report.canRunAppTriggers,
        canRunWebhookTriggers: report.canRunWebhookTriggers,
        message: report.message
      }
    }
  }
}
